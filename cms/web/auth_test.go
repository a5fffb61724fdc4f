package web

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/auth/demoidp"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// liveSite is the whole of Torg on a real loopback listener with the demo
// provider mounted, the way `torg serve --demo` runs it.
type liveSite struct {
	base  string
	srv   *Server
	clock *clock.Manual
}

func startLiveSite(t *testing.T, db *store.DB, now time.Time) *liveSite {
	t.Helper()
	return startLiveSiteWith(t, db, now, nil)
}

// startLiveSiteWith is startLiveSite with sign-in settings changed by
// settle, which learns the site's address first.
func startLiveSiteWith(t *testing.T, db *store.DB, now time.Time, settle func(base string, s *auth.Settings)) *liveSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	log := quietLog()
	clk := clock.NewManual(now)
	src := content.NewDirSource("content", demo.Files, "", false)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, log, src)
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	acr := map[string]string{}
	for _, l := range demoidp.Levels {
		acr[l.ACR] = l.Name
	}
	zones, _ := auth.ParseZones("office=10.0.0.0/8")
	trusted, _ := auth.ParsePrefixes("127.0.0.1")
	settings := auth.Settings{
		Issuer: base + "/demo-idp", ClientID: "torg", ClientSecret: "s", RedirectURL: base + "/auth/callback",
		Scopes: []string{"openid", "profile", "email", "groups"}, Roles: auth.RoleMapping{Claim: "groups", Map: demoidp.RoleMap},
		Levels: auth.LevelMapping{Levels: []string{"password", "otp", "eid"}, ACR: acr}, Zones: zones, TrustedProxies: trusted,
		PostLogoutURL: base + "/",
	}
	if settle != nil {
		settle(base, &settings)
	}
	idp, err := demoidp.New(demoidp.Config{Issuer: settings.Issuer, ClientID: "torg", ClientSecret: "s",
		RedirectURIs: []string{settings.RedirectURL}, PostLogoutURIs: []string{settings.PostLogoutURL}})
	if err != nil {
		t.Fatal(err)
	}
	// Sessions are judged by the site's clock; tokens by the real one.
	svc := auth.New(settings, db, clock.System{}, log)
	tileSvc := tiles.NewService(db, clk, log, access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
	tilesYAML, err := fs.ReadFile(demo.Files, "tiles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tileSvc.Seed(context.Background(), tilesYAML); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Sites: b, Clock: clk, Log: log, Theme: themes.Default(), BaseURL: base, DefaultLang: "sv", Auth: svc, DemoIdP: idp, Tiles: tileSvc})
	if err != nil {
		t.Fatal(err)
	}
	go srv.App().Listener(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return &liveSite{base: base, srv: srv, clock: clk}
}

// browser is a cookie-keeping HTTP client that follows redirects and sends
// the X-Forwarded-For a trusted proxy would add.
type browser struct {
	c   *http.Client
	xff string
}

func newBrowser(xff string) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{xff: xff}
	b.c = &http.Client{Jar: jar, Timeout: 10 * time.Second}
	return b
}

func (b *browser) do(t *testing.T, method, u string, form url.Values, follow bool) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if o, err := url.Parse(u); err == nil {
			req.Header.Set("Origin", o.Scheme+"://"+o.Host)
		}
	}
	if b.xff != "" {
		req.Header.Set("X-Forwarded-For", b.xff)
	}
	c := *b.c
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res, string(data)
}

// signIn goes from a protected page through the demo provider and back.
func (b *browser) signIn(t *testing.T, site *liveSite, person, level, page string) {
	t.Helper()
	res, body := b.do(t, "GET", site.base+page, nil, true)
	loginURL := res.Request.URL
	id := loginURL.Query().Get("authRequestID")
	if id == "" || !strings.Contains(body, "Demoinloggning") {
		t.Fatalf("expected the demo sign-in page, got %s (%d)", loginURL, res.StatusCode)
	}
	res, _ = b.do(t, "POST", site.base+"/demo-idp/login", url.Values{"authRequestID": {id}, "person": {person}, "level": {level}}, true)
	want := strings.SplitN(page, "?", 2)[0]
	if pu, _ := url.Parse(page); pu.Path == "/auth/login" {
		want = pu.Query().Get("return")
	}
	if res.Request.URL.Path != want {
		t.Fatalf("after signing in, landed on %s, want %s", res.Request.URL, want)
	}
}

