package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/themes"
)

// TestZoneNotGrantedByForwardedFor serves a page for the office network
// behind a proxy that is itself in the office, and asks for it with the
// X-Forwarded-For forms an outside reader can make the proxy pass on.
func TestZoneNotGrantedByForwardedFor(t *testing.T) {
	files := fstest.MapFS{
		"_index.md": {Data: []byte("---\ntitle: Start\naudience: public\n---\nVälkommen.\n")},
		"kontor.md": {Data: []byte("---\ntitle: Kontoret\naudience: public\nzones: [office]\n---\nDörrkoden är 4711.\n")},
	}
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(), content.NewDirSource("content", files, "", false))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	zones, _ := auth.ParseZones("office=10.0.0.0/8 127.0.0.0/8")
	trusted, _ := auth.ParsePrefixes("127.0.0.1")
	svc := auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "torg", RedirectURL: "http://127.0.0.1:1/auth/callback",
		Zones: zones, TrustedProxies: trusted}, storetest.SQLite(t), clock.System{}, quietLog())
	srv, err := New(Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv", Auth: svc})
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, srv.App())
	get := func(header ...string) (int, string) {
		t.Helper()
		res := rawRequest(t, base, "GET", "/kontor", "", header...)
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	// Someone in the office, through the proxy, reads it.
	if code, body := get("X-Forwarded-For: 10.1.2.3"); code != http.StatusOK || !strings.Contains(body, "Dörrkoden") {
		t.Fatalf("an office reader got %d", code)
	}
	for name, header := range map[string][]string{
		"ip:port":                            {"X-Forwarded-For: 203.0.113.7:4711"},
		"unknown":                            {"X-Forwarded-For: unknown"},
		"bracketed IPv6 with a port":         {"X-Forwarded-For: [2001:db8::7]:4711"},
		"two lines, the client's own first":  {"X-Forwarded-For: 10.1.2.3", "X-Forwarded-For: 203.0.113.7"},
		"a forged office hop before garbage": {"X-Forwarded-For: 10.1.2.3, unknown"},
		"lower-case header name":             {"x-forwarded-for: 10.1.2.3", "x-forwarded-for: 203.0.113.7"},
	} {
		if code, body := get(header...); code == http.StatusOK || strings.Contains(body, "Dörrkoden") {
			t.Errorf("%s: an outside reader got the office page (%d)", name, code)
		}
	}
}
