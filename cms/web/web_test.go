package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

// monday10 is a Monday morning, when the demo's offices are open.
var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, stockholm)

type fixture struct {
	srv   *Server
	clock *clock.Manual
}

func newFixture(t testing.TB, now time.Time, mod func(*Deps)) *fixture {
	t.Helper()
	clk := clock.NewManual(now)
	log := quietLog()
	src := content.NewDirSource("content", demo.Files, "", false)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, log, src)
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := Deps{Sites: b, Clock: clk, Log: log, Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv", Version: "test"}
	if mod != nil {
		mod(&d)
	}
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, clock: clk}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, method, target string, header map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(body)}
}

// scenario is one request and what its answer must and must not hold.
type scenario struct {
	name        string
	method      string
	url         string
	header      map[string]string
	status      int
	ctype       string
	location    string
	contains    []string
	notContains []string
}

func (sc scenario) run(t *testing.T, f *fixture) {
	t.Run(sc.name, func(t *testing.T) {
		m := sc.method
		if m == "" {
			m = http.MethodGet
		}
		res := f.do(t, m, sc.url, sc.header)
		if res.status != sc.status {
			t.Fatalf("%s %s: status %d, want %d\n%s", m, sc.url, res.status, sc.status, res.body)
		}
		if sc.ctype != "" && !strings.HasPrefix(res.header.Get("Content-Type"), sc.ctype) {
			t.Errorf("content type %q, want %q", res.header.Get("Content-Type"), sc.ctype)
		}
		if sc.location != "" && res.header.Get("Location") != sc.location {
			t.Errorf("location %q, want %q", res.header.Get("Location"), sc.location)
		}
		for _, s := range sc.contains {
			if !strings.Contains(res.body, s) {
				t.Errorf("body lacks %q", s)
			}
		}
		for _, s := range sc.notContains {
			if strings.Contains(res.body, s) {
				t.Errorf("body must not contain %q", s)
			}
		}
	})
}

const html = "text/html; charset=utf-8"
const jsonType = "application/json"

// Titles and words of pages an anonymous reader must never learn about.
var restricted = []string{
	"Vikarieportalen", "Boka pass", "Lönewebben stängd", "Introduktionsdag", "Friskvård",
	"Undersköterska", "Förskollärare", "Lönehandläggare", "Systemförvaltare", "Nya OB-tillägg",
	"Bemanningscentrum</a></h2>", "HR-direkt", "Administration av inloggning", "Sommarjobb", "Utkast",
}