type route struct {
	path    string
	public  bool
	hidden  bool // scheduled out of sight for everyone
	roles   []string
	minAuth string
	zones   []string
	marker  string // text only this page (or its listing entry) shows
}

var matrixRoutes = []route{
	{path: "/", public: true},
	{path: "/inloggning/logga-in", public: true},
	{path: "/kontakt/lonesupport", public: true},
	{path: "/jobb/timvikarier-skola", public: true},
	{path: "/kontakt/bemanningscentrum", roles: []string{"substitute", "manager", "employee"}, marker: "Bokningar, avbokningar och sjukanmälan för timvikarier."},
	{path: "/kontakt/hr-direkt", roles: []string{"employee", "manager"}, marker: "Frågor om anställning, avtal, ledighet och pension."},
	{path: "/vikarie", roles: []string{"substitute", "manager"}, marker: "För dig som är timvikarie – boka pass"},
	{path: "/vikarie/boka-pass", roles: []string{"substitute", "manager"}, marker: "Så hittar och bokar du lediga pass i Passportalen."},
	{path: "/fragor/vanliga-fragor", marker: "Lön, schema, ledighet, utrustning och annat"},
	{path: "/personal/distansarbete", roles: []string{"employee", "manager"}, marker: "När du kan arbeta hemifrån och vad som gäller"},
	{path: "/personal/chefsstod", roles: []string{"manager"}, marker: "Rutiner för bemanning, rehabilitering och lönesättning."},
	{path: "/personal/publicera", roles: []string{"communicator", "publisher", "admin"}, marker: "Riktlinjer för dig som skriver nyheter och jobbannonser."},
	{path: "/personal/inloggningsadministration", roles: []string{"admin"}, minAuth: "eid", zones: []string{"office"}, marker: "Roller, grupper och nivåer för inloggning"},
	{path: "/nyheter/lonesystemet-uppgraderas", roles: []string{"employee", "substitute", "manager"}, marker: "Mellan 08 och 14 går det inte att logga in i Lönewebben."},
	{path: "/jobb/lonehandlaggare", roles: []string{"employee", "substitute", "manager"}, marker: "Vikariat i ett år med möjlighet till förlängning."},
	{path: "/nyheter/nya-ob-tillagg-2027", hidden: true, marker: "Tilläggen för kvällar och helger höjs enligt det nya avtalet."},
}

type persona struct {
	person string // "" = anonymous
	roles  []string
}

var personas = []persona{
	{"", nil},
	{"sara", []string{"substitute"}},
	{"erik", []string{"employee"}},
	{"klara", []string{"communicator", "employee"}},
	{"anna", []string{"admin", "employee"}},
}

// expected is the access rule as the README states it, written out apart
// from the code that implements it.
func expected(r route, p persona, level, zone string, api bool) int {
	signIn := http.StatusSeeOther
	if api {
		signIn = http.StatusUnauthorized
	}
	switch {
	case r.hidden && p.person == "":
		return signIn
	case r.hidden:
		return http.StatusNotFound
	case r.public:
		return http.StatusOK
	case p.person == "":
		return signIn
	case len(r.roles) > 0 && !slices.ContainsFunc(p.roles, func(x string) bool { return slices.Contains(r.roles, x) }):
		return http.StatusNotFound
	case len(r.zones) > 0 && !slices.Contains(r.zones, zone):
		return http.StatusNotFound
	case r.minAuth != "" && slices.Index(access.DefaultLevels, level) < slices.Index(access.DefaultLevels, r.minAuth):
		return http.StatusForbidden
	}
	return http.StatusOK
}

