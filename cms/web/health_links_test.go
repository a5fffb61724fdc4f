package web

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/report"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/themes"
)

// Links to internal addresses on public, restricted and scheduled pages are
// all checked — that is, refused without a request — and each is reported
// as not checked, to those who may see its page only.
func TestHealthReportShowsInternalLinksAsNotChecked(t *testing.T) {
	var asked atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { asked.Add(1) }))
	defer inside.Close()
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	open, staff, coming := inside.URL+"/admin", "http://localhost:"+port+"/personal", "http://localhost:"+port+"/kommande"
	page := func(front, link string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("---\n" + front + "\n---\n[länk](" + link + ")\n")}
	}
	src := content.NewDirSource("test", fstest.MapFS{
		"_index.md":   {Data: []byte("---\ntitle: Hem\naudience: public\n---\n")},
		"oppen.md":    page("title: Öppen\naudience: public", open),
		"personal.md": page("title: Personal\naudience: [employee]", staff),
		"kommande.md": page("title: Kommande\naudience: public\npublish_at: 2027-01-07 08:00", coming),
	}, "", false)
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(), src)
	st, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Sorted(maps.Keys(st.ExternalLinks()))
	if len(all) != 3 {
		t.Fatalf("external links %v", all)
	}
	lc := &health.LinkChecker{Clock: clk, Pause: 1}
	lc.Round(context.Background(), all)
	if n := asked.Load(); n != 0 {
		t.Fatalf("the server on loopback got %d requests", n)
	}
	if n := len(lc.Results(all)); n != 3 {
		t.Fatalf("%d of 3 links checked", n)
	}
	srv, err := New(withStore(storetest.SQLite(t), Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Links: lc, Viewer: func(c *fiber.Ctx) access.Viewer { return reporters[c.Get("X-Test-As")] }}))
	if err != nil {
		t.Fatal(err)
	}
	get := func(who, target string) string {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("X-Test-As", who)
		res, err := srv.App().Test(r, -1)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s as %s: %v %v", target, who, res.StatusCode, err)
		}
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	reported := func(who string) []string {
		var r report.Report
		if err := json.Unmarshal([]byte(get(who, "/api/v1/admin/health")), &r); err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, row := range r.ExternalLinks {
			if !row.Internal || row.Broken() || row.Error != "" {
				t.Errorf("%s: %+v, want not checked as internal", row.URL, row.LinkResult)
			}
			urls = append(urls, row.URL)
		}
		return urls
	}
	if got := reported("klara"); !slices.Equal(got, []string{open, staff}) {
		t.Errorf("Klara's report: %v, want %v", got, []string{open, staff})
	}
	if got := reported("kim"); !slices.Equal(got, []string{open}) {
		t.Errorf("Kim's report: %v, want only %v", got, open)
	}
	html := get("klara", "/redaktion/halsa")
	if !strings.Contains(html, "Inte kontrollerad: intern adress") || strings.Contains(html, "/kommande") {
		t.Errorf("report page:\n%s", html)
	}
}
