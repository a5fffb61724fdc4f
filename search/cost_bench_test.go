package search_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

// BenchmarkQueryCost compares, in one run over 10,000 generated pages, what
// an anonymous reader's typical query costs with the most expensive queries
// one can type, and prints each worst case as a multiple of the typical:
//
//	go test ./search -run '^$' -bench BenchmarkQueryCost -benchtime 10x
func BenchmarkQueryCost(b *testing.B) {
	docs := generate(b, 10000)
	vocab := lexicon(b)
	x := settledIndex(b, docs)
	letters := func(r *rand.Rand, n int) string {
		w := make([]byte, n)
		for i := range w {
			w[i] = byte('a' + r.IntN(26))
		}
		return string(w)
	}
	// joined makes a query of k words, as many as fit in the longest query.
	joined := func(r *rand.Rand, k int, word func(i int) string) string {
		q := ""
		for i := 0; i < k; i++ {
			w := word(i)
			if len([]rune(q))+1+len([]rune(w)) > search.MaxQueryLength {
				break
			}
			q = strings.TrimSpace(q + " " + w)
		}
		return q
	}
	cases := []struct {
		name  string
		query func(r *rand.Rand) string
	}{
		// One to three of the 10,000 most used words, as people search.
		{"typical", func(r *rand.Rand) string {
			return joined(r, 1+r.IntN(3), func(int) string { return vocab[r.IntN(10000)] })
		}},
		{"20-unknown-9-letter-words", func(r *rand.Rand) string {
			return joined(r, 20, func(int) string { return letters(r, 9) })
		}},
		{"20-words-known-and-unknown", func(r *rand.Rand) string {
			return joined(r, 20, func(i int) string {
				if i%2 == 0 {
					return vocab[r.IntN(10000)]
				}
				return letters(r, 9)
			})
		}},
		{"one-200-letter-word", func(r *rand.Rand) string { return letters(r, 200) }},
		{"four-49-letter-words", func(r *rand.Rand) string {
			return joined(r, 4, func(int) string { return letters(r, 49) })
		}},
		{"66-two-letter-words", func(r *rand.Rand) string {
			return joined(r, 66, func(int) string { return letters(r, 2) })
		}},
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	perOp := map[string]float64{}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			// The same queries in every op, so that the mix does not depend on b.N.
			r := rand.New(rand.NewPCG(7, 8))
			queries := make([]string, 16)
			for i := range queries {
				queries[i] = c.query(r)
			}
			// The first search of a class of viewers works out what they may see.
			if _, err := x.Search(ctx, search.Request{Query: "semester", Viewer: access.Viewer{}, Now: now}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				for _, q := range queries {
					_, err := x.Search(ctx, search.Request{Query: q, Viewer: access.Viewer{}, Now: now, Limit: 10})
					if err != nil && !errors.Is(err, search.ErrBadQuery) {
						b.Fatal(err)
					}
				}
			}
			perOp[c.name] = float64(time.Since(start).Nanoseconds()) / float64(b.N*len(queries))
			b.ReportMetric(perOp[c.name], "ns/query")
		})
	}
	for _, c := range cases[1:] {
		if perOp["typical"] > 0 && perOp[c.name] > 0 {
			fmt.Printf("query cost: %-28s %10.0f ns/query = %6.1f × typical (%.0f ns/query)\n", c.name, perOp[c.name], perOp[c.name]/perOp["typical"], perOp["typical"])
		}
	}
}
