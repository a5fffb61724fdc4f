package search_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/search"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, stockholm)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// demoDocs are the demo site, its tiles and, when it is beside the
// checkout, the five real municipal pages as a second source.
func demoDocs(t testing.TB) []search.Doc {
	t.Helper()
	sources := []content.Source{content.NewDirSource("content", demo.Files, "", false)}
	corpus := filepath.Join("..", "..", "shared", "corpus", "municipal")
	if _, err := os.Stat(corpus); err == nil {
		src, err := content.OpenDir(corpus, false)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, src)
	}
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clock.NewManual(monday10), quiet(), sources...)
	st, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, err := fs.ReadFile(demo.Files, "tiles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := tiles.ParseYAML(data, tiles.Rules{Levels: access.DefaultLevels})
	if err != nil {
		t.Fatal(err)
	}
	return indexing.Docs(st, set)
}

func demoIndex(t testing.TB) *search.Index {
	t.Helper()
	x, err := search.Open("", access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(context.Background(), demoDocs(t), nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

var everyone = access.Viewer{Subject: "x", Roles: []string{"employee", "substitute", "manager", "communicator", "publisher", "admin"}, Level: "eid", Zones: []string{"office"}}
