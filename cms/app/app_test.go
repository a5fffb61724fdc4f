package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/app"
	"github.com/torg-cms/torg/cms/app/apptest"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/content"
)

// findable waits until search finds word. The deadline only ends a wait
// that would otherwise never end; the index follows changes as they happen.
func findable(t *testing.T, a *app.App, word string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !found(a.Index, word) {
		if time.Now().After(deadline) {
			t.Fatalf("%q is not findable 5 s after the change", word)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTileChangeReachesSearch: a tile saved through the tiles service is
// in the search index at once, not at the next periodic resync.
func TestTileChangeReachesSearch(t *testing.T) {
	ctx := context.Background()
	a := apptest.New(t, apptest.Run())
	set, _ := a.Tiles.Current(ctx)
	tile := *set.Tiles[0]
	tile.Audience, tile.MinAuth, tile.Zones = []string{access.Public}, "", nil
	tile.Keywords = []string{"zebrafinkar"}
	if found(a.Index, "zebrafinkar") {
		t.Fatal("the word is findable before the change")
	}
	if err := a.Tiles.Save(ctx, audit.Actor{Viewer: access.Viewer{Subject: "anna", Roles: []string{"admin"}}}, &tile); err != nil {
		t.Fatal(err)
	}
	findable(t, a, "zebrafinkar")
}

// TestContentBuildReachesSearch: any build of the site, not only the
// watcher's, reaches the search index.
func TestContentBuildReachesSearch(t *testing.T) {
	dir := t.TempDir()
	page := func(body string) {
		if err := os.WriteFile(filepath.Join(dir, "sida.md"), []byte("---\ntitle: Sida\naudience: public\n---\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page("Om rutiner.")
	src, err := content.OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.New(t, apptest.Parts(app.Site|app.Index), apptest.Content(src))
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	findable(t, a, "rutiner")

	page("Om bemanningsplanering.")
	if _, err := a.Sites.Build(ctx); err != nil {
		t.Fatal(err)
	}
	findable(t, a, "bemanningsplanering")
}

// TestCloseWaitsForWorkers: Close stops the background work and waits for
// it before it closes the database, so work that is finishing when Close
// is called still has its database.
func TestCloseWaitsForWorkers(t *testing.T) {
	a := apptest.New(t, apptest.Parts(app.Site|app.Store|app.Index))
	started := make(chan struct{})
	var finished atomic.Bool
	var lastErr atomic.Value
	a.Go(func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // still finishing its work
		_, err := a.DB.ItemsStamp(context.Background())
		if err != nil {
			lastErr.Store(err)
		}
		finished.Store(true)
		return nil
	})
	ran := make(chan error, 1)
	go func() { ran <- a.Run(context.Background()) }()
	<-started
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("Close returned before the worker finished")
	}
	if err, _ := lastErr.Load().(error); err != nil {
		t.Fatalf("the worker found the database closed under it: %v", err)
	}
	if err := <-ran; err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := a.Run(context.Background()); !errors.Is(err, app.ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}
