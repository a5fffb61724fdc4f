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
