package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

var viewers = map[string]access.Viewer{
	"anonymous":           {},
	"anonymous in office": {Zones: []string{"office"}},
	"substitute":          {Subject: "s", Roles: []string{"substitute"}, Level: "password"},
	"employee":            {Subject: "e", Roles: []string{"employee"}, Level: "password"},
	"employee e-ID":       {Subject: "e", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}},
	"communicator":        {Subject: "k", Roles: []string{"communicator", "employee"}, Level: "otp"},
	"admin password":      {Subject: "a", Roles: []string{"admin", "employee"}, Level: "password", Zones: []string{"office"}},
	"admin e-ID outside":  {Subject: "a", Roles: []string{"admin", "employee"}, Level: "eid"},
	"admin e-ID office":   {Subject: "a", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}},
}

// TestFilterIsTheAccessRule checks, for every document and viewer and at
// several moments, that the index's filter lets through exactly what the
// access rule allows.
func TestFilterIsTheAccessRule(t *testing.T) {
	docs := demoDocs(t)
	x := demoIndex(t)
	policy := access.Policy{}
	for _, now := range []time.Time{monday10, time.Date(2027, 1, 7, 8, 0, 0, 0, stockholm), time.Date(2026, 3, 1, 12, 0, 0, 0, stockholm)} {
		for name, v := range viewers {
			req := bleve.NewSearchRequestOptions(x.Filter(v, now), 10000, 0, false)
			res, err := x.Bleve().Search(req)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				got[h.ID] = true
			}
			for _, d := range docs {
				rule := access.Rule{Audience: d.Audience, MinAuth: d.MinAuth, Zones: d.Zones, PublishAt: d.PublishAt, ExpireAt: d.ExpireAt}
				want := policy.Decide(v, rule, now) == access.Allow
				if got[d.ID] != want {
					t.Errorf("%s at %v: %s in filter=%v, rule=%v", name, now, d.ID, got[d.ID], want)
				}
			}
		}
	}
}

// A word found only in a restricted page gives a viewer without access
// zero hits, zero count, no suggestion and no facet.
func TestRestrictedWordLeavesNoTrace(t *testing.T) {
	x := demoIndex(t)
	ctx := context.Background()
	// Only the IT admins' page (admin, e-ID, office) holds "katalogtjänsten".
	for name, v := range viewers {
		allowed := name == "admin e-ID office"
		res, err := x.Search(ctx, search.Request{Query: "katalogtjänsten", Viewer: v, Now: monday10})
		if err != nil {
			t.Fatal(err)
		}
		if allowed {
			if res.Total == 0 {
				t.Fatalf("%s should find the admin page", name)
			}
			continue
		}
		if res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("%s: %d hits", name, res.Total)
		}
		for facet, vals := range res.Facets {
			if len(vals) != 0 {
				t.Errorf("%s: facet %s has %v", name, facet, vals)
			}
		}
		sugg, _ := x.Suggest(ctx, "administration av inlog", v, monday10, 8)
		for _, s := range sugg {
			if strings.Contains(s.Title, "Administration av inloggning") {
				t.Errorf("%s is offered the restricted title", name)
			}
		}
		pinned, _ := x.Pinned(ctx, []string{"/personal/inloggningsadministration"}, v, monday10)
		if len(pinned) != 0 {
			t.Errorf("%s gets the restricted page as a best bet", name)
		}
	}
	// Facets and totals count only the visible: a substitute's facets never name the admin's section.
	res, _ := x.Search(ctx, search.Request{Query: "inloggning", Viewer: viewers["substitute"], Now: monday10, Limit: 50})
	for _, h := range res.Hits {
		if strings.Contains(h.URL, "inloggningsadministration") {
			t.Fatal("a hidden page among the hits")
		}
	}
}

