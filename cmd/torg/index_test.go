package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/search"
)

// torg index --rebuild while another process (here: an open Index, as a
// running server has) holds the index says so at once and exits 1,
// instead of waiting for ever on the index's lock.
func TestIndexRebuildRefusesAnIndexInUse(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errOut := runCmd(t, nil, "index", "--rebuild", "--data", data); code != 0 {
		t.Fatalf("first rebuild: %d %s %s", code, out, errOut)
	}
	held, err := search.Open(filepath.Join(data, "search"), []string{"password", "otp", "eid"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		code, _, errOut := runCmd(t, nil, "index", "--rebuild", "--data", data)
		done <- result{code, errOut}
	}()
	select {
	case r := <-done:
		if r.code != 1 || !strings.Contains(r.stderr, "in use by another process") || !strings.Contains(r.stderr, "Stop it first") {
			t.Fatalf("exit %d, stderr %q; want 1 and a message that the index is in use", r.code, r.stderr)
		}
		if runtime.GOOS == "linux" && !strings.Contains(r.stderr, fmt.Sprintf("process %d", os.Getpid())) {
			t.Errorf("the message does not name the process that holds the index (%d): %s", os.Getpid(), r.stderr)
		}
		t.Logf("refused after %s: %s", time.Since(start).Round(time.Millisecond), r.stderr)
	case <-time.After(20 * time.Second):
		t.Fatal("torg index --rebuild still waits after 20 s for an index another process holds")
	}
	if held.Len() == 0 {
		t.Fatal("the index in use was emptied")
	}

	// A second server on the same data folder stops the same way.
	go func() {
		code, _, errOut := runCmd(t, nil, "serve", "--listen", freePort(t), "--data", data, "--check-links=false", "--log-format", "text")
		done <- result{code, errOut}
	}()
	select {
	case r := <-done:
		if r.code != 1 || !strings.Contains(r.stderr, "in use by another process") {
			t.Fatalf("second server: exit %d, stderr %q; want 1 and a message that the index is in use", r.code, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a second server still waits after 30 s for the index the first holds")
	}
}

// The rebuilt index holds what the editor published, as the server's does.
func TestIndexRebuildIncludesEditorItems(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	it := &store.Item{Path: "nyheter/fran-redaktionen.md", Status: store.StatusPublished, AuthorID: "klara", CreatedAt: now, UpdatedAt: now}
	rev := &store.Revision{Markdown: "---\ntitle: Från redaktionen\n---\nZebrakorsningen vid stadshuset målas om.\n", AuthorID: "klara", CreatedAt: now}
	must(t, db.CreateItem(ctx, it, rev))
	it.PublishedRev = rev.ID
	must(t, db.UpdateItem(ctx, it, it.Version))
	db.Close()

	if code, out, errOut := runCmd(t, nil, "index", "--rebuild", "--data", data); code != 0 {
		t.Fatalf("rebuild: %d %s %s", code, out, errOut)
	}
	idx, err := search.Open(filepath.Join(data, "search"), []string{"password", "otp", "eid"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	doc, err := idx.Bleve().Document("page:/nyheter/fran-redaktionen")
	if err != nil || doc == nil {
		t.Fatalf("the editor's published item is not in the rebuilt index (%v)", err)
	}
	if !found(idx, "zebrakorsningen") {
		t.Fatal("a word of the editor's item finds nothing")
	}
}

func found(idx *search.Index, word string) bool {
	res, err := idx.Search(context.Background(), search.Request{Query: word, Viewer: access.Viewer{}, Now: time.Now()})
	return err == nil && res.Total > 0
}
