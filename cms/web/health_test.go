package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/report"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	demo "github.com/torg-cms/torg/content"
)

// reporters are the viewers of the dashboard and report tests: Klara may
// read the staff pages, Kim is a communicator who may not.
var reporters = map[string]access.Viewer{
	"klara": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid"},
	"kim":   {Subject: "kim", Roles: []string{"communicator"}, Level: "eid"},
	"erik":  {Subject: "erik", Roles: []string{"employee"}, Level: "password"},
}

// newReportSite serves the demo with feedback and a link checker whose
// requests, whatever the host, reach a local server that knows only /ok.
func newReportSite(t *testing.T, db *store.DB) *fbSite {
	t.Helper()
	old := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(old.Close)
	// Only the name lookup is replaced: the request itself is real HTTP.
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, old.Listener.Addr().String())
	}
	st, err := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clock.NewManual(monday10), quietLog(), content.NewDirSource("content", demo.Files, "", false)).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for u := range st.ExternalLinks() {
		links = append(links, u)
	}
	return newFeedbackSite(t, db, func(d *Deps) {
		tr := old.Client().Transport.(*http.Transport).Clone()
		tr.DialContext, tr.TLSClientConfig.ServerName = dial, "example.com" // a name in the test certificate
		d.Links = &health.LinkChecker{Clock: d.Clock, Pause: time.Millisecond, Client: &http.Client{Transport: tr}}
		d.Links.Round(context.Background(), links)
		d.Feedback = feedback.New(db, d.Clock, quietLog(), 1000, 10*time.Minute)
		d.Viewer = func(c *fiber.Ctx) access.Viewer { return reporters[c.Get("X-Test-As")] }
	})
}

func TestDashboardAndHealthReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReportSite(t, db)
		ctx := context.Background()
		yes, no := true, false
		answer := func(path string, h *bool, comment string) {
			if _, err := f.svc.Submit(ctx, feedback.Answer{Path: path, Section: strings.Split(strings.Trim(path, "/"), "/")[0], Lang: "sv", Helpful: h, Comment: comment, ClientAddress: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		answer("/personal/distansarbete", &yes, "")
		for range 5 {
			answer("/personal/distansarbete", &no, "")
		}
		answer("/personal/distansarbete", &no, evil)
		answer("/inloggning/logga-in", &yes, "Tydligt!")
		answer("/inloggning/logga-in", &yes, "")
		for _, q := range []string{"parkering", "parkering", "lönespec"} {
			db.RecordSearch(ctx, q, "2026-11-20", 100)
		}
		as := func(who string) map[string]string { return map[string]string{"X-Test-As": who} }

		// The figures, as Klara sees them.
		code, _, body := f.req(t, "GET", "/api/v1/admin/feedback/stats", "", as("klara"))
		var stats struct{ Items []feedback.PageStat }
		json.Unmarshal([]byte(body), &stats)
		if code != 200 || len(stats.Items) != 2 {
			t.Fatalf("stats: %d %s", code, body)
		}
		for _, s := range stats.Items {
			switch s.Path {
			case "/personal/distansarbete":
				if s.Yes != 1 || s.No != 6 || s.Share != 14 || s.Trend[7] != 7 || s.Title != "Arbeta på distans" {
					t.Errorf("distansarbete: %+v", s)
				}
			case "/inloggning/logga-in":
				if s.Yes != 2 || s.No != 0 || s.Share != 100 {
					t.Errorf("logga-in: %+v", s)
				}
			}
		}

		// The report.
		code, _, body = f.req(t, "GET", "/api/v1/admin/health", "", as("klara"))
		var r report.Report
		if err := json.Unmarshal([]byte(body), &r); code != 200 || err != nil {
			t.Fatalf("report: %d %v %s", code, err, body)
		}
		stale := map[string]report.StaleRow{}
		for _, s := range r.Stale {
			stale[s.Path] = s
		}
		if s, ok := stale["/personal/distansarbete"]; !ok || s.Basis != "reviewed" || s.File != "personal/distansarbete.md" || s.Since.Format(time.DateOnly) != "2024-02-01" {
			t.Errorf("the stale demo page is not reported: %+v", r.Stale)
		}
		if _, ok := stale["/inloggning/logga-in"]; ok {
			t.Error("a page reviewed this year is reported as stale")
		}
		if len(r.LowHelpfulness) != 1 || r.LowHelpfulness[0].Path != "/personal/distansarbete" || r.LowHelpfulness[0].Share != 14 || r.LowHelpfulness[0].Total != 7 {
			t.Errorf("low helpfulness: %+v", r.LowHelpfulness)
		}
		if len(r.ExternalLinks) != 1 || r.ExternalLinks[0].URL != "https://gammal.sjobacka.example/distansarbete" || r.ExternalLinks[0].Status != 404 ||
			len(r.ExternalLinks[0].Pages) != 1 || r.ExternalLinks[0].Pages[0].Path != "/personal/distansarbete" || r.LinksChecked != r.LinksTotal {
			t.Errorf("external links: %+v (%d of %d checked)", r.ExternalLinks, r.LinksChecked, r.LinksTotal)
		}
		if r.LinksOff {
			t.Error("the report says links are not checked, with a link checker in place")
		}
		if len(r.BrokenLinks) != 0 {
			t.Errorf("the demo has no broken local links, got %+v", r.BrokenLinks)
		}
		// This site has no search: every query finds nothing.
		if len(r.SearchZeroHits) != 2 || r.SearchZeroHits[0].Query != "parkering" || r.SearchZeroHits[0].Searches != 2 ||
			len(r.SearchNoClicks) != 0 {
			t.Errorf("searches: %+v / %+v", r.SearchZeroHits, r.SearchNoClicks)
		}

		// Kim may not read the staff pages: nothing about them reaches her.
		_, _, body = f.req(t, "GET", "/api/v1/admin/health", "", as("kim"))
		if strings.Contains(body, "distansarbete") || strings.Contains(body, "Arbeta på distans") {
			t.Errorf("the report shows Kim a page she may not see: %s", body)
		}
		for _, target := range []string{"/api/v1/admin/feedback/stats", "/api/v1/admin/feedback", "/api/v1/admin/feedback.csv", "/redaktion/synpunkter", "/redaktion/halsa"} {
			if _, _, body := f.req(t, "GET", target, "", as("kim")); strings.Contains(body, "distansarbete") {
				t.Errorf("%s shows Kim a page she may not see", target)
			}
		}
		// Erik is no communicator.
		if code, _, _ := f.req(t, "GET", "/api/v1/admin/health", "", as("erik")); code != 403 {
			t.Errorf("an employee gets the report: %d", code)
		}
		if code, _, _ := f.req(t, "GET", "/redaktion/halsa", "", as("erik")); code != 404 {
			t.Errorf("an employee gets the report page: %d", code)
		}

		// The report page links each row to where it is fixed.
		code, _, page := f.req(t, "GET", "/redaktion/halsa", "", as("klara"))
		for _, want := range []string{`<a href="/personal/distansarbete">Arbeta på distans</a>`, "<code>personal/distansarbete.md</code>", "HTTP 404", "https://gammal.sjobacka.example/distansarbete", "parkering"} {
			if code != 200 || !strings.Contains(page, want) {
				t.Errorf("report page (%d) lacks %q", code, want)
			}
		}

		// The dashboard: figures, the comment shown harmlessly, filing it.
		code, _, page = f.req(t, "GET", "/redaktion/synpunkter?section=personal", "", as("klara"))
		if code != 200 || !strings.Contains(page, "14 %") || !strings.Contains(page, "&lt;script&gt;") || strings.Contains(page, "<script>alert") || strings.Contains(page, "Tydligt!") {
			t.Fatalf("dashboard (%d):\n%s", code, page)
		}
		list, _ := db.FeedbackList(ctx, store.FeedbackFilter{OnlyWithComment: true, Section: "personal"}, 0)
		if len(list) != 1 {
			t.Fatalf("comments in personal: %d", len(list))
		}
		id := strconv.FormatInt(list[0].ID, 10)
		form := url.Values{"status": {"handled"}, "note": {"Svarat i telefon"}, "back": {"section=personal"}}.Encode()
		hdr := map[string]string{"X-Test-As": "klara", "Content-Type": "application/x-www-form-urlencoded", "Origin": "http://torg.test"}
		code, loc, _ := f.req(t, "POST", "/redaktion/synpunkter/"+id, form, hdr)
		if code != 303 || !strings.HasPrefix(loc, "/redaktion/synpunkter?section=personal#fb-"+id) {
			t.Fatalf("filing: %d %s", code, loc)
		}
		got, _ := db.FeedbackByID(ctx, list[0].ID)
		if got.Status != "handled" || got.Note != "Svarat i telefon" || got.Comment != evil {
			t.Errorf("after filing: %+v", got)
		}
		hdr["Origin"] = "https://evil.example"
		if code, _, _ := f.req(t, "POST", "/redaktion/synpunkter/"+id, form, hdr); code != 403 {
			t.Errorf("a cross-site form files an answer: %d", code)
		}
		hdr["Origin"], hdr["X-Test-As"] = "http://torg.test", "kim"
		if code, _, _ := f.req(t, "POST", "/redaktion/synpunkter/"+id, form, hdr); code != 404 {
			t.Errorf("Kim files an answer about a page she may not see: %d", code)
		}
		patch := map[string]string{"X-Test-As": "kim", "Content-Type": "application/json"}
		if code, _, _ := f.req(t, "PATCH", "/api/v1/admin/feedback/"+id, `{"status":"archived"}`, patch); code != 404 {
			t.Errorf("Kim files an answer through the API about a page she may not see: %d", code)
		}
		hdr["X-Test-As"] = "klara"
		bad := url.Values{"status": {"deleted"}}.Encode()
		if code, _, body := f.req(t, "POST", "/redaktion/synpunkter/"+id, bad, hdr); code != 400 || !strings.Contains(body, "new, handled or archived") {
			t.Errorf("a bad status: %d %s", code, body)
		}
		if code, _, page := f.req(t, "GET", "/redaktion/synpunkter?from=igår", "", as("klara")); code != 400 || !strings.Contains(page, "2026-11-01") {
			t.Errorf("a bad date: %d", code)
		}
		// The CSV link keeps the filters.
		if !strings.Contains(page, `href="/api/v1/admin/feedback.csv?section=personal"`) {
			t.Error("the CSV link drops the filters")
		}
	})
}
