package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestSignedInAPIAnswersArePrivate asks the API as a signed-in reader and
// as an anonymous one: what a signed-in reader gets never goes to a shared
// cache, and every answer says it differs by cookie and token.
func TestSignedInAPIAnswersArePrivate(t *testing.T) {
	erik := access.Viewer{Subject: "erik", Roles: []string{"employee"}, Level: "password"}
	outside := access.Viewer{Zones: []string{"office"}}
	f := newFixture(t, monday10, func(d *Deps) {
		withSearch(t)(d)
		d.Viewer = func(c *fiber.Ctx) access.Viewer {
			switch c.Get("X-Test-As") {
			case "erik":
				return erik
			case "office":
				return outside
			}
			return access.Anonymous
		}
	})
	paths := []string{"/api/v1/pages", "/api/v1/pages/", "/api/v1/pages/personal/distansarbete", "/api/v1/sections",
		"/api/v1/news", "/api/v1/jobs", "/api/v1/contacts", "/api/v1/search?q=l%C3%B6n", "/api/v1/search/suggest?q=l%C3%B6"}
	varies := func(res response) bool {
		v := strings.Join(res.header.Values("Vary"), ",")
		return strings.Contains(v, "Cookie") && strings.Contains(v, "Authorization")
	}
	for _, p := range paths {
		for _, who := range []string{"erik", "office"} {
			res := f.do(t, "GET", p, map[string]string{"X-Test-As": who})
			cc := res.header.Get("Cache-Control")
			if (res.status != 200 && who == "erik") || strings.Contains(cc, "public") || !(strings.HasPrefix(cc, "private") || strings.Contains(cc, "no-store")) || !varies(res) {
				t.Errorf("GET %s as %s: %d, Cache-Control %q, Vary %q", p, who, res.status, cc, res.header.Values("Vary"))
			}
			if etag := res.header.Get("ETag"); etag != "" {
				again := f.do(t, "GET", p, map[string]string{"X-Test-As": who, "If-None-Match": etag})
				if cc := again.header.Get("Cache-Control"); again.status != 304 || !strings.HasPrefix(cc, "private") || !varies(again) {
					t.Errorf("GET %s as %s, unchanged: %d, Cache-Control %q", p, who, again.status, cc)
				}
			}
		}
		if res := f.do(t, "GET", p, nil); res.status >= 500 || !varies(res) {
			t.Errorf("GET %s anonymously: %d, Vary %q", p, res.status, res.header.Values("Vary"))
		}
	}
}

