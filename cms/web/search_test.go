package web

import (
	"context"
	"encoding/json"
	"io/fs"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/searchstats"
	"github.com/torg-cms/torg/cms/store"
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
		d.Search = idx
		*d = withStore(storetest.SQLite(t), *d)
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

// asHeader lets each request of a test say who sends it.
func asHeader(people map[string]access.Viewer) func(*Deps) {
	return func(d *Deps) { d.Viewer = func(c *fiber.Ctx) access.Viewer { return people[c.Get("X-Test-As")] } }
}

var searchPeople = map[string]access.Viewer{
	"klara": {Subject: "klara", Roles: []string{"communicator"}, Level: "otp"},
	"erik":  {Subject: "erik", Roles: []string{"employee"}, Level: "otp"},
	"ada":   {Subject: "ada", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}},
	"kim":   {Subject: "kim", Roles: []string{"employee"}, Level: "otp"},
}

// misses reads the search statistics as klara, a communicator.
func misses(t *testing.T, f *fixture) (zero, noClick map[string]store.SearchMiss) {
	t.Helper()
	res := f.do(t, "GET", "/api/v1/admin/search/misses", map[string]string{"X-Test-As": "klara"})
	var out struct{ ZeroHits, NoClicks []store.SearchMiss }
	if err := json.Unmarshal([]byte(strings.NewReplacer(`"zero_hits"`, `"ZeroHits"`, `"no_clicks"`, `"NoClicks"`).Replace(res.body)), &out); res.status != 200 || err != nil {
		t.Fatalf("misses: %d %v %s", res.status, err, res.body)
	}
	zero, noClick = map[string]store.SearchMiss{}, map[string]store.SearchMiss{}
	for _, m := range out.ZeroHits {
		zero[m.Query] = m
	}
	for _, m := range out.NoClicks {
		noClick[m.Query] = m
	}
	return zero, noClick
}

func TestSearchMissesForEditors(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) { withSearch(t)(d); asHeader(searchPeople)(d) })
	as := func(who string) map[string]string { return map[string]string{"X-Test-As": who} }
	for _, who := range []string{"erik", "kim"} {
		f.do(t, "GET", "/sok?q=xyzzy", as(who))
		f.do(t, "GET", "/sok?q=pass", as(who))
	}
	f.do(t, "GET", "/sok?q=gl%C3%B6mt+l%C3%B6senord", as("erik"))
	f.do(t, "GET", "/sok/go?q=gl%C3%B6mt+l%C3%B6senord&u=%2Finloggning%2Fglomt-losenord", as("erik"))
	zero, noClick := misses(t, f)
	if len(zero) != 1 || zero["xyzzy"].Searches != 2 || len(noClick) != 1 || noClick["pass"].Searches != 2 {
		t.Fatalf("zero hits %v, no clicks %v", zero, noClick)
	}
	// What people search for is, to anyone but an editor, a page that does not exist.
	for _, who := range []string{"", "erik"} {
		if res := f.do(t, "GET", "/api/v1/admin/search/misses", as(who)); res.status != 404 || strings.Contains(res.body, "xyzzy") {
			t.Errorf("%q reading the search statistics: %d %s", who, res.status, res.body)
		}
	}
}

// The statistics count readers, not requests: one reader cannot inflate a
// query, nor add queries without end, nor count clicks without searching;
// the API, suggestions and prefetches count nothing.
func TestSearchStatisticsCountReadersNotRequests(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) { withSearch(t)(d); asHeader(searchPeople)(d) })
	for range 5 {
		f.do(t, "GET", "/sok?q=xyzzy", nil)
		f.do(t, "GET", "/sok?q=XYZZY++", nil)
		f.do(t, "GET", "/sok/go?q=xyzzy&u=%2F", nil)
		f.do(t, "GET", "/api/v1/search?q=plugh", nil)
		f.do(t, "GET", "/api/v1/search/suggest?q=plugh", nil)
		f.do(t, "GET", "/sok?q=frobozz", map[string]string{"Sec-Purpose": "prefetch"})
		f.do(t, "GET", "/sok/go?q=zork&u=%2F", nil)
	}
	for i := range 3 * searchstats.MaxQueriesPerReader {
		f.do(t, "GET", "/sok?q=flood"+strconv.Itoa(i), nil)
	}
	zero, noClick := misses(t, f)
	if m := zero["xyzzy"]; m.Searches != 1 || m.Clicks != 1 {
		t.Errorf("five searches and five clicks of one reader count as %d and %d", m.Searches, m.Clicks)
	}
	for _, q := range []string{"plugh", "frobozz", "zork"} {
		if _, ok := zero[q]; ok {
			t.Errorf("%q was counted", q)
		}
	}
	if len(zero)+len(noClick) != searchstats.MaxQueriesPerReader {
		t.Errorf("one reader added %d queries; at most %d count", len(zero)+len(noClick), searchstats.MaxQueriesPerReader)
	}
}

// Whether a query finds anything depends on who asks: the statistics keep
// no such flag, so an editor cannot learn from them what others found.
// Whether a query finds nothing is judged as the editor sees the site.
func TestSearchStatisticsKeepNoFoundFlag(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) { withSearch(t)(d); asHeader(searchPeople)(d) })
	// Only the IT admins' page holds "katalogtjänsten"; ada may see it.
	if res := f.do(t, "GET", "/sok?q=katalogtj%C3%A4nsten", map[string]string{"X-Test-As": "ada"}); !strings.Contains(res.body, "inloggningsadministration") {
		t.Fatalf("the admin should find the admin page: %s", res.body)
	}
	zero, noClick := misses(t, f)
	if _, ok := noClick["katalogtjänsten"]; ok || zero["katalogtjänsten"].Searches != 1 {
		t.Errorf("the communicator learns what the admin found: zero hits %v, no clicks %v", zero, noClick)
	}
}

// A query of more words than count is searched for the first ones, and
// the page and the API name the words left out.
func TestLongQueryNamesIgnoredWords(t *testing.T) {
	f := newFixture(t, monday10, withSearch(t))
	q := "jag har glömt mitt lösenord och kontot är låst sedan semestern, hjälp mig med support via telefon eller mejl"
	res := f.do(t, "GET", "/sok?q="+strings.ReplaceAll(q, " ", "+"), nil)
	if res.status != 200 || !strings.Contains(res.body, "Bara de första 8 orden söks. Utelämnade: telefon mejl") {
		t.Fatalf("search page: %d %s", res.status, res.body)
	}
	res = f.do(t, "GET", "/api/v1/search?q="+strings.ReplaceAll(q, " ", "+"), nil)
	if !strings.Contains(res.body, `"ignored":["telefon","mejl"]`) {
		t.Fatalf("api: %s", res.body)
	}
}
