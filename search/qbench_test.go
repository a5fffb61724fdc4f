package search_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

// BenchmarkQuery times single queries over 10,000 generated pages, for profiling:
// go test ./search -run '^$' -bench BenchmarkQuery -cpuprofile cpu.out
func BenchmarkQuery(b *testing.B) {
	docs := generate(b, 10000)
	vocab := lexicon(b)
	x := settledIndex(b, docs)
	r := rand.New(rand.NewPCG(3, 4))
	v := access.Viewer{Subject: "e", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := 1 + r.IntN(3)
		var terms []string
		for j := 0; j < k; j++ {
			terms = append(terms, vocab[r.IntN(10000)])
		}
		if _, err := x.Search(context.Background(), search.Request{Query: strings.Join(terms, " "), Viewer: v, Now: time.Now(), Limit: 10}); err != nil && !errors.Is(err, search.ErrBadQuery) {
			b.Fatal(err)
		}
	}
}

// settledIndex builds an index of docs on disk and merges it into one
// segment, as a server finds it once the rebuild is done; closed at the end.
func settledIndex(b *testing.B, docs []search.Doc) *search.Index {
	x, err := search.Open(b.TempDir()+"/search", access.DefaultLevels, quiet())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	if _, err := x.Rebuild(context.Background(), docs, nil); err != nil {
		b.Fatal(err)
	}
	if err := x.Compact(context.Background()); err != nil {
		b.Fatal(err)
	}
	return x
}
