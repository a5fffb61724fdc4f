package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedIndexIsRebuiltAtStart stops the server, damages its search
// index on disk — every file overwritten, then the folder deleted — and
// starts it again: it comes up, and search finds what it found before.
func TestDamagedIndexIsRebuiltAtStart(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	addr := freePort(t)
	base := "http://" + addr
	serveUntilFound := func() {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--listen", addr, "--data", data, "--check-links=false", "--search-rate", "0"}, io.Discard, io.Discard, noEnv)
		}()
		waitFor(t, base+"/api/v1/search?q=inloggning", func(c int, b string) bool {
			return c == 200 && strings.Contains(b, `"url":"/inloggning/vanliga-fragor"`)
		})
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exited %d", code)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
	serveUntilFound()

	damaged := 0
	filepath.WalkDir(filepath.Join(data, "search"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(p, []byte("not an index"), 0o644)
			damaged++
		}
		return nil
	})
	if damaged == 0 {
		t.Fatal("no index files on disk to damage")
	}
	serveUntilFound()

	if err := os.RemoveAll(filepath.Join(data, "search")); err != nil {
		t.Fatal(err)
	}
	serveUntilFound()
}

// TestIndexRebuildWithMissingTheme: stored tiles name icons, which the
// theme is asked for; a theme folder that does not exist is said so, not
// a crash.
func TestIndexRebuildWithMissingTheme(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errs := runCmd(t, nil, "tiles", "import", "--data", data, filepath.Join("..", "..", "content", "tiles.yaml")); code != 0 {
		t.Fatalf("tiles import: %d %s %s", code, out, errs)
	}
	missing := filepath.Join(t.TempDir(), "typo")
	code, out, errs := runCmd(t, nil, "index", "--rebuild", "--data", data, "--theme", missing)
	if code != 1 || !strings.Contains(errs, "torg index: theme folder: ") || !strings.Contains(errs, missing) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}
