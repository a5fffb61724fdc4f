package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/app"
	"github.com/torg-cms/torg/cms/app/apptest"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/search"
)

// watchedIndex is a content folder watched into a search index, as serve runs it.
func watchedIndex(t testing.TB) (string, *app.App) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("sida-%02d.md", i)), []byte(fmt.Sprintf("---\ntitle: Sida %d\naudience: public\n---\nText om rutiner.\n", i)), 0o644)
	}
	src, err := content.OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.New(t, apptest.Parts(app.Site|app.Index), apptest.Content(src), apptest.Run())
	time.Sleep(100 * time.Millisecond) // let the watcher subscribe
	return dir, a
}

func found(idx *search.Index, word string) bool {
	res, err := idx.Search(context.Background(), search.Request{Query: word, Viewer: access.Viewer{}, Now: time.Now()})
	return err == nil && res.Total > 0
}

func TestSavedEditIsFindable(t *testing.T) {
	dir, a := watchedIndex(t)
	os.WriteFile(filepath.Join(dir, "sida-07.md"), []byte("---\ntitle: Sida 7\naudience: public\n---\nNu om bemanningsplanering.\n"), 0o644)
	// Not a speed test (see BenchmarkSaveToSearchable): the deadline only stops a broken watcher.
	deadline := time.Now().Add(10 * time.Second)
	for !found(a.Index, "bemanningsplanering") {
		if time.Now().After(deadline) {
			t.Fatal("the saved edit never became findable")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkSaveToSearchable measures the time from saving a Markdown file
// to its new words being found by search. Target: under a second.
//
//	go test ./cms/app -run '^$' -bench SaveToSearchable
func BenchmarkSaveToSearchable(b *testing.B) {
	dir, a := watchedIndex(b)
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		word := strings.Repeat(string(rune('a'+i%26)), 9) // nine of one letter: no typo of the last word
		start := time.Now()
		os.WriteFile(filepath.Join(dir, "sida-07.md"), []byte("---\ntitle: Sida 7\naudience: public\n---\nNu om "+word+".\n"), 0o644)
		for !found(a.Index, word) {
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