// The filter's sets are worked out once per index snapshot: a change of
// audience, a new doc and a removed one count from the next search on.
func TestFilterFollowsChanges(t *testing.T) {
	x, err := search.Open(t.TempDir()+"/search", access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	doc := func(id string, audience ...string) search.Doc {
		return search.Doc{ID: id, Kind: "page", Type: "page", URL: "/" + id, Title: "Semesterlistan " + id, Body: "semesterlistan för sommaren", Lang: "sv", Audience: audience}
	}
	sub := viewers["substitute"]
	found := func(want ...string) {
		t.Helper()
		res, err := x.Search(ctx, search.Request{Query: "semesterlistan", Viewer: sub, Now: monday10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, strings.TrimPrefix(h.URL, "/"))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || res.Total != uint64(len(want)) {
			t.Fatalf("substitute finds %v (total %d), want %v", got, res.Total, want)
		}
	}
	sync := func(docs ...search.Doc) {
		t.Helper()
		if _, err := x.Sync(ctx, docs, nil); err != nil {
			t.Fatal(err)
		}
	}
	sync(doc("a", "substitute"), doc("b", "employee"))
	found("a")
	sync(doc("a", "employee"), doc("b", "substitute"))
	found("b")
	sync(doc("a", "employee"), doc("b", "substitute"), doc("c"))
	found("b", "c")
	sync(doc("c"))
	found("c")
}

// Viewers of several classes search at once while the index changes; no
// one ever sees a page meant for another role (run with -race too).
func TestFilterUnderConcurrentSearches(t *testing.T) {
	x, err := search.Open("", access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	docs := func(gen int) []search.Doc {
		var out []search.Doc
		for i, aud := range []string{"substitute", "employee", "admin"} {
			for j := 0; j < 5; j++ {
				id := fmt.Sprintf("%s-%d-%d", aud, gen, j)
				out = append(out, search.Doc{ID: id, Kind: "page", Type: "page", URL: "/" + id, Title: "Schema " + id, Body: "schema för veckan", Lang: "sv", Audience: []string{aud}, Date: monday10.AddDate(0, 0, i)})
			}
		}
		return out
	}
	if _, err := x.Sync(ctx, docs(0), nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, role := range []string{"substitute", "employee", "admin"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := access.Viewer{Subject: role, Roles: []string{role}, Level: "password"}
			for i := 0; i < 100; i++ {
				res, err := x.Search(ctx, search.Request{Query: "schema", Viewer: v, Now: monday10, Limit: 50})
				if err != nil {
					t.Error(err)
					return
				}
				for _, h := range res.Hits {
					if !strings.HasPrefix(h.URL, "/"+role+"-") {
						t.Errorf("%s sees %s", role, h.URL)
						return
					}
				}
			}
		}()
	}
	for gen := 1; gen <= 5; gen++ {
		if _, err := x.Sync(ctx, docs(gen), nil); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// A word found only in a page hidden from a reader changes nothing the
// reader finds: typos are forgiven, and words being typed completed, as if
// the hidden page did not exist, and suggestions come from the visible.
func TestHiddenWordChangesNothingVisible(t *testing.T) {
	public := search.Doc{ID: "public-page", Title: "Semesterlistan", Body: "Semesterlistan för sommaren fylls i före mars."}
	hidden := search.Doc{ID: "hidden-page", Title: "Lönerevision", Body: "Semesterlistn och semes finns bara här, i lönerevisionen.", Audience: []string{"admin"}}
	build := func(docs ...search.Doc) *search.Index {
		x, err := search.Open("", access.DefaultLevels, quiet())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		for i := range docs {
			docs[i].Kind, docs[i].Type, docs[i].Lang, docs[i].URL = "page", "page", "sv", "/"+docs[i].ID
			if docs[i].Audience == nil {
				docs[i].Audience = []string{"public"}
			}
		}
		if _, err := x.Sync(context.Background(), docs, nil); err != nil {
			t.Fatal(err)
		}
		return x
	}
	with, without := build(public, hidden), build(public)
	ctx := context.Background()
	found := func(x *search.Index, q string, v access.Viewer) string {
		t.Helper()
		res, err := x.Search(ctx, search.Request{Query: q, Viewer: v, Now: monday10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return fmt.Sprintf("%d %v", res.Total, ids)
	}
	suggested := func(x *search.Index, q string, v access.Viewer) string {
		t.Helper()
		s, err := x.Suggest(ctx, q, v, monday10, 8)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(s)
	}
	for _, name := range []string{"anonymous", "substitute", "employee e-ID"} {
		v := viewers[name]
		for _, q := range []string{"semesterlistn", "semesterlistm", "semes", "sommaren semesterlistn", "lönerevision"} {
			if a, b := found(with, q, v), found(without, q, v); a != b {
				t.Errorf("%s searching %q finds %s beside the hidden page, %s without it", name, q, a, b)
			}
		}
		for _, q := range []string{"semes", "semesterlistn", "löne", "lönerev"} {
			if a, b := suggested(with, q, v), suggested(without, q, v); a != b {
				t.Errorf("%s typing %q is offered %s beside the hidden page, %s without it", name, q, a, b)
			}
		}
	}
	if got := found(with, "semesterlistn", viewers["admin e-ID office"]); !strings.Contains(got, "hidden-page") {
		t.Errorf("the admin should find the hidden page: %s", got)
	}
}
