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
	"github.com/torg-cms/torg/cms/outbound"
)

func allow(t *testing.T, s string) outbound.Allow {
	t.Helper()
	a, err := outbound.ParseAllow(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// counted is a real server on loopback that counts the requests it gets.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A page may link anything; the checker must not become a way to ask this
// machine or the internal network, by address, by name or by redirect.
func TestLinkCheckerLeavesInternalAddressesAlone(t *testing.T) {
	inside, asked := counted(t, nil)
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	links := []string{
		inside.URL + "/admin",
		"http://localhost:" + port + "/admin",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://127.8.9.10:" + port + "/",
		"http://[::1]:" + port + "/",
	}
	lc := &LinkChecker{Pause: time.Millisecond}
	lc.Round(context.Background(), links)
	if n := asked.Load(); n != 0 {
		t.Fatalf("the server on loopback got %d requests", n)
	}
	results := lc.Results(links)
	if len(results) != len(links) {
		t.Fatalf("%d results for %d links", len(results), len(links))
	}
	for _, r := range results {
		if !r.Internal || r.Broken() || r.Status != 0 {
			t.Errorf("%s: %+v, want not checked as internal, not broken", r.URL, r)
		}
	}
	if ok, broken := lc.Counts(); ok != 0 || broken != 0 {
		t.Errorf("counts %d ok, %d broken; internal links are neither", ok, broken)
	}

	// An allowed host that redirects inside: the redirect is refused, for
	// HEAD and for the GET asked when HEAD is refused.
	target, targetAsked := counted(t, nil)
	redirector, redirectorAsked := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/no-head" && r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	})
	_, rport, _ := net.SplitHostPort(redirector.Listener.Addr().String())
	via := []string{"http://localhost:" + rport + "/moved", "http://localhost:" + rport + "/no-head"}
	lc = &LinkChecker{Pause: time.Millisecond, Allow: allow(t, "localhost")}
	lc.Round(context.Background(), via)
	for _, r := range lc.Results(via) {
		if !r.Internal || r.Broken() {
			t.Errorf("%s: %+v, want the redirect refused as internal", r.URL, r)
		}
	}
	if n := redirectorAsked.Load(); n != 3 {
		t.Errorf("the allowed host got %d requests, want 3 (HEAD, HEAD, GET)", n)
	}
	if n := targetAsked.Load(); n != 0 {
		t.Errorf("the redirect's target %s got %d requests", target.URL, n)
	}
}

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
	lc := &LinkChecker{Clock: clk, Pause: time.Millisecond, Allow: allow(t, "127.0.0.1")}
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
	lc := &LinkChecker{Pause: time.Hour, Allow: allow(t, "127.0.0.1")}
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
