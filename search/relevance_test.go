package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/testenv"
	"github.com/torg-cms/torg/search"
)

// TestRelevance runs the judged queries in testdata/judged.tsv over the
// demo site and the real municipal pages and prints recall@3 and MRR:
//
//	go test ./search -run TestRelevance -v
func TestRelevance(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "corpus", "municipal")); err != nil {
		testenv.Skip(t, "the judged set includes the shared corpus, which is not beside the checkout")
	}
	data, err := os.ReadFile(filepath.Join("testdata", "judged.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	x := demoIndex(t)
	synonyms := map[string][]string{"lönespec": {"lönespecifikation", "lönebesked"}, "vikarie": {"timvikarie"}, "timvikarie": {"vikarie"}, "mejl": {"e-post"}, "bankid": {"e-legitimation"}}
	var n, inTop3 int
	var rr float64
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		q, want := cols[0], strings.Split(cols[1], "|")
		res, err := x.Search(context.Background(), search.Request{Query: q, Viewer: everyone, Now: monday10, Limit: 10, Synonyms: synonyms})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		n++
		rank := 0
		for i, h := range res.Hits {
			for _, w := range want {
				if h.URL == w && rank == 0 {
					rank = i + 1
				}
			}
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
		if rank > 0 && rank <= 3 {
			inTop3++
		} else {
			var got []string
			for i, h := range res.Hits {
				if i < 5 {
					got = append(got, h.URL)
				}
			}
			t.Logf("miss: %-28q rank %d; top: %v", q, rank, got)
		}
	}
	recall, mrr := float64(inTop3)/float64(n), rr/float64(n)
	fmt.Printf("relevance: %d queries, recall@3 = %.3f, MRR = %.3f\n", n, recall, mrr)
	if n < 40 || recall < 0.95 || mrr < 0.85 {
		t.Errorf("recall@3 %.3f (target 0.95), MRR %.3f (target 0.85) over %d queries", recall, mrr, n)
	}
}
