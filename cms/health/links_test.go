package health

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
)

func TestLinkCheckerFindsFailingLinksOnceADay(t *testing.T) {
	var inFlight, most, asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		asked.Add(1)
		if r.Header.Get("User-Agent") != "Torg link checker" {
			t.Errorf("user agent %q", r.Header.Get("User-Agent"))
		}
		switch r.URL.Path {
		case "/ok":
		case "/gone":
			http.NotFound(w, r)
		case "/no-head":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
			}
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusMovedPermanently)
		}
	}))
	defer srv.Close()
	// An address nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/"
	l.Close()

	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	lc := &LinkChecker{Clock: clk, Pause: time.Millisecond}
	urls := []string{srv.URL + "/ok", srv.URL + "/gone", srv.URL + "/no-head", srv.URL + "/moved", dead, "https://", srv.URL + "/ok"}
	if n := lc.Round(context.Background(), urls); n != 6 {
		t.Fatalf("checked %d links, want 6 (the repeated one once)", n)
	}
	broken := map[string]bool{}
	for _, r := range lc.Results(urls) {
		broken[r.URL] = r.Broken()
	}
	want := map[string]bool{srv.URL + "/ok": false, srv.URL + "/gone": true, srv.URL + "/no-head": false, srv.URL + "/moved": false, dead: true, "https://": true}
	for u, b := range want {
		if got, ok := broken[u]; !ok || got != b {
			t.Errorf("%s: broken %v (known %v), want %v", u, got, ok, b)
		}
	}
	if most.Load() != 1 {
		t.Errorf("%d requests at once, want one at a time", most.Load())
	}

	before := asked.Load()
	clk.Advance(23 * time.Hour)
	if n := lc.Round(context.Background(), urls); n != 0 || asked.Load() != before {
		t.Errorf("within a day: checked %d again, %d requests", n, asked.Load()-before)
	}
	clk.Advance(2 * time.Hour)
	lc.PerRound = 2
	if n := lc.Round(context.Background(), urls); n != 2 {
		t.Errorf("after a day with 2 per round: checked %d", n)
	}
}

func TestLinkCheckerStopsWhenCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	lc := &LinkChecker{Pause: time.Hour}
	done := make(chan int)
	go func() { done <- lc.Round(ctx, []string{srv.URL + "/a", srv.URL + "/b"}) }()
	for len(lc.Results([]string{srv.URL + "/a"})) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if n := <-done; n != 1 {
		t.Errorf("checked %d before stopping, want 1", n)
	}
}
