package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The demo stays on this machine: with --demo, neither the link checker
// nor the tile health checks ask anything, unless check-links is true. The
// content links a real server on loopback, and allow-internal lets the
// checks reach it, so a check that ran would be seen there.
func TestDemoAsksNothingOutside(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]int{}
	outside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
	}))
	defer outside.Close()
	count := func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range asked {
			out[k] = v
		}
		clear(asked)
		return out
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "_index.md"), []byte("---\ntitle: Hem\naudience: public\n---\n[System]("+outside.URL+"/link)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "tiles.yaml"), []byte("categories: [{id: c}]\ntiles:\n  - id: system\n    title: {sv: System}\n    url: https://system.example/\n    category: c\n    health_url: "+outside.URL+"/health\n"), 0o644)
	env := map[string]string{"TORG_ALLOW_INTERNAL": "127.0.0.1"}

	serve := func(args ...string) string {
		t.Helper()
		addr := freePort(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		var logs bytes.Buffer
		args = append([]string{"serve", "--listen", addr, "--content", dir, "--data", t.TempDir(), "--log-format", "json"}, args...)
		go func() {
			done <- run(ctx, args, &bytes.Buffer{}, &syncWriter{w: &logs}, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		}()
		waitFor(t, "http://"+addr+"/readyz", func(c int, _ string) bool { return c == 200 })
		// Checks start before the server listens; give any that started
		// time to reach the server.
		time.Sleep(500 * time.Millisecond)
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve %v exited %d\n%s", args, code, logs.String())
		}
		return logs.String()
	}

	// Asked for, both checks reach the server.
	serve("--demo", "--check-links=true")
	if got := count(); got["/link"] == 0 || got["/health"] == 0 {
		t.Fatalf("with check-links=true the checks did not run: %v", got)
	}
	logs := serve("--demo")
	if got := count(); len(got) != 0 {
		t.Errorf("the demo asked %v", got)
	}
	for _, want := range []string{"external link checks off", "tile health checks off"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q", want)
		}
	}
}
