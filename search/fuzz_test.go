package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

// FuzzSearchQuery sends queries of every shape — quotes, dashes, operators
// bleve's own syntax would read, odd letters — to the demo index: no panic,
// either a clear refusal or hits, and never a hit the viewer may not see.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{`boka pass`, `"boka pass`, `e-portal`, `+lön -semester`, `title:x^5 AND (a OR b)`, `lönespecifikationer*`, `~2 ~ ""`, `ÅÄÖ åäö æøå`, `\u0000`, `a"b"c"d`} {
		f.Add(q, "", "")
	}
	x := demoIndex(f)
	public := map[string]bool{}
	for _, d := range demoDocs(f) {
		if slices.Contains(d.Audience, "public") && len(d.Zones) == 0 && d.MinAuth == "" {
			public[d.ID] = true
		}
	}
	anon := access.Viewer{}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, q, cursor, lang string) {
		for _, v := range []access.Viewer{anon, everyone} {
			res, err := x.Search(context.Background(), search.Request{Query: q, Viewer: v, Now: now, Cursor: cursor, Lang: lang, Synonyms: map[string][]string{"lön": {"lönespecifikation"}}})
			if err != nil {
				if !errors.Is(err, search.ErrBadQuery) {
					t.Fatalf("%q: %v", q, err)
				}
				continue
			}
			if v.Subject == "" && res.Total > 0 {
				for _, h := range res.Hits {
					if !public[h.ID] {
						t.Fatalf("%q shows %s to an anonymous visitor", q, h.URL)
					}
				}
			}
		}
		x.Suggest(context.Background(), q, anon, now, 5)
	})
}
