package feeds

import (
	"context"
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
)

// TestNewsFeedHoldsWhatTheViewerMaySee: the feed lists the news the viewer
// may read, with absolute addresses, and is updated when the newest is.
func TestNewsFeedHoldsWhatTheViewerMaySee(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"_index.md":               "---\ntitle: Intranätet\naudience: [public]\n---\n",
		"nyheter/_index.md":       "---\ntitle: Nyheter\ntype: news\naudience: [public]\n---\n",
		"nyheter/julbord.md":      "---\ntitle: Julbord\ntype: news\ndate: 2026-11-20\naudience: [public]\n---\nVälkommen.\n",
		"nyheter/omorganisera.md": "---\ntitle: Ny chef\ntype: news\ndate: 2026-11-22\naudience: [manager]\n---\nHemligt.\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := content.OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	st, err := site.NewBuilder(site.Options{DefaultLang: "sv", Location: time.UTC}, clock.NewManual(now), slog.New(slog.NewTextHandler(io.Discard, nil)), src).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if SiteName(st) != "Intranätet" {
		t.Errorf("site name %q", SiteName(st))
	}
	out, err := News(st, access.Anonymous, now, "https://intra.example", "/feeds/nyheter.atom", "Intranätet – nyheter")
	if err != nil {
		t.Fatal(err)
	}
	feed := string(out)
	for _, want := range []string{`<?xml version="1.0"`, `<title>Intranätet – nyheter</title>`, `<link href="https://intra.example/feeds/nyheter.atom" rel="self">`,
		`<id>https://intra.example/nyheter/julbord</id>`, `<updated>2026-11-20T00:00:00Z</updated>`, `&lt;p&gt;Välkommen.&lt;/p&gt;`} {
		if !strings.Contains(feed, want) {
			t.Errorf("no %s in\n%s", want, feed)
		}
	}
	if strings.Contains(feed, "Ny chef") {
		t.Errorf("a manager's news in the public feed:\n%s", feed)
	}
	manager := access.Viewer{Subject: "m", Roles: []string{"manager"}, Level: "password"}
	if out, _ := News(st, manager, now, "https://intra.example", "/f", "t"); !strings.Contains(string(out), "Ny chef") || !strings.Contains(string(out), "<updated>2026-11-22T00:00:00Z</updated>") {
		t.Errorf("the manager's feed:\n%s", out)
	}
}
