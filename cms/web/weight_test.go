package web

import (
	"context"
	"io"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
)

// TestHomePageWeight: the signed-in home page with every tile, its styles
// and scripts weigh under 100 KB before images; theme files carry their
// checksum, are cached for a year and sent compressed.
func TestHomePageWeight(t *testing.T) {
	db := storetest.SQLite(t)
	tileSvc := tiles.NewService(db, clock.NewManual(monday10), quietLog(), access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
	yml, _ := fs.ReadFile(demo.Files, "tiles.yaml")
	if _, err := tileSvc.Seed(context.Background(), yml); err != nil {
		t.Fatal(err)
	}
	anna := access.Viewer{Subject: "anna", Name: "Anna Admin", Roles: []string{"employee", "substitute", "manager", "communicator", "admin"}, Level: "eid", Zones: []string{"office"}}
	f := newFixture(t, monday10, func(d *Deps) {
		d.Tiles = tileSvc
		withSearch(t)(d)
		d.Viewer = func(*fiber.Ctx) access.Viewer { return anna }
	})
	get := func(target, enc string) (int, string, map[string]string) {
		req := httptest.NewRequest("GET", target, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		res, err := f.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), map[string]string{"enc": res.Header.Get("Content-Encoding"), "cache": res.Header.Get("Cache-Control")}
	}
	code, home, _ := get("/", "")
	if code != 200 || !strings.Contains(home, "tile") {
		t.Fatalf("home: %d", code)
	}
	total := len(home)
	refs := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(home, -1)
	if len(refs) < 2 {
		t.Fatalf("the home page names %d theme files", len(refs))
	}
	for _, r := range refs {
		u := strings.ReplaceAll(r[1], "&amp;", "&")
		if strings.HasSuffix(strings.SplitN(u, "?", 2)[0], ".svg") || strings.HasSuffix(strings.SplitN(u, "?", 2)[0], ".png") {
			continue // images
		}
		code, body, h := get(u, "")
		if code != 200 || !strings.Contains(u, "?v=") || !strings.Contains(h["cache"], "max-age=31536000") {
			t.Errorf("%s: %d, cache %q", u, code, h["cache"])
		}
		total += len(body)
		if _, _, h := get(u, "gzip, br"); h["enc"] == "" {
			t.Errorf("%s is not sent compressed", u)
		}
	}
	t.Logf("signed-in home page with %d theme files: %d bytes before images", len(refs), total)
	if total > 100<<10 {
		t.Fatalf("the home page weighs %d bytes, over 100 KB", total)
	}
}
