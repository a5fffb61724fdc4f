package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckAndServeReadLevelsAlike: a folder that names a configured
// sign-in level passes torg check exactly when serve loads it cleanly.
func TestCheckAndServeReadLevelsAlike(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"_index.md": "---\ntitle: Start\naudience: public\n---\nVälkommen.\n",
		"lon.md":    "---\ntitle: Lön\nmin_auth: high\n---\nLönespecifikationen.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runCmd(t, nil, "check", "--auth-levels", "low high", dir)
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Fatalf("check with the levels low high: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd(t, nil, "check", dir)
	if code != 1 || !strings.Contains(out, `lon.md:3: error:`) {
		t.Fatalf("check with the default levels should refuse min_auth high: exit %d\n%s", code, out)
	}

	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--content", dir, "--data", filepath.Join(t.TempDir(), "data"),
			"--auth-levels", "low high", "--check-links=false"}, io.Discard, io.Discard, noEnv)
	}()
	waitFor(t, "http://"+addr+"/readyz", func(c int, b string) bool { return c == 200 && strings.Contains(b, `"problems":0`) })
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
