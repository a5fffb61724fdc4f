package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// hangingProvider accepts connections on 127.0.0.1 and never answers.
type hangingProvider struct {
	URL      string
	accepted atomic.Int64
}

func startHangingProvider(t testing.TB) *hangingProvider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangingProvider{URL: "http://" + ln.Addr().String()}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return h
}

// Five bearer checks arriving together at a provider that hangs share one
// discovery and wait for it side by side, not one after another; the next
// check within discoveryDownFor does not ask the provider again.
func TestConcurrentBearerChecksShareOneDiscovery(t *testing.T) {
	p := startHangingProvider(t)
	svc := New(Settings{Issuer: p.URL, ClientID: "torg", RedirectURL: "http://127.0.0.1/auth/callback", APIAudience: "torg-api",
		HTTPClient: &http.Client{Timeout: time.Second}}, storetest.SQLite(t), clock.System{}, quiet())
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Bearer(context.Background(), "token", netip.Addr{}); !errors.Is(err, ErrProviderUnavailable) {
				t.Errorf("a bearer check against a hanging provider: %v, want ErrProviderUnavailable", err)
			}
		}()
	}
	wg.Wait()
	// One after another, each waiting out the client's 1 s timeout, they take 5 s.
	if took := time.Since(start); took >= 3*time.Second {
		t.Errorf("five concurrent bearer checks with a 1 s provider timeout took %s", took.Round(time.Millisecond))
	}
	if n := p.accepted.Load(); n != 1 {
		t.Errorf("five concurrent bearer checks opened %d connections to the provider, want 1", n)
	}
	if _, err := svc.Bearer(context.Background(), "token", netip.Addr{}); !errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("a bearer check just after discovery failed: %v", err)
	}
	if n := p.accepted.Load(); n != 1 {
		t.Errorf("a bearer check just after a failed discovery asked the provider again (%d connections)", n)
	}
}

// A caller waiting for a discovery that another caller started leaves at
// its own deadline, not when the other caller's fetch ends.
func TestDiscoveryWaiterLeavesAtItsOwnDeadline(t *testing.T) {
	p := startHangingProvider(t)
	svc := New(Settings{Issuer: p.URL, ClientID: "torg", RedirectURL: "http://127.0.0.1/auth/callback", APIAudience: "torg-api"},
		storetest.SQLite(t), clock.System{}, quiet())
	first := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := svc.Bearer(ctx, "token", netip.Addr{})
		first <- err
	}()
	for p.accepted.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := svc.Bearer(ctx, "token", netip.Addr{})
	select {
	case <-first:
		t.Fatal("the caller with a 200 ms deadline returned only after the first caller's 5 s discovery ended")
	default:
	}
	if !errors.Is(err, ErrProviderUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrProviderUnavailable and the deadline", err)
	}
}

// A caller waiting for a key fetch that another caller started leaves at
// its own deadline, not when the fetch ends.
func TestKeyFetchWaiterLeavesAtItsOwnDeadline(t *testing.T) {
	release := make(chan struct{})
	var fetches atomic.Int64
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first, so Close does not wait for the hanging fetch
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		<-release
	})
	svc := New(Settings{Issuer: srv.URL, ClientID: "torg", RedirectURL: "http://127.0.0.1/auth/callback", APIAudience: "torg-api"},
		storetest.SQLite(t), clock.System{}, quiet())
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	token := (&forger{}).signAs(t, key, "k1", map[string]any{"iss": srv.URL, "sub": "svc", "aud": "torg-api",
		"exp": time.Now().Add(5 * time.Minute).Unix(), "iat": time.Now().Unix()})

	first := make(chan error, 1)
	go func() {
		_, err := svc.Bearer(context.Background(), token, netip.Addr{})
		first <- err
	}()
	for fetches.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	second := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := svc.Bearer(ctx, token, netip.Addr{})
		second <- err
	}()
	select {
	case err := <-second:
		// go-oidc keeps only the text of the key set's error.
		if loginCode(err) != "bearer_invalid" || !strings.Contains(err.Error(), context.DeadlineExceeded.Error()) {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the caller with a 200 ms deadline was still waiting for the key fetch after 5 s")
	}
	select {
	case err := <-first:
		t.Fatalf("the caller without a deadline returned while the key fetch hangs: %v", err)
	default:
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("two waiting callers fetched the keys %d times, want 1", n)
	}
}