func TestRoutesAnonymous(t *testing.T) {
	f := newFixture(t, monday10, nil)
	for _, sc := range []scenario{
		{name: "home", url: "/", status: 200, ctype: html,
			contains:    []string{`<html lang="sv">`, "Sjöbacka kommun – personalportalen", "Ny inloggning med engångskod", "Timvikarier till skola", `href="#main"`, "Hoppa till innehållet", `/static/print.css?v=`},
			notContains: restricted},
		{name: "section", url: "/inloggning", status: 200, ctype: html,
			contains: []string{"<h1>Hjälp att logga in</h1>", "Så loggar du in", "Glömt lösenord", `aria-current="page"`}, notContains: restricted},
		{name: "page", url: "/inloggning/logga-in", status: 200, ctype: html,
			contains: []string{"<h1>Så loggar du in</h1>", `href="/inloggning/engangskod"`, `hreflang="en" href="/en/inloggning/logga-in"`, "Du är här", "Innehåll på sidan", "Senast granskad 15 oktober 2026"}},
		{name: "page in English", url: "/en/inloggning/logga-in", status: 200, ctype: html,
			contains: []string{`<html lang="en">`, "Skip to content", "How to sign in", "Last reviewed 15 October 2026"}},
		{name: "page in bokmål", url: "/nb/inloggning/logga-in", status: 200, contains: []string{`<html lang="nb">`, "Hopp til innholdet"}},
		{name: "page in nynorsk", url: "/nn/inloggning/logga-in", status: 200, contains: []string{`<html lang="nn">`, "Hopp til innhaldet"}},
		{name: "faq", url: "/inloggning/vanliga-fragor", status: 200, ctype: html,
			contains: []string{`<details id="var-hittar-jag-mitt-anvandarnamn">`, "<summary><h2>Var hittar jag mitt användarnamn?</h2></summary>"}},
		{name: "contact list", url: "/kontakt", status: 200, ctype: html,
			contains:    []string{"Lönesupport", "Öppet nu, stänger 12:00", "IT-servicedesk", "Öppet nu, stänger 18:00", "IT-jouren", "Stängt, öppnar 18:00", `href="tel:0313900610"`},
			notContains: restricted},
		{name: "contact", url: "/kontakt/lonesupport", status: 200, ctype: html,
			contains: []string{"Måndag–torsdag", "08:00–16:00 (lunch 12:00–13:00)", "Avvikande öppettider", "23 december 2026"}},
		{name: "news list", url: "/nyheter", status: 200, ctype: html,
			contains: []string{"Ny inloggning med engångskod", "Öppettider över jul"}, notContains: restricted},
		{name: "news item", url: "/nyheter/julstangning", status: 200, ctype: html, contains: []string{`<time datetime="2026-11-02">2 november 2026</time>`}},
		{name: "job list", url: "/jobb", status: 200, ctype: html,
			contains: []string{"Timvikarier till skola", "Sista ansökningsdag: 31 januari 2027"}, notContains: restricted},
		{name: "job", url: "/jobb/timvikarier-skola", status: 200, ctype: html, contains: []string{"Sista ansökningsdag", "Timanställning efter behov"}},
		{name: "restricted section is not found", url: "/vikarie", status: 404, ctype: html, contains: []string{"Sidan finns inte"}, notContains: restricted},
		{name: "restricted page is not found", url: "/vikarie/boka-pass", status: 404, notContains: restricted},
		{name: "future news is not found", url: "/nyheter/nya-ob-tillagg-2027", status: 404, notContains: restricted},
		{name: "expired job is not found", url: "/jobb/systemforvaltare-schema", status: 404, notContains: restricted},
		{name: "attachment of a restricted page", url: "/vikarie/checklista-forsta-passet.pdf", status: 404},
		{name: "unknown page", url: "/finns/inte", status: 404, ctype: html, contains: []string{"Sidan finns inte"}},
		{name: "404 in the reader's language", url: "/finns/inte", header: map[string]string{"Accept-Language": "nb-NO,nb;q=0.9"}, status: 404, contains: []string{`<html lang="nb">`, "Siden finnes ikke"}},
		{name: "404 in the chosen language", url: "/finns/inte", header: map[string]string{"Cookie": "torg_lang=en", "Accept-Language": "sv"}, status: 404, contains: []string{"Page not found"}},
		{name: "alias", url: "/losenord", status: 301, location: "/inloggning/glomt-losenord"},
		{name: "trailing slash", url: "/inloggning/logga-in/", status: 301, location: "/inloggning/logga-in"},
		{name: "language choice", url: "/_lang/en?return=%2Finloggning%2Flogga-in", status: 303, location: "/en/inloggning/logga-in"},
		{name: "language choice for home", url: "/_lang/en?return=%2F", status: 303, location: "/en"},
		{name: "language choice refuses off-site return", url: "/_lang/en?return=%2F%2Fevil.example", status: 303, location: "/en"},
		{name: "unknown language", url: "/_lang/de", status: 404},
		{name: "stylesheet", url: "/static/style.css", status: 200, ctype: "text/css"},
		{name: "missing static file", url: "/static/nope.css", status: 404},
		{name: "static path trick", url: "/static/..%2f..%2fgo.mod", status: 404},
		{name: "healthz", url: "/healthz", status: 200, ctype: jsonType, contains: []string{`"status":"ok"`}},
		{name: "readyz", url: "/readyz", status: 200, ctype: jsonType, contains: []string{`"status":"ready"`}},
		{name: "openapi", url: "/api/openapi.json", status: 200, ctype: jsonType, contains: []string{`"openapi":"3.1.0"`}},
		{name: "api pages", url: "/api/v1/pages", status: 200, ctype: jsonType, contains: []string{`"path":"/inloggning/logga-in"`}, notContains: restricted},
		{name: "api pages by type", url: "/api/v1/pages?type=faq", status: 200, contains: []string{`"type":"faq"`}, notContains: []string{`"type":"page"`}},
		{name: "api pages by lang", url: "/api/v1/pages?lang=en&section=inloggning", status: 200, contains: []string{`"lang":"en"`}, notContains: []string{`"lang":"sv"`}},
		{name: "api pages by tag", url: "/api/v1/pages?tag=L%C3%96SENORD", status: 200, contains: []string{"/inloggning/losenordsregler"}, notContains: []string{"/kontakt/it-jour"}},
		{name: "api bad type", url: "/api/v1/pages?type=blog", status: 400, ctype: jsonType, contains: []string{`"code":"bad_parameter"`, "type must be one of"}},
		{name: "api bad lang", url: "/api/v1/pages?lang=de", status: 400, contains: []string{"lang must be one of"}},
		{name: "api bad limit", url: "/api/v1/pages?limit=1000", status: 400, contains: []string{"limit must be a whole number from 1 to 100"}},
		{name: "api bad cursor", url: "/api/v1/pages?cursor=%21%21", status: 400, contains: []string{"cursor is not one this API gave out"}},
		{name: "api type on a typed list", url: "/api/v1/news?type=job", status: 400, contains: []string{"type cannot be chosen"}},
		{name: "api page", url: "/api/v1/pages/inloggning/logga-in", status: 200, ctype: jsonType,
			contains: []string{`"html":"`, `"markdown":"`, `"toc":[`, `"breadcrumbs":[{"title":"Sjöbacka kommun – personalportalen","path":"/"}`, `"translations":[`, `"url":"http://torg.test/inloggning/logga-in"`}},
		{name: "api home page", url: "/api/v1/pages/", status: 200, contains: []string{`"path":"/"`}},
		{name: "api faq page", url: "/api/v1/pages/inloggning/vanliga-fragor", status: 200, contains: []string{`"faq":[{"id":"var-hittar-jag-mitt-anvandarnamn"`, `"answer_html":"`}},
		{name: "api contact page", url: "/api/v1/pages/kontakt/lonesupport", status: 200, contains: []string{`"opening_hours":{"open":true`, `"status":"Öppet nu, stänger 12:00"`, `"changes_at":"2026-11-23T12:00:00+01:00"`}},
		{name: "api restricted page", url: "/api/v1/pages/vikarie/boka-pass", status: 404, ctype: jsonType, contains: []string{`{"error":{"code":"not_found"`}, notContains: restricted},
		{name: "api sections", url: "/api/v1/sections", status: 200, ctype: jsonType, contains: []string{`"path":"/inloggning"`}, notContains: []string{`"path":"/vikarie"`}},
		{name: "api news", url: "/api/v1/news", status: 200, contains: []string{"/nyheter/ny-inloggning-december"}, notContains: restricted},
		{name: "api jobs", url: "/api/v1/jobs", status: 200, contains: []string{`"apply_by":"2027-01-31T00:00:00+01:00"`}, notContains: restricted},
		{name: "api contacts", url: "/api/v1/contacts", status: 200, contains: []string{`"phone":"031-390 06 10"`}, notContains: []string{"HR-direkt", "Bemanningscentrum"}},
		{name: "api unknown", url: "/api/v1/nope", status: 404, ctype: jsonType, contains: []string{`"code":"not_found"`}},
		{name: "post to a page", method: http.MethodPost, url: "/inloggning", status: 405},
	} {
		sc.run(t, f)
	}
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	f := newFixture(t, monday10, nil)
	for _, u := range []string{"/", "/finns/inte", "/api/v1/pages", "/static/style.css", "/healthz"} {
		res := f.do(t, "GET", u, nil)
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin"} {
			if got := res.header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", u, h, got, want)
			}
		}
		if res.header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request id", u)
		}
	}
}

