package web

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

// TestEveryRouteSendsTheSecurityHeaders asks every registered route, as
// an anonymous visitor and as an admin, and checks the headers of whatever
// comes back: pages, API answers, redirects and errors alike.
func TestEveryRouteSendsTheSecurityHeaders(t *testing.T) {
	db := storetest.SQLite(t)
	idx, err := search.Open("", access.DefaultLevels, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	admin := access.Viewer{Subject: "anna", Roles: []string{"admin", "communicator", "publisher", "employee"}, Level: "eid"}
	f := newFixture(t, monday10, func(d *Deps) {
		d.BaseURL = "https://intra.sjobacka.test"
		*d = withStore(db, *d)
		d.Search = idx
		d.Publishing = publishing.New(db, d.Clock, quietLog(), content.Options{DefaultLang: "sv"}, d.Sites)
		d.Feedback = feedback.New(db, d.Clock, quietLog(), 5, time.Minute)
		d.Tiles = tiles.NewService(db, d.Clock, quietLog(), access.Policy{}, stockholm, tiles.Rules{})
		d.Viewer = func(c *fiber.Ctx) access.Viewer {
			if c.Get("X-Test-As") == "anna" {
				return admin
			}
			return access.Anonymous
		}
	})
	param := regexp.MustCompile(`:[a-z]+|\*`)
	want := map[string]func(string) bool{
		"Content-Security-Policy": func(v string) bool {
			return strings.Contains(v, "frame-ancestors 'none'") && strings.Contains(v, "default-src") && !strings.Contains(v, "unsafe-inline") && !strings.Contains(v, "unsafe-eval")
		},
		"Strict-Transport-Security": func(v string) bool { return strings.HasPrefix(v, "max-age=") },
		"X-Content-Type-Options":    func(v string) bool { return v == "nosniff" },
		"Referrer-Policy":           func(v string) bool { return v == "strict-origin-when-cross-origin" },
		"X-Frame-Options":           func(v string) bool { return v == "DENY" },
		"Permissions-Policy":        func(v string) bool { return strings.Contains(v, "camera=()") && strings.Contains(v, "geolocation=()") },
	}
	seen := 0
	for _, r := range f.srv.App().GetRoutes(true) {
		target := param.ReplaceAllString(r.Path, "1")
		for _, who := range []string{"", "anna"} {
			req := httptest.NewRequest(r.Method, target, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Test-As", who)
			res, err := f.srv.App().Test(req, -1)
			if err != nil {
				t.Fatalf("%s %s: %v", r.Method, target, err)
			}
			res.Body.Close()
			for name, ok := range want {
				if v := res.Header.Get(name); !ok(v) {
					t.Errorf("%s %s as %q (%d): %s is %q", r.Method, target, who, res.StatusCode, name, v)
				}
			}
			seen++
		}
	}
	if seen < 100 {
		t.Fatalf("only %d requests made; the routes were not all found", seen)
	}
	t.Logf("%d requests, every one with the headers", seen)
}

func TestRateLimitsHoldBackOneAddress(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) { d.Limits = Limits{APIRate: 3} })
	codes := []int{}
	for range 5 {
		codes = append(codes, f.do(t, "GET", "/api/v1/pages", nil).status)
	}
	if codes[2] != 200 || codes[3] != 429 || codes[4] != 429 {
		t.Fatalf("answers %v, want three 200 then 429", codes)
	}
	res := f.do(t, "GET", "/api/v1/pages", nil)
	if !strings.Contains(res.body, "too many requests") || res.header.Get("Retry-After") == "" {
		t.Fatalf("the 429 does not say why or when: %v %q", res.header, res.body)
	}
	if got := f.do(t, "GET", "/vikarie", nil).status; got == 429 {
		t.Fatal("pages share the API's budget")
	}
}
