package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/store/storetest"
)

func TestMetricsCountRequestsAndFeedback(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, monday10, func(d *Deps) {
		d.MetricsToken = "mätartoken"
		*d = withStore(db, *d)
		d.Feedback = feedback.New(db, d.Clock, quietLog(), 5, time.Minute)
	})
	for range 3 {
		f.do(t, "GET", "/api/v1/pages", nil)
	}
	f.do(t, "GET", "/finns/inte", nil)
	if res := f.do(t, "POST", "/api/v1/feedback", map[string]string{"Content-Type": "application/json"}); res.status != 400 {
		t.Fatalf("an empty answer: %d", res.status)
	}
	if got := f.do(t, "GET", "/metrics", nil).status; got != 401 {
		t.Fatalf("metrics without the token: %d", got)
	}
	// Requests of other methods in between must not change the labels of
	// those already counted.
	for range 3 {
		f.do(t, "DELETE", "/api/v1/pages", nil)
		f.do(t, "OPTIONS", "/finns/inte", nil)
	}
	res := f.do(t, "GET", "/metrics", map[string]string{"Authorization": "Bearer mätartoken"})
	for _, want := range []string{
		`torg_http_requests_total{method="GET",route="/api/v1/pages",status="200"} 3`,
		`torg_http_requests_total{method="GET",route="other",status="404"} 1`,
		`torg_http_request_duration_seconds_bucket{route="/api/v1/pages",le="+Inf"} 3`,
		`torg_content_pages 60`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("metrics lack %s in:\n%s", want, regexp.MustCompile(`(?m)^torg_http_requests_total.*$`).FindAllString(res.body, -1))
		}
	}
	if regexp.MustCompile(`torg_feedback_answers_total\{[^}]*\} [1-9]`).MatchString(res.body) {
		t.Error("a refused answer was counted")
	}

	g := newFixture(t, monday10, nil)
	if got := g.do(t, "GET", "/metrics", nil).status; got != 404 {
		t.Fatalf("without a token, metrics answer a request from elsewhere: %d", got)
	}
}