// signedIn stands in for the sign-in of a later layer: a fixed viewer.
func signedIn(v access.Viewer) func(*Deps) {
	return func(d *Deps) { d.Viewer = func(*fiber.Ctx) access.Viewer { return v } }
}

func TestRoutesSignedIn(t *testing.T) {
	sub := access.Viewer{Subject: "s1", Roles: []string{"substitute", "employee"}, Level: "password"}
	f := newFixture(t, monday10, signedIn(sub))
	for _, sc := range []scenario{
		{name: "substitute portal", url: "/vikarie", status: 200, contains: []string{"<h1>Vikarieportalen</h1>", "Boka pass", "Din första dag"}},
		{name: "page with image and attachment", url: "/vikarie/boka-pass", status: 200, contains: []string{`src="/vikarie/passbokning.svg"`, `href="/vikarie/checklista-forsta-passet.pdf"`, `hreflang="nb"`}},
		{name: "image", url: "/vikarie/passbokning.svg", status: 200, ctype: "image/svg+xml", contains: []string{"<svg"}},
		{name: "attachment", url: "/vikarie/checklista-forsta-passet.pdf", status: 200, ctype: "application/pdf", contains: []string{"%PDF-1.4"}},
		{name: "page for another role", url: "/personal/chefsstod", status: 404, notContains: []string{"Stöd för chefer"}},
		{name: "admin page", url: "/personal/inloggningsadministration", status: 404, notContains: []string{"Administration av inloggning"}},
		{name: "home lists role news", url: "/", status: 200, contains: []string{"Introduktionsdag för nya timvikarier", "Vikarieportalen"}, notContains: []string{"Stöd för chefer", "Nya OB-tillägg"}},
		{name: "api role page", url: "/api/v1/pages/vikarie/lonedatum", status: 200, contains: []string{`"audience":["substitute","manager"]`}},
	} {
		sc.run(t, f)
	}
	if csp := f.do(t, "GET", "/vikarie/passbokning.svg", nil).header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("an SVG must be served sandboxed, CSP = %q", csp)
	}
	admin := access.Viewer{Subject: "a1", Roles: []string{"admin", "employee"}, Level: "password", Zones: []string{"office"}}
	fa := newFixture(t, monday10, signedIn(admin))
	scenario{name: "admin page below its level", url: "/api/v1/pages/personal/inloggningsadministration", status: 403, contains: []string{"step_up_required"}}.run(t, fa)
}

