package search

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/torg-cms/torg/cms/access"
)

// leaves counts what a query asks of the index: each term, prefix and
// phrase is one list to look up and walk, each fuzzy term one walk of the
// dictionary.
type leaves struct{ lists, fuzzy int }

func countLeaves(q query.Query, n *leaves) {
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, sub := range []query.Query{q.Must, q.Should, q.MustNot} {
			if sub != nil {
				countLeaves(sub, n)
			}
		}
	case *query.ConjunctionQuery:
		for _, sub := range q.Conjuncts {
			countLeaves(sub, n)
		}
	case *query.DisjunctionQuery:
		for _, sub := range q.Disjuncts {
			countLeaves(sub, n)
		}
	case *query.FuzzyQuery:
		n.fuzzy++
	default:
		n.lists++
	}
}

// TestQueryWorkIsBounded: the costliest queries one can type ask the
// index for a bounded number of lists and dictionary walks, over all the
// fallbacks a search runs, whatever their length.
func TestQueryWorkIsBounded(t *testing.T) {
	x, err := Open("", access.DefaultLevels, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	docs := []Doc{
		{ID: "a", Kind: "page", Type: "page", URL: "/a", Lang: "sv", Audience: []string{"public"}, Title: "Semesterlistan", Body: "Semesterlistan för sommaren fylls i före mars."},
		{ID: "b", Kind: "page", Type: "page", URL: "/b", Lang: "sv", Audience: []string{"public"}, Title: "Sjukanmälan", Body: "Ring sjukanmälan före klockan sju."},
	}
	if _, err := x.Sync(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		w := make([]byte, n)
		for i := range w {
			w[i] = byte('a' + r.IntN(26))
		}
		return string(w)
	}
	many := func(n, k int) string {
		var ws []string
		for i := 0; i < k; i++ {
			ws = append(ws, word(n))
		}
		return strings.Join(ws, " ")
	}
	cost := func(q string) (leaves, int) {
		t.Helper()
		req := Request{Query: q, Viewer: access.Viewer{}, Now: time.Now()}
		if err := req.Validate(); err != nil {
			t.Fatal(err)
		}
		pl, err := x.newPlan(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		defer pl.close()
		if _, err := x.run(ctx, req, pl); err != nil {
			t.Fatal(err)
		}
		var n leaves
		for _, q := range pl.ran {
			countLeaves(q, &n)
		}
		return n, pl.walks
	}
	typical, _ := cost("semesterlistan sommaren")
	for name, q := range map[string]string{
		"20 unknown 9-letter words":  many(9, 20),
		"20 known and unknown words": strings.Repeat("semesterlistan "+word(9)+" ", 10)[:199],
		"66 two-letter words":        many(2, 66),
		"one 200-letter word":        word(200),
		"quoted phrases":             `"` + many(5, 10) + `" "` + many(5, 10) + `"`,
	} {
		n, walks := cost(q)
		t.Logf("%s: %d lists, %d fuzzy terms, %d dictionary walks (typical: %d lists)", name, n.lists, n.fuzzy, walks, typical.lists)
		if n.fuzzy+walks > maxTypoWords {
			t.Errorf("%s: %d fuzzy terms and %d dictionary walks; at most %d words are forgiven typos", name, n.fuzzy, walks, maxTypoWords)
		}
		// Three passes, the last two over all but one of the words that
		// count, each word as many lists as in the typical query of two.
		if budget := 3 * MaxWords * MaxWords * typical.lists / 2; n.lists > budget {
			t.Errorf("%s: %d lists to walk; the rules allow %d", name, n.lists, budget)
		}
	}
}
