package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/search"
)

// withSearch indexes the fixture's site and the demo tiles, and records
// searches in a SQLite database.
func withSearch(t *testing.T) func(*Deps) {
	return func(d *Deps) {
		data, _ := fs.ReadFile(demo.Files, "tiles.yaml")
		set, err := tiles.ParseYAML(data, tiles.Rules{Levels: access.DefaultLevels})
		if err != nil {
			t.Fatal(err)
		}
		idx, err := search.Open("", access.DefaultLevels, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		if _, err := idx.Sync(context.Background(), indexing.Docs(d.Sites.Current(), set), nil); err != nil {
			t.Fatal(err)
		}
		d.Search, d.Store = idx, storetest.SQLite(t)
		d.SearchSettings = SearchSettings{
			Synonyms: map[string][]string{"lönespec": {"lönespecifikation"}, "en:payslip": {"lönespecifikation"}, "nb:lønnsslipp": {"lönespecifikation"}},
			BestBets: map[string][]string{"lön": {"/go/lonewebben", "/vikarie/lonedatum"}},
		}
	}
}

func TestSearchRoutes(t *testing.T) {
	f := newFixture(t, monday10, withSearch(t))
	long := strings.Repeat("a", 201)
	for _, sc := range []scenario{
		{name: "search api", url: "/api/v1/search?q=gl%C3%B6mt+l%C3%B6senord", status: 200, ctype: jsonType,
			contains: []string{`"url":"/inloggning/glomt-losenord"`, `"facets":{`, `"total":`}, notContains: restricted},
		{name: "without diacritics", url: "/api/v1/search?q=glomt+losenord", status: 200, contains: []string{`"url":"/inloggning/glomt-losenord"`}},
		{name: "faq answer as its own hit", url: "/api/v1/search?q=anv%C3%A4ndarnamn&type=faq", status: 200, contains: []string{`"url":"/inloggning/vanliga-fragor#var-hittar-jag-mitt-anvandarnamn"`}},
		{name: "tile hit", url: "/api/v1/search?q=support", status: 200, contains: []string{`"url":"/go/it-support"`}},
		{name: "a word only a restricted page has", url: "/api/v1/search?q=katalogtj%C3%A4nsten", status: 200, contains: []string{`"total":0`, `"hits":[]`}, notContains: []string{"inloggningsadministration"}},
		{name: "empty query", url: "/api/v1/search?q=", status: 400, ctype: jsonType, contains: []string{`"code":"bad_query"`, "type something"}},
		{name: "long query", url: "/api/v1/search?q=" + long, status: 400, contains: []string{"longer than 200"}},
		{name: "bad sort", url: "/api/v1/search?q=pass&sort=popular", status: 400, contains: []string{"sort must be relevance or date"}},
		{name: "bad limit", url: "/api/v1/search?q=pass&limit=500", status: 400, contains: []string{"limit must be from 1 to 50"}},
		{name: "bad cursor", url: "/api/v1/search?q=pass&cursor=xyz", status: 400, contains: []string{"cursor"}},
		{name: "suggest", url: "/api/v1/search/suggest?q=gl%C3%B6", status: 200, contains: []string{`"title":"Glömt lösenord"`}},
		{name: "suggest without diacritics", url: "/api/v1/search/suggest?q=glo", status: 200, contains: []string{`"title":"Glömt lösenord"`}},
		{name: "suggest hides restricted titles", url: "/api/v1/search/suggest?q=administration", status: 200, notContains: []string{"Administration av inloggning"}},
		{name: "suggest without q", url: "/api/v1/search/suggest", status: 400},
		{name: "search page", url: "/sok?q=l%C3%B6senord", status: 200, ctype: html,
			contains: []string{`<h1>Sökresultat för ”lösenord”</h1>`, `href="/sok/go?q=l%C3%B6senord&amp;u=%2Finloggning%2Fglomt-losenord"`, "<mark>", `aria-label="Avgränsa"`}, notContains: restricted},
		{name: "search page, empty", url: "/sok", status: 200, contains: []string{`<h1>Sök</h1>`}},
		{name: "search page, too long", url: "/sok?q=" + long, status: 400, contains: []string{"högst 200 tecken"}},
		{name: "search box on every page", url: "/inloggning", status: 200, contains: []string{`<form role="search" action="/sok"`, "search.js"}},
		{name: "click goes only to this site", url: "/sok/go?q=x&u=https%3A%2F%2Fevil.example%2F", status: 303, location: "/"},
		{name: "click", url: "/sok/go?q=x&u=%2Finloggning%2Fglomt-losenord", status: 303, location: "/inloggning/glomt-losenord"},
	} {
		sc.run(t, f)
	}
}

func TestBestBetsAndSynonymsFollowAccess(t *testing.T) {
	sub := access.Viewer{Subject: "s", Roles: []string{"substitute"}, Level: "otp"}
	f := newFixture(t, monday10, func(d *Deps) { withSearch(t)(d); signedIn(sub)(d) })
	res := f.do(t, "GET", "/api/v1/search?q=l%C3%B6n", nil)
	var out struct {
		BestBets []struct{ URL string } `json:"best_bets"`
	}
	json.Unmarshal([]byte(res.body), &out)
	if len(out.BestBets) != 2 || out.BestBets[0].URL != "/go/lonewebben" || out.BestBets[1].URL != "/vikarie/lonedatum" {
		t.Fatalf("best bets for a substitute: %s", res.body)
	}
	anon := newFixture(t, monday10, withSearch(t))
	res = anon.do(t, "GET", "/api/v1/search?q=l%C3%B6n", nil)
	if strings.Contains(res.body, "/go/lonewebben") || strings.Contains(res.body, "/vikarie/lonedatum") {
		t.Fatal("best bets must pass the access rule too")
	}
	res = f.do(t, "GET", "/api/v1/search?q=l%C3%B6nespec", nil)
	if !strings.Contains(res.body, `"url":"/personal/lonespecifikation"`) {
		t.Fatalf("the synonym did not find the pay slip page: %s", res.body)
	}
	// Synonyms of one language apply to searches in that language only.
	if res := f.do(t, "GET", "/api/v1/search?q=payslip", map[string]string{"Accept-Language": "en"}); !strings.Contains(res.body, `"url":"/personal/lonespecifikation"`) {
		t.Fatalf("an English synonym for an English reader: %s", res.body)
	}
	if res := f.do(t, "GET", "/api/v1/search?q=payslip", map[string]string{"Accept-Language": "sv"}); strings.Contains(res.body, `"url":"/personal/lonespecifikation"`) {
		t.Fatal("an English synonym applied to a Swedish search")
	}
}

func TestSearchMissesForCommunicators(t *testing.T) {
	var deps *Deps
	f := newFixture(t, monday10, func(d *Deps) { withSearch(t)(d); deps = d })
	for _, q := range []string{"xyzzy", "xyzzy", "pass"} {
		f.do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
	}
	f.do(t, "GET", "/sok?q=gl%C3%B6mt+l%C3%B6senord", nil)
	f.do(t, "GET", "/sok/go?q=gl%C3%B6mt+l%C3%B6senord&u=%2Finloggning%2Fglomt-losenord", nil)
	comm := access.Viewer{Subject: "k", Roles: []string{"communicator"}, Level: "otp"}
	c := newFixture(t, monday10, func(d *Deps) { *d = *deps; signedIn(comm)(d) })
	res := c.do(t, "GET", "/api/v1/admin/search/misses", nil)
	if res.status != 200 || !strings.Contains(res.body, `"zero_hits":[{"query":"xyzzy","searches":2,"zero_hits":2`) ||
		!strings.Contains(res.body, `"no_clicks":[{"query":"pass"`) || strings.Contains(res.body, `"query":"glömt lösenord"`) {
		t.Fatalf("misses: %d %s", res.status, res.body)
	}
	emp := access.Viewer{Subject: "e", Roles: []string{"employee"}, Level: "otp"}
	e := newFixture(t, monday10, func(d *Deps) { *d = *deps; signedIn(emp)(d) })
	if res := e.do(t, "GET", "/api/v1/admin/search/misses", nil); res.status != 403 {
		t.Fatalf("an employee reading misses: %d", res.status)
	}
}