func TestSignInRedirectDoesNotLeak(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) {
		d.SignIn = func(ret string) string { return "/auth/login?return=" + url.QueryEscape(ret) }
	})
	// A restricted page and a page that does not exist answer alike.
	for _, u := range []string{"/vikarie/boka-pass", "/finns/inte"} {
		res := f.do(t, "GET", u, nil)
		if res.status != 303 || res.header.Get("Location") != "/auth/login?return="+url.QueryEscape(u) {
			t.Errorf("%s: %d %q", u, res.status, res.header.Get("Location"))
		}
	}
	// A favicon or image request is not a page: no sign-in detour, which
	// would start a sign-in of its own beside the reader's.
	for _, h := range []map[string]string{{"Accept": "image/avif,image/webp,*/*;q=0.8", "Sec-Fetch-Mode": "no-cors"}, {"Accept": "image/png"}} {
		if res := f.do(t, "GET", "/favicon.ico", h); res.status != 404 {
			t.Errorf("favicon with %v: %d", h, res.status)
		}
	}
	res := f.do(t, "GET", "/api/v1/pages/vikarie/boka-pass", nil)
	if res.status != 401 || !strings.Contains(res.body, `"code":"unauthorized"`) {
		t.Errorf("API: %d %s", res.status, res.body)
	}
	if res := f.do(t, "GET", "/inloggning/logga-in", nil); res.status != 200 {
		t.Errorf("public login help must not need sign-in: %d", res.status)
	}
}

func TestOpeningHoursFollowTheClock(t *testing.T) {
	cases := []struct {
		now  time.Time
		url  string
		want string
	}{
		{time.Date(2026, 11, 23, 12, 30, 0, 0, stockholm), "/kontakt/lonesupport", "Stängt, öppnar 13:00"},
		{time.Date(2026, 11, 27, 15, 30, 0, 0, stockholm), "/kontakt/lonesupport", "Stängt, öppnar måndag 08:00"},
		{time.Date(2026, 11, 23, 23, 0, 0, 0, stockholm), "/kontakt/it-jour", "Öppet nu, stänger i morgon 07:00"},
		{time.Date(2026, 11, 27, 19, 0, 0, 0, stockholm), "/kontakt/it-jour", "Öppet nu, stänger måndag 07:00"},
		{time.Date(2026, 12, 23, 17, 0, 0, 0, stockholm), "/kontakt/lonesupport", "Stängt, öppnar måndag 08:00"},
		{time.Date(2026, 12, 24, 10, 0, 0, 0, stockholm), "/kontakt/lonesupport", "(Jul)"},
	}
	for _, c := range cases {
		f := newFixture(t, c.now, nil)
		res := f.do(t, "GET", c.url, nil)
		if !strings.Contains(res.body, c.want) {
			t.Errorf("%s at %v: want %q", c.url, c.now, c.want)
		}
	}
	// The same moment in English.
	f := newFixture(t, time.Date(2026, 11, 27, 15, 30, 0, 0, stockholm), nil)
	res := f.do(t, "GET", "/api/v1/pages/kontakt/lonesupport", map[string]string{"Accept-Language": "en"})
	if !strings.Contains(res.body, `"open":false`) || !strings.Contains(res.body, `"changes_at":"2026-11-30T08:00:00+01:00"`) {
		t.Errorf("API opening hours: %s", res.body)
	}
}

