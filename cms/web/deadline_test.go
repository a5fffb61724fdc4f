package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// A handler's context carries the request deadline, and ends with the request.
func TestHandlersSeeTheRequestDeadline(t *testing.T) {
	f := newFixture(t, monday10, func(d *Deps) { d.Limits.RequestTimeout = 7 * time.Second })
	var seen context.Context
	f.srv.App().Post("/deadline-probe", func(c *fiber.Ctx) error {
		seen = c.UserContext()
		deadline, ok := seen.Deadline()
		if !ok {
			return c.SendString("no deadline")
		}
		return c.SendString(fmt.Sprint(time.Until(deadline).Round(time.Second)))
	})
	res := f.do(t, http.MethodPost, "/deadline-probe", nil)
	if res.status != 200 || res.body != "7s" {
		t.Fatalf("a handler's context: %d %q, want a deadline 7s away", res.status, res.body)
	}
	if seen.Err() == nil {
		t.Fatal("the request's context lives on after the answer")
	}
}

// Bearer checks through the site, against a provider that accepts
// connections and never answers, end at the request deadline (1 s) even
// though the provider client would wait 4 s, and five of them wait side
// by side: one after another they would take 5 × 4 s.
func TestBearerChecksAgainstAHangingProviderEndAtTheRequestDeadline(t *testing.T) {
	idp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := idp.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		idp.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	svc := auth.New(auth.Settings{Issuer: "http://" + idp.Addr().String(), ClientID: "torg", RedirectURL: "http://127.0.0.1/auth/callback",
		APIAudience: "torg-api", HTTPClient: &http.Client{Timeout: 4 * time.Second}}, storetest.SQLite(t), clock.System{}, quietLog())
	f := newFixture(t, monday10, func(d *Deps) {
		d.Auth = svc
		d.Limits.RequestTimeout = time.Second
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.App().Listener(ln)
	t.Cleanup(func() { f.srv.Shutdown(context.Background()) })

	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/api/v1/pages", nil)
			req.Header.Set("Authorization", "Bearer token")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != fiber.StatusServiceUnavailable {
				t.Errorf("a bearer check against a hanging provider: %d %s, want 503", res.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	if took := time.Since(start); took >= 3*time.Second {
		t.Errorf("five concurrent bearer checks with a 1 s request deadline took %s", took.Round(time.Millisecond))
	}
}
