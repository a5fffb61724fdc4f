package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store/storetest"
)

func (b *browser) send(t *testing.T, method, u, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, sb.String()
}

// Each demo person sees a different, correct set of tiles on the home page.
func TestHomeTilesPerPerson(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	cases := []struct {
		person, level, ip string
		see, notSee       []string
	}{
		{"", "", "", []string{"IT-support", "Byt lösenord"}, []string{"Passportalen", "Lönewebben", "Webbmejl"}},
		{"sara", "password", "203.0.113.9", []string{"Passportalen", "Kräver inloggning med lösenord och engångskod", "Introduktion för vikarier"}, []string{"Webbmejl", "Journalsystemet", "Mitt schema"}},
		{"erik", "eid", "203.0.113.9", []string{"Mitt schema", "Webbmejl", "Lönespecifikation"}, []string{"Passportalen", "Journalsystemet", "Administrationskonsolen"}},
		{"erik", "eid", "10.0.0.5", []string{"Journalsystemet"}, []string{"Administrationskonsolen"}},
		{"anna", "eid", "10.0.0.5", []string{"Administrationskonsolen", "Signeringsportalen", "Journalsystemet"}, []string{"Passportalen"}},
		{"anna", "password", "10.0.0.5", []string{"Kräver inloggning med e-legitimation"}, []string{"Administrationskonsolen"}},
	}
	for _, c := range cases {
		b := newBrowser(c.ip)
		if c.person != "" {
			b.signIn(t, live, c.person, c.level, "/auth/login?return=/")
		}
		_, body := b.do(t, "GET", live.base+"/", nil, false)
		for _, s := range c.see {
			if !strings.Contains(body, s) {
				t.Errorf("%s (%s, %s) should see %q", c.person, c.level, c.ip, s)
			}
		}
		for _, s := range c.notSee {
			if strings.Contains(body, s) {
				t.Errorf("%s (%s, %s) must not see %q", c.person, c.level, c.ip, s)
			}
		}
	}
}