func TestScheduledNewsAppearsWithoutRestart(t *testing.T) {
	sub := access.Viewer{Subject: "s1", Roles: []string{"substitute"}, Level: "password"}
	f := newFixture(t, time.Date(2027, 1, 7, 7, 59, 0, 0, stockholm), signedIn(sub))
	if res := f.do(t, "GET", "/nyheter/nya-ob-tillagg-2027", nil); res.status != 404 {
		t.Fatalf("before publish_at: %d", res.status)
	}
	f.clock.Set(time.Date(2027, 1, 7, 8, 0, 0, 0, stockholm))
	if res := f.do(t, "GET", "/nyheter/nya-ob-tillagg-2027", nil); res.status != 200 {
		t.Fatalf("at publish_at: %d", res.status)
	}
}

func TestETag(t *testing.T) {
	f := newFixture(t, monday10, nil)
	for _, u := range []string{"/api/v1/pages", "/api/v1/pages/inloggning/logga-in", "/static/style.css"} {
		res := f.do(t, "GET", u, nil)
		tag := res.header.Get("ETag")
		if tag == "" {
			t.Fatalf("%s: no ETag", u)
		}
		again := f.do(t, "GET", u, map[string]string{"If-None-Match": tag})
		if again.status != 304 || again.body != "" {
			t.Fatalf("%s with If-None-Match: %d %q", u, again.status, again.body)
		}
	}
}

func TestPagingWalksEveryItemOnce(t *testing.T) {
	everyone := access.Viewer{Subject: "x", Roles: []string{"employee", "substitute", "manager", "admin", "communicator"}, Level: "eid", Zones: []string{"office"}}
	f := newFixture(t, monday10, signedIn(everyone))
	var all struct {
		Items []struct{ Path string } `json:"items"`
	}
	json.Unmarshal([]byte(f.do(t, "GET", "/api/v1/pages?limit=100", nil).body), &all)
	var walked []string
	cursor := ""
	for i := 0; i < 100; i++ {
		var page struct {
			Items      []struct{ Path string } `json:"items"`
			NextCursor string                  `json:"next_cursor"`
		}
		res := f.do(t, "GET", "/api/v1/pages?limit=7&cursor="+cursor, nil)
		if err := json.Unmarshal([]byte(res.body), &page); err != nil {
			t.Fatal(err, res.body)
		}
		for _, it := range page.Items {
			walked = append(walked, it.Path)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	var want []string
	for _, it := range all.Items {
		want = append(want, it.Path)
	}
	if len(want) < 40 || !slices.Equal(walked, want) {
		t.Fatalf("paged walk (%d) differs from the whole list (%d)", len(walked), len(want))
	}
}

// Every route the app registers is in the OpenAPI document, and every path
// in the document is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	// With sign-in configured, so that its API routes are registered too.
	db := storetest.SQLite(t)
	svc := auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb"}, db, clock.System{}, quietLog())
	tileSvc := tiles.NewService(db, clock.System{}, quietLog(), access.Policy{}, stockholm, tiles.Rules{})
	f := newFixture(t, monday10, func(d *Deps) {
		d.Auth, d.Tiles = svc, tileSvc
		withSearch(t)(d)
		d.Publishing = publishing.New(db, clock.System{}, quietLog(), content.Options{}, d.Sites)
		d.Feedback = feedback.New(db, clock.System{}, quietLog(), 5, time.Minute)
	})
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(f.srv.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	registered := map[string]bool{}
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range f.srv.App().GetRoutes(true) {
		if r.Method == "HEAD" || !(strings.HasPrefix(r.Path, "/api/") || r.Path == "/healthz" || r.Path == "/readyz") || r.Path == "/api/*" {
			continue
		}
		p := strings.Replace(r.Path, "/*", "/{path}", 1)
		p = param.ReplaceAllString(p, "{$1}")
		registered[r.Method+" "+p] = true
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("the OpenAPI document has %s, which is not a route", k)
		}
	}
}

func TestThemeOverride(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "templates", "404.html"), []byte(`{{define "main"}}<h1>Egen 404</h1>{{end}}`), 0o644)
	theme, err := themes.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, monday10, func(d *Deps) { d.Theme = theme })
	if res := f.do(t, "GET", "/finns/inte", nil); !strings.Contains(res.body, "Egen 404") {
		t.Fatalf("the override was not used: %s", res.body)
	}
	if res := f.do(t, "GET", "/", nil); res.status != 200 || !strings.Contains(res.body, "Senaste nyheterna") {
		t.Fatalf("the default templates should still serve: %d", res.status)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
