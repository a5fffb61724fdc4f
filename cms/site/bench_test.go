package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	demo "github.com/torg-cms/torg/content"
)

// BenchmarkSaveToServed measures the time from writing a Markdown file in a
// watched folder to the new version being what readers get. Target: under
// one second. Run: go test ./cms/site -run '^$' -bench SaveToServed
func BenchmarkSaveToServed(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("sida-%02d.md", i)), []byte(fmt.Sprintf("---\ntitle: Sida %d\naudience: public\n---\nText.\n", i)), 0o644)
	}
	src, err := content.OpenDir(dir, false)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	bl := NewBuilder(Options{}, clock.NewManual(now), discardLog(), src)
	if _, err := bl.Build(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go bl.Watch(ctx)
	time.Sleep(100 * time.Millisecond)
	file := filepath.Join(dir, "sida-00.md")
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		want := fmt.Sprintf("Version %d", i)
		start := time.Now()
		if err := os.WriteFile(file, []byte("---\ntitle: "+want+"\naudience: public\n---\nText.\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			if p, _, d := bl.Current().Lookup(access.Anonymous, now, "/sida-00"); d == access.Allow && p.Title == want {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatal("the change was never served")
			}
			time.Sleep(time.Millisecond)
		}
		if d := time.Since(start); d > worst {
			worst = d
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}

// BenchmarkBuildDemo measures loading, checking and rendering the whole demo
// site from nothing. Run: go test ./cms/site -run '^$' -bench BuildDemo -benchmem
func BenchmarkBuildDemo(b *testing.B) {
	src := content.NewDirSource("content", demo.Files, "", false)
	for i := 0; i < b.N; i++ {
		bl := NewBuilder(Options{}, clock.System{}, discardLog(), src)
		if _, err := bl.Build(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuildUnchanged measures a rebuild where nothing changed, the
// cost paid per save: every file is read and parsed again, but pages whose
// file did not change are not rendered again.
func BenchmarkRebuildUnchanged(b *testing.B) {
	src := content.NewDirSource("content", demo.Files, "", false)
	bl := NewBuilder(Options{}, clock.System{}, discardLog(), src)
	if _, err := bl.Build(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bl.Build(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