// TestAccessMatrix asks every route as every persona, at two sign-in
// levels, from the office and from outside, and checks the status and that
// no page the persona may not see shows up in any answer.
func TestAccessMatrix(t *testing.T) {
	db := storetest.SQLite(t)
	live := startLiveSite(t, db, monday10)
	zones := map[string]string{"office": "10.0.0.5", "outside": "203.0.113.9"}
	requests := 0
	for _, p := range personas {
		levels := []string{"password", "eid"}
		if p.person == "" {
			levels = []string{""}
		}
		for _, level := range levels {
			for zone, ip := range zones {
				b := newBrowser(ip)
				if p.person != "" {
					b.signIn(t, live, p.person, level, "/auth/login?return=/")
				}
				var invisible []route
				for _, r := range matrixRoutes {
					if expected(r, p, level, zone, false) != http.StatusOK && r.marker != "" {
						invisible = append(invisible, r)
					}
				}
				check := func(u string, want int, body string, got int) {
					t.Helper()
					requests++
					if got != want {
						t.Errorf("%s as %q (%s, %s): %d, want %d", u, p.person, level, zone, got, want)
					}
					for _, r := range invisible {
						if strings.Contains(body, r.marker) {
							t.Errorf("%s as %q (%s, %s) leaks %s", u, p.person, level, zone, r.path)
						}
					}
				}
				for _, r := range matrixRoutes {
					res, body := b.do(t, "GET", live.base+r.path, nil, false)
					check(r.path, expected(r, p, level, zone, false), body, res.StatusCode)
					apiPath := "/api/v1/pages" + r.path
					if r.path == "/" {
						apiPath = "/api/v1/pages/"
					}
					res, body = b.do(t, "GET", live.base+apiPath, nil, false)
					check(apiPath, expected(r, p, level, zone, true), body, res.StatusCode)
				}
				for _, u := range []string{"/api/v1/pages?limit=100", "/api/v1/news?limit=100", "/api/v1/jobs", "/api/v1/contacts", "/api/v1/sections", "/nyheter", "/jobb", "/kontakt", "/personal", "/fragor"} {
					res, body := b.do(t, "GET", live.base+u, nil, false)
					want := http.StatusOK
					if res.StatusCode != http.StatusOK && (u == "/personal" || u == "/fragor") {
						want = res.StatusCode // sections without an _index rule follow their pages
					}
					check(u, want, body, res.StatusCode)
				}
			}
		}
	}
	t.Logf("%d requests: %d addresses × (anonymous + %d people × 2 levels) × 2 zones", requests, len(matrixRoutes)*2+10, len(personas)-1)
}

func TestSignInThroughTheDemoProviderAndOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		live := startLiveSite(t, db, monday10)
		b := newBrowser("")
		// Asked for a protected page, an anonymous browser goes to sign in and comes back to it.
		b.signIn(t, live, "sara", "password", "/vikarie/boka-pass")
		res, body := b.do(t, "GET", live.base+"/api/v1/me", nil, false)
		if res.StatusCode != 200 || !strings.Contains(body, `"subject":"sara"`) || !strings.Contains(body, `"roles":["substitute"]`) || !strings.Contains(body, `"level":"password"`) {
			t.Fatalf("me: %d %s", res.StatusCode, body)
		}
		res, body = b.do(t, "GET", live.base+"/vikarie/boka-pass", nil, false)
		if res.StatusCode != 200 || !strings.Contains(body, "Sara Lind") || !strings.Contains(body, `data-idle-seconds="900"`) || !strings.Contains(body, "session.js") {
			t.Fatalf("signed-in page: %d", res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Fatalf("a personal page must not be cached by proxies: %q", cc)
		}
		var cookie *http.Cookie
		u, _ := url.Parse(live.base)
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "torg_session" {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatal("no session cookie")
		}
		// Sign-out from another site is refused.
		req, _ := http.NewRequest("POST", live.base+"/auth/logout", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.AddCookie(cookie)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 403 {
			t.Fatalf("cross-site sign-out: %v %v", res.StatusCode, err)
		}
		res, _ = b.do(t, "POST", live.base+"/auth/logout", url.Values{}, false)
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), live.base+"/demo-idp/end_session?") {
			t.Fatalf("sign-out: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = b.do(t, "GET", live.base+"/api/v1/me", nil, false)
		if res.StatusCode != 401 {
			t.Fatalf("after sign-out: %d", res.StatusCode)
		}
		// The old cookie is dead on the server, not only in this browser.
		req, _ = http.NewRequest("GET", live.base+"/api/v1/me", nil)
		req.AddCookie(cookie)
		if res, _ := http.DefaultClient.Do(req); res.StatusCode != 401 {
			t.Fatalf("old cookie after sign-out: %d", res.StatusCode)
		}
	})
}

