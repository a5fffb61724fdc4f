package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/search"
)

// watchedIndex is a content folder watched into a search index, as serve runs it.
func watchedIndex(t testing.TB) (string, *search.Index, context.CancelFunc) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("sida-%02d.md", i)), []byte(fmt.Sprintf("---\ntitle: Sida %d\naudience: public\n---\nText om rutiner.\n", i)), 0o644)
	}
	src, err := content.OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := site.NewBuilder(site.Options{}, clock.System{}, log, src)
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	idx, err := search.Open("", access.DefaultLevels, log)
	if err != nil {
		t.Fatal(err)
	}
	ix := &indexer{idx: idx, builder: b, log: log}
	ctx, cancel := context.WithCancel(context.Background())
	ix.sync(ctx)
	b.OnBuild(func(*site.Site) { ix.sync(ctx) })
	b.Watch(ctx)
	time.Sleep(100 * time.Millisecond)
	return dir, idx, cancel
}

func found(idx *search.Index, word string) bool {
	res, err := idx.Search(context.Background(), search.Request{Query: word, Viewer: access.Viewer{}, Now: time.Now()})
	return err == nil && res.Total > 0
}

func TestSavedEditIsFindable(t *testing.T) {
	dir, idx, cancel := watchedIndex(t)
	defer cancel()
	defer idx.Close()
	os.WriteFile(filepath.Join(dir, "sida-07.md"), []byte("---\ntitle: Sida 7\naudience: public\n---\nNu om bemanningsplanering.\n"), 0o644)
	// Not a speed test (see BenchmarkSaveToSearchable): the deadline only stops a broken watcher.
	deadline := time.Now().Add(10 * time.Second)
	for !found(idx, "bemanningsplanering") {
		if time.Now().After(deadline) {
			t.Fatal("the saved edit never became findable")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkSaveToSearchable measures the time from saving a Markdown file
// to its new words being found by search. Target: under a second.
//
//	go test ./cmd/torg -run '^$' -bench SaveToSearchable
func BenchmarkSaveToSearchable(b *testing.B) {
	dir, idx, cancel := watchedIndex(b)
	defer cancel()
	defer idx.Close()
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		word := strings.Repeat(string(rune('a'+i%26)), 9) // nine of one letter: no typo of the last word
		start := time.Now()
		os.WriteFile(filepath.Join(dir, "sida-07.md"), []byte("---\ntitle: Sida 7\naudience: public\n---\nNu om "+word+".\n"), 0o644)
		for !found(idx, word) {
			if time.Since(start) > 10*time.Second {
				b.Fatal("never findable")
			}
			time.Sleep(time.Millisecond)
		}
		if d := time.Since(start); d > worst {
			worst = d
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}