// TestClickThroughGoesOnlyToTheTile: nothing in the request changes where /go/ leads.
func TestClickThroughGoesOnlyToTheTile(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	b := newBrowser("203.0.113.9")
	b.signIn(t, live, "erik", "eid", "/auth/login?return=/")
	for _, u := range []string{
		"/go/larportalen",
		"/go/larportalen?url=https://evil.example/",
		"/go/larportalen?next=%2F%2Fevil.example&redirect=https%3A%2F%2Fevil.example",
		"/go/larportalen#https://evil.example",
	} {
		res, _ := b.send(t, "GET", live.base+u, "", map[string]string{"X-Forwarded-Host": "evil.example", "Referer": "https://evil.example/"})
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://lar.sjobacka.example/" {
			t.Errorf("%s: %d %q", u, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for u, want := range map[string]int{
		"/go/https:%2F%2Fevil.example": 404,
		"/go/larportalen/extra":        404,
		"/go/passportalen":             404, // a substitute's tile
		"/go/finns-inte":               404,
		"/go/administration":           404, // hidden, not locked
	} {
		if res, _ := b.send(t, "GET", live.base+u, "", nil); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", u, res.StatusCode, want)
		}
	}
	// Clicks are counted, for admins.
	a := newBrowser("10.0.0.5")
	a.signIn(t, live, "anna", "eid", "/auth/login?return=/")
	_, body := a.send(t, "GET", live.base+"/api/v1/admin/tiles/clicks", "", nil)
	if !strings.Contains(body, `"tile":"larportalen","day":"2026-11-23","count":4`) {
		t.Errorf("clicks: %s", body)
	}
	if res, _ := b.send(t, "GET", live.base+"/api/v1/admin/tiles/clicks", "", nil); res.StatusCode != 403 {
		t.Errorf("clicks for a non-admin: %d", res.StatusCode)
	}
	// Anonymous: sent to sign in; closed: explained, not a link.
	if res, _ := newBrowser("").send(t, "GET", live.base+"/go/larportalen", "", map[string]string{"Accept": "text/html"}); res.StatusCode != 303 {
		t.Errorf("anonymous click: %d", res.StatusCode)
	}
	live.clock.Set(time.Date(2026, 11, 28, 10, 0, 0, 0, stockholm)) // a Saturday
	res, body := a.send(t, "GET", live.base+"/go/signeringsportalen", "", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Stängd – öppnar måndag 07:00") {
		t.Errorf("closed tile: %d", res.StatusCode)
	}
}

func TestLockedTileLeadsThroughStepUp(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	b := newBrowser("203.0.113.9")
	b.signIn(t, live, "sara", "password", "/auth/login?return=/")
	_, home := b.do(t, "GET", live.base+"/", nil, false)
	step := `href="/auth/login?return=%2Fgo%2Flonewebben&amp;level=otp"`
	if !strings.Contains(home, step) {
		t.Fatalf("no step-up link for the locked tile")
	}
	res, body := b.do(t, "GET", live.base+"/auth/login?return=%2Fgo%2Flonewebben&level=otp", nil, true)
	id := res.Request.URL.Query().Get("authRequestID")
	if strings.Contains(body, `value="password"`) {
		t.Fatal("the provider offered a weaker sign-in")
	}
	// After stepping up, the browser is sent on to the tile's system.
	res, _ = b.send(t, "POST", live.base+"/demo-idp/login", url.Values{"authRequestID": {id}, "person": {"sara"}, "level": {"otp"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	for i := 0; i < 5 && res.StatusCode >= 300 && res.StatusCode < 400; i++ {
		loc := res.Header.Get("Location")
		if strings.HasPrefix(loc, "https://lon.sjobacka.example/") {
			return
		}
		if strings.HasPrefix(loc, "/") {
			loc = live.base + loc
		}
		res, _ = b.send(t, "GET", loc, "", nil)
	}
	t.Fatalf("did not end at the tile's system: %d %s", res.StatusCode, res.Header.Get("Location"))
}

func TestFavoritesFormsAndAPI(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	b := newBrowser("")
	b.signIn(t, live, "erik", "eid", "/auth/login?return=/")
	pin := func(id, action string) int {
		res, _ := b.do(t, "POST", live.base+"/tiles/"+id+"/favorite", url.Values{"action": {action}, "return": {"/"}}, false)
		return res.StatusCode
	}
	for _, p := range [][2]string{{"webbmejl", "pin"}, {"larportalen", "pin"}, {"larportalen", "up"}} {
		if code := pin(p[0], p[1]); code != 303 {
			t.Fatalf("%v: %d", p, code)
		}
	}
	_, body := b.send(t, "GET", live.base+"/api/v1/tiles", "", nil)
	var tl struct {
		Items []struct {
			ID     string `json:"id"`
			Pinned bool   `json:"pinned"`
		} `json:"items"`
	}
	json.Unmarshal([]byte(body), &tl)
	if len(tl.Items) < 3 || tl.Items[0].ID != "larportalen" || tl.Items[1].ID != "webbmejl" || !tl.Items[0].Pinned || tl.Items[2].Pinned {
		t.Fatalf("pinned order: %s", body)
	}
	res, body := b.send(t, "PUT", live.base+"/api/v1/me/favorites", `{"tiles":["mitt-schema","passportalen"]}`, map[string]string{"Origin": live.base})
	if res.StatusCode != 422 || !strings.Contains(body, `"tiles[1]"`) {
		t.Fatalf("pinning a tile erik may not see: %d %s", res.StatusCode, body)
	}
	res, _ = b.send(t, "PUT", live.base+"/api/v1/me/favorites", `{"tiles":["mitt-schema"]}`, map[string]string{"Origin": "https://evil.example"})
	if res.StatusCode != 403 {
		t.Fatalf("cross-site favourites: %d", res.StatusCode)
	}
	res, _ = b.send(t, "PUT", live.base+"/api/v1/me/favorites", `{"tiles":["mitt-schema"]}`, map[string]string{"Origin": live.base})
	if res.StatusCode != 200 {
		t.Fatalf("favourites: %d", res.StatusCode)
	}
	_, home := b.do(t, "GET", live.base+"/", nil, false)
	if i, j := strings.Index(home, "Mina favoriter"), strings.Index(home, "Mitt schema"); i < 0 || j < i {
		t.Fatal("the pinned tile should lead the home page")
	}
}

func TestAdminTileAPI(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	a := newBrowser("10.0.0.5")
	a.signIn(t, live, "anna", "eid", "/auth/login?return=/")
	same := map[string]string{"Origin": live.base}
	res, body := a.send(t, "PUT", live.base+"/api/v1/admin/tiles/larportalen", `{"id":"larportalen","title":{"sv":""},"url":"javascript:alert(1)","category":"saknas","min_auth":"bankid","hours":{"weekly":[{"days":"mån","hours":"8-16"}]}}`, same)
	if res.StatusCode != 422 {
		t.Fatalf("bad tile: %d %s", res.StatusCode, body)
	}
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal([]byte(body), &e)
	for _, f := range []string{"title", "url", "category", "min_auth", "hours"} {
		if e.Error.Fields[f] == "" {
			t.Errorf("no error for %s: %s", f, body)
		}
	}
	_, body = a.send(t, "GET", live.base+"/api/v1/admin/tiles/larportalen", "", nil)
	if !strings.Contains(body, `"url":"https://lar.sjobacka.example/"`) {
		t.Fatalf("a refused change changed the tile: %s", body)
	}
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/admin/tiles", `{"id":"larportalen","title":{"sv":"x"},"url":"https://x.se/","category":"stod"}`, 409},
		{"POST", "/api/v1/admin/tiles", `{"id":"nytt","title":{"sv":"Nytt"},"url":"https://nytt.example/","category":"stod","colour":"red"}`, 400},
		{"PUT", "/api/v1/admin/tiles/finns-inte", `{"id":"finns-inte","title":{"sv":"x"},"url":"https://x.se/","category":"stod"}`, 404},
		{"PUT", "/api/v1/admin/tiles/larportalen", `{"id":"annat","title":{"sv":"x"},"url":"https://x.se/","category":"stod"}`, 422},
		{"POST", "/api/v1/admin/tiles", `{"id":"nytt","title":{"sv":"Nytt"},"url":"https://nytt.example/","category":"stod"}`, 201},
		{"DELETE", "/api/v1/admin/tiles/nytt", ``, 204},
		{"DELETE", "/api/v1/admin/tiles/nytt", ``, 404},
	} {
		if res, body := a.send(t, c.method, live.base+c.path, c.body, same); res.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, res.StatusCode, c.want, body)
		}
	}
	if res, _ := a.send(t, "DELETE", live.base+"/api/v1/admin/tiles/larportalen", "", map[string]string{"Origin": "https://evil.example"}); res.StatusCode != 403 {
		t.Errorf("cross-site delete: %d", res.StatusCode)
	}
	e2 := newBrowser("")
	e2.signIn(t, live, "erik", "eid", "/auth/login?return=/")
	if res, _ := e2.send(t, "DELETE", live.base+"/api/v1/admin/tiles/larportalen", "", same); res.StatusCode != 403 {
		t.Errorf("a non-admin deleting: %d", res.StatusCode)
	}
}

func TestDisruptionNoticeOnTileAndBanner(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	k := newBrowser("")
	k.signIn(t, live, "klara", "eid", "/auth/login?return=/")
	body := `{"text":"Lönesystemet stängt för underhåll 18–20","starts_at":"2026-11-23T09:00:00+01:00","ends_at":"2026-11-23T20:00:00+01:00"}`
	res, out := k.send(t, "POST", live.base+"/api/v1/tiles/lonewebben/notices", body, map[string]string{"Origin": live.base})
	if res.StatusCode != 201 {
		t.Fatalf("notice: %d %s", res.StatusCode, out)
	}
	time.Sleep(10 * time.Millisecond)
	s := newBrowser("")
	s.signIn(t, live, "sara", "otp", "/auth/login?return=/")
	_, home := s.do(t, "GET", live.base+"/", nil, false)
	if !strings.Contains(home, "Driftinformation") || !strings.Contains(home, "Lönewebben: Lönesystemet stängt för underhåll 18–20") || !strings.Contains(home, "Störning") {
		t.Fatal("the notice is not on the banner and the tile")
	}
	e := newBrowser("")
	e.signIn(t, live, "sara", "password", "/auth/login?return=/")
	if res, _ := e.send(t, "POST", live.base+"/api/v1/tiles/lonewebben/notices", body, map[string]string{"Origin": live.base}); res.StatusCode != 403 {
		t.Fatalf("a substitute setting a notice: %d", res.StatusCode)
	}
}

func TestUploadedTileIcon(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	a := newBrowser("10.0.0.5")
	a.signIn(t, live, "anna", "eid", "/auth/login?return=/")
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	for _, c := range []struct {
		ctype, body string
		want        int
	}{
		{"image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, 422},
		{"image/png", "<html><script>alert(1)</script></html>", 422},
		{"image/jpeg", string(png), 422}, // says JPEG, is PNG
		{"image/png", string(make([]byte, 300<<10)), 422},
		{"image/png", string(png), 204},
	} {
		res, body := a.send(t, "PUT", live.base+"/api/v1/admin/tiles/larportalen/icon", c.body, map[string]string{"Origin": live.base, "Content-Type": c.ctype})
		if res.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.ctype, res.StatusCode, c.want, body)
		}
	}
	e := newBrowser("")
	e.signIn(t, live, "erik", "eid", "/auth/login?return=/")
	_, home := e.do(t, "GET", live.base+"/", nil, false)
	if !strings.Contains(home, `<img src="/tiles/larportalen/icon" alt=""`) {
		t.Fatal("the uploaded icon is not on the tile")
	}
	res, _ := e.send(t, "GET", live.base+"/tiles/larportalen/icon", "", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("icon: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := e.send(t, "GET", live.base+"/tiles/administration/icon", "", nil); res.StatusCode != 404 {
		t.Fatalf("icon of a hidden tile: %d", res.StatusCode)
	}
}