func TestStepUpPage(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	b := newBrowser("10.0.0.5")
	b.signIn(t, live, "anna", "password", "/auth/login?return=/")
	res, body := b.do(t, "GET", live.base+"/personal/inloggningsadministration", nil, false)
	if res.StatusCode != 403 || !strings.Contains(body, "e-legitimation") || strings.Contains(body, "Administration av inloggning") {
		t.Fatalf("step-up page: %d", res.StatusCode)
	}
	if !strings.Contains(body, `href="/auth/login?return=%2Fpersonal%2Finloggningsadministration&amp;level=eid"`) {
		t.Fatalf("no step-up link in:\n%s", body)
	}
	// Following it asks the provider for e-ID only, and returns to the page.
	res, body = b.do(t, "GET", live.base+"/auth/login?return=%2Fpersonal%2Finloggningsadministration&level=eid", nil, true)
	id := res.Request.URL.Query().Get("authRequestID")
	if strings.Contains(body, `value="password"`) {
		t.Fatal("the provider offered a weaker sign-in than asked for")
	}
	res, body = b.do(t, "POST", live.base+"/demo-idp/login", url.Values{"authRequestID": {id}, "person": {"anna"}, "level": {"eid"}}, true)
	if res.StatusCode != 200 || res.Request.URL.Path != "/personal/inloggningsadministration" || !strings.Contains(body, "Administration av inloggning") {
		t.Fatalf("after step-up: %d %s", res.StatusCode, res.Request.URL)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	for _, ret := range []string{"https://evil.example/", "//evil.example", "/\\evil.example"} {
		b := newBrowser("")
		res, _ := b.do(t, "GET", live.base+"/auth/login?return="+url.QueryEscape(ret), nil, true)
		id := res.Request.URL.Query().Get("authRequestID")
		res, _ = b.do(t, "POST", live.base+"/demo-idp/login", url.Values{"authRequestID": {id}, "person": {"erik"}, "level": {"password"}}, true)
		if res.Request.URL.Host != strings.TrimPrefix(live.base, "http://") || res.Request.URL.Path != "/" {
			t.Errorf("return=%s ended at %s", ret, res.Request.URL)
		}
	}
}

func TestSignInWhenProviderIsDown(t *testing.T) {
	db := storetest.SQLite(t)
	svc := auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb",
		HTTPClient: &http.Client{Timeout: time.Second}}, db, clock.System{}, quietLog())
	f := newFixture(t, monday10, func(d *Deps) { d.Auth = svc })
	res := f.do(t, "GET", "/auth/login?return=/vikarie", nil)
	if res.status != 503 || !strings.Contains(res.body, "Inloggningen fungerar inte just nu") || !strings.Contains(res.body, `href="/inloggning"`) {
		t.Fatalf("%d %s", res.status, res.body)
	}
	// Public pages still serve.
	if res := f.do(t, "GET", "/inloggning/glomt-losenord", nil); res.status != 200 {
		t.Fatalf("public page while the provider is down: %d", res.status)
	}
	res = f.do(t, "GET", "/auth/callback?state=a&code=b", map[string]string{"Cookie": "torg_login=a"})
	if res.status != 400 || !strings.Contains(res.body, "Inloggningen misslyckades") {
		t.Fatalf("callback with unknown state: %d", res.status)
	}
}