// TestAPIPathCaseDoesNotSkipTheBearerCheck signs in as an admin, then asks
// the admin API under other spellings of /api/ with the session cookie and
// a bearer token that is no good: each must answer as /api/v1/ does or not
// at all, never with data, and a write must not slip past the Origin check.
func TestAPIPathCaseDoesNotSkipTheBearerCheck(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	b := newBrowser("")
	b.signIn(t, live, "anna", "password", "/auth/login?return=/")
	u, _ := url.Parse(live.base)
	var cookie string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == live.srv.Auth.CookieName() {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie after signing in")
	}
	// With the cookie alone the admin reads the tiles: the data to look for.
	res := rawRequest(t, live.base, "GET", "/api/v1/admin/tiles", "", "Cookie: "+cookie)
	var tiles struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tiles); err != nil || res.StatusCode != 200 || len(tiles.Items) == 0 {
		t.Fatalf("the admin's own tile list: %d %v", res.StatusCode, err)
	}
	marker := `"` + tiles.Items[0].ID + `"`
	// A whole tile, as the admin could save it: only the path and the
	// missing Origin keep it out.
	res = rawRequest(t, live.base, "GET", "/api/v1/admin/tiles/"+tiles.Items[0].ID, "", "Cookie: "+cookie)
	var tile map[string]any
	if err := json.NewDecoder(res.Body).Decode(&tile); err != nil || res.StatusCode != 200 {
		t.Fatalf("a tile: %d %v", res.StatusCode, err)
	}
	tile["id"] = "smuggled"
	data, _ := json.Marshal(tile)
	smuggled := string(data)
	bearer := "Authorization: Bearer not-a-token"
	want := rawRequest(t, live.base, "GET", "/api/v1/admin/tiles", "", "Cookie: "+cookie, bearer).StatusCode
	if want != 401 {
		t.Fatalf("a bad bearer token on /api/v1/: %d, want 401", want)
	}
	for _, p := range []string{"/API/v1/admin/tiles", "/Api/v1/admin/tiles", "/api/V1/admin/tiles", "/api//v1/admin/tiles", "/%61pi/v1/admin/tiles", "/api/v1/ADMIN/tiles"} {
		for _, h := range [][]string{{"Cookie: " + cookie, bearer}, {bearer}, nil} {
			res := rawRequest(t, live.base, "GET", p, "", h...)
			// Not the API: a page that does not exist, which for a reader
			// who is not signed in is a way to sign in.
			signIn := res.StatusCode == 303 && strings.HasPrefix(res.Header.Get("Location"), "/auth/login") && len(h) < 2
			if (res.StatusCode != want && res.StatusCode != 404 && !signIn) || strings.Contains(readAll(res), marker) {
				t.Errorf("GET %s with %q: %d %s, want %d or 404, and no tiles", p, h, res.StatusCode, res.Header.Get("Location"), want)
			}
		}
		res := rawRequest(t, live.base, "POST", p, smuggled, "Cookie: "+cookie, bearer, "Content-Type: application/json")
		if res.StatusCode < 400 {
			t.Errorf("POST %s with the cookie and a bad bearer token: %d", p, res.StatusCode)
		}
	}
	res = rawRequest(t, live.base, "GET", "/api/v1/admin/tiles/smuggled", "", "Cookie: "+cookie)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a tile was written past the Origin check: %d", res.StatusCode)
	}
}

// TestReadyzTellsCountsOnlyToOperators: a load balancer learns that the
// instance is ready; how many pages (restricted ones too) only this
// machine or the bearer of the metrics token learns.
func TestReadyzTellsCountsOnlyToOperators(t *testing.T) {
	var body map[string]any
	read := func(res response) map[string]any {
		t.Helper()
		body = nil
		if err := json.Unmarshal([]byte(res.body), &body); err != nil || res.status != 200 || body["status"] != "ready" {
			t.Fatalf("readyz: %d %s", res.status, res.body)
		}
		return body
	}
	f := newFixture(t, monday10, nil)
	// app.Test comes from 0.0.0.0, not this machine.
	if b := read(f.do(t, "GET", "/readyz", nil)); len(b) != 1 {
		t.Errorf("readyz from elsewhere says %v", b)
	}
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	res := rawRequest(t, live.base, "GET", "/readyz", "")
	if b := read(response{res.StatusCode, res.Header, readAll(res)}); b["pages"] == nil {
		t.Errorf("readyz from this machine lacks the counts: %v", b)
	}
	res = rawRequest(t, live.base, "GET", "/readyz", "", "X-Forwarded-For: 203.0.113.7")
	if b := read(response{res.StatusCode, res.Header, readAll(res)}); len(b) != 1 {
		t.Errorf("readyz from 203.0.113.7 through the proxy says %v", b)
	}
	g := newFixture(t, monday10, func(d *Deps) { d.MetricsToken = "mätartoken" })
	if b := read(g.do(t, "GET", "/readyz", map[string]string{"Authorization": "Bearer mätartoken"})); b["pages"] == nil {
		t.Errorf("readyz with the metrics token lacks the counts: %v", b)
	}
	if b := read(g.do(t, "GET", "/readyz", map[string]string{"Authorization": "Bearer wrong"})); len(b) != 1 {
		t.Errorf("readyz with a wrong token says %v", b)
	}
}

func readAll(res *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
