package tiles

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/outbound"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

func newService(t *testing.T, db *store.DB, now time.Time) *Service {
	t.Helper()
	svc := NewService(db, clock.NewManual(now), slog.New(slog.NewTextHandler(io.Discard, nil)), access.Policy{}, stockholm, Rules{Levels: access.DefaultLevels, Icon: iconExists})
	data, err := os.ReadFile(filepath.Join("..", "..", "content", "tiles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Seed(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestFavoritesSurviveARestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := at(2026, 11, 23, 9, 0)
		svc := newService(t, db, now)
		if err := svc.SetFavorites(ctx, subOTP, []string{"anmal-tillbud", "passportalen"}); err != nil {
			t.Fatal(err)
		}
		// A tile the person may not see cannot be pinned; nothing changes.
		err := svc.SetFavorites(ctx, subOTP, []string{"passportalen", "webbmejl"})
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["tiles[1]"] == "" {
			t.Fatalf("pinning a hidden tile: %v", err)
		}
		if err := svc.SetFavorites(ctx, subOTP, []string{"passportalen", "passportalen"}); err == nil {
			t.Fatal("a tile pinned twice was accepted")
		}
		if err := svc.SetFavorites(ctx, anon, []string{"it-support"}); err == nil {
			t.Fatal("anonymous favourites were accepted")
		}
		// A new service over the same database: as after a restart, or on another instance.
		again := newService(t, db, now)
		views, _ := again.For(ctx, subOTP)
		if views[0].Tile.ID != "anmal-tillbud" || views[1].Tile.ID != "passportalen" || !views[0].Pinned {
			t.Fatalf("order after restart: %s", ids(views))
		}
		// Seeding again does not overwrite what the database holds.
		if seeded, _ := again.Seed(ctx, []byte("categories: []\ntiles: []\n")); seeded {
			t.Fatal("seeding replaced stored tiles")
		}
	})
}

func TestClicksAreCountedPerTileAndDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 23:30 UTC on the 23rd is already the 24th in Stockholm.
		svc := newService(t, db, time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC))
		for i := 0; i < 3; i++ {
			if _, err := svc.Click(ctx, employee, "larportalen"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Click(ctx, employee, "passportalen"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a hidden tile: %v", err)
		}
		rows, err := svc.Clicks(ctx, at(2026, 11, 1, 0, 0), at(2026, 11, 30, 0, 0))
		if err != nil || len(rows) != 1 || rows[0].Day != "2026-11-24" || rows[0].Count != 3 || rows[0].TileID != "larportalen" {
			t.Fatalf("clicks: %+v %v", rows, err)
		}
	})
}

func TestAdminChangesAreCheckedAndAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, at(2026, 11, 23, 9, 0))
		bad := &Tile{ID: "larportalen", Title: Text{"sv": "Ny titel"}, URL: "ftp://x", Category: "nope", MinAuth: "bankid"}
		err := svc.Save(ctx, audit.Actor{Viewer: admin}, bad)
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["url"] == "" || fe["category"] == "" || fe["min_auth"] == "" {
			t.Fatalf("field errors: %v", err)
		}
		set, _ := svc.Current(ctx)
		if tl, _ := set.Tile("larportalen"); tl.Title["sv"] != "Lärportalen" {
			t.Fatal("a refused save changed the tile")
		}
		good := &Tile{ID: "nytt-system", Title: Text{"sv": "Nytt system"}, URL: "https://nytt.example/", Category: "stod", Audience: []string{"employee"}}
		if err := svc.Save(ctx, audit.Actor{Viewer: admin}, good); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.View(ctx, employee, "nytt-system"); err != nil {
			t.Fatal("a saved tile did not appear at once on this instance")
		}
		if err := svc.Delete(ctx, audit.Actor{Viewer: admin}, "nytt-system"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, audit.Actor{Viewer: admin}, "nytt-system"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
	})
}

// TestHealthBadgeFollowsTheEndpoint starts a health endpoint, takes it down
// and brings it back, and the tile's badge follows.
func TestHealthBadgeFollowsTheEndpoint(t *testing.T) {
	var up atomic.Bool
	up.Store(true)
	var slow atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			time.Sleep(300 * time.Millisecond)
		}
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	set, err := ParseYAML([]byte(`
categories: [{id: c}]
tiles:
  - id: lon
    title: {sv: Lön}
    url: https://lon.example/
    category: c
    health_url: `+srv.URL+`/health
  - id: ingen-koll
    title: {sv: Utan kontroll}
    url: https://x.example/
    category: c
`), Rules{Levels: access.DefaultLevels})
	if err != nil {
		t.Fatal(err)
	}
	loopback, _ := outbound.ParseAllow("127.0.0.1")
	c := NewChecker(time.Hour, 100*time.Millisecond, loopback, slog.New(slog.NewTextHandler(io.Discard, nil)))
	badge := func() string {
		c.CheckOnce(context.Background(), set)
		return ids(set.Visible(Context{Viewer: employee, Now: time.Now(), Unhealthy: c.Failing}))
	}
	if got := badge(); got != "lon ingen-koll" {
		t.Fatalf("healthy: %s", got)
	}
	up.Store(false)
	if got := badge(); got != "lon(disrupted) ingen-koll" {
		t.Fatalf("down: %s", got)
	}
	up.Store(true)
	if got := badge(); got != "lon ingen-koll" {
		t.Fatalf("recovered: %s", got)
	}
	slow.Store(true) // slower than the timeout counts as down
	if got := badge(); got != "lon(disrupted) ingen-koll" {
		t.Fatalf("too slow: %s", got)
	}
}

// Tiles legitimately point at internal services, but a health URL reaches
// one only when the operator named it; otherwise it is not asked, and the
// tile is not shown as disrupted for it.
func TestHealthChecksAskInternalHostsOnlyWhenNamed(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path != "/health" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	set, err := ParseYAML([]byte(`
categories: [{id: c}]
tiles:
  - id: status
    title: {sv: Status}
    url: https://status.example/
    category: c
    health_url: http://localhost:`+port+`/health
  - id: nere
    title: {sv: Nere}
    url: https://nere.example/
    category: c
    health_url: http://localhost:`+port+`/down
  - id: loopback
    title: {sv: Loopback}
    url: https://m.example/
    category: c
    health_url: http://127.0.0.2:`+port+`/health
`), Rules{Levels: access.DefaultLevels})
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	badges := func(c *Checker) string {
		c.CheckOnce(context.Background(), set)
		return ids(set.Visible(Context{Viewer: employee, Now: time.Now(), Unhealthy: c.Failing}))
	}

	if got := badges(NewChecker(time.Hour, time.Second, outbound.Allow{}, log)); got != "loopback nere status" || asked.Load() != 0 {
		t.Fatalf("by default: %s, %d requests to this machine", got, asked.Load())
	}
	if !strings.Contains(logs.String(), "internal address") {
		t.Errorf("the refusal is not logged: %s", logs.String())
	}
	named, err := outbound.ParseAllow("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if got := badges(NewChecker(time.Hour, time.Second, named, log)); got != "loopback nere(disrupted) status" || asked.Load() != 2 {
		t.Fatalf("with localhost allowed: %s, %d requests", got, asked.Load())
	}
}

func TestNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := at(2026, 11, 23, 17, 0)
		svc := newService(t, db, now)
		klara := access.Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "otp"}
		_, err := svc.AddNotice(ctx, audit.Actor{Viewer: klara}, Notice{TileID: "lonewebben", Text: "", StartsAt: now, EndsAt: now.Add(-time.Hour)})
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["text"] == "" || fe["ends_at"] == "" {
			t.Fatalf("bad notice: %v", err)
		}
		if _, err := svc.AddNotice(ctx, audit.Actor{Viewer: klara}, Notice{TileID: "finns-inte", Text: "x", StartsAt: now, EndsAt: now.Add(time.Hour)}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown tile: %v", err)
		}
		// A communicator looks after the tiles she may use, at their level.
		for _, v := range []access.Viewer{
			{Subject: "klara", Roles: klara.Roles, Level: "password"},
			{Subject: "kim", Roles: []string{"communicator"}, Level: "eid"},
			subOTP,
		} {
			if _, err := svc.AddNotice(ctx, audit.Actor{Viewer: v}, Notice{TileID: "lonewebben", Text: "x", StartsAt: now, EndsAt: now.Add(time.Hour)}); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s at %s puts a notice on a tile she may not use: %v", v.Subject, v.Level, err)
			}
		}
		n, err := svc.AddNotice(ctx, audit.Actor{Viewer: klara}, Notice{TileID: "lonewebben", Text: "Lönesystemet stängt för underhåll 18–20", StartsAt: at(2026, 11, 23, 18, 0), EndsAt: at(2026, 11, 23, 20, 0)})
		if err != nil {
			t.Fatal(err)
		}
		disrupted := func(when time.Time) bool {
			svc.clock.(*clock.Manual).Set(when)
			svc.invalidate()
			v, err := svc.View(ctx, subOTP, "lonewebben")
			return err == nil && v.Disrupted()
		}
		if disrupted(at(2026, 11, 23, 17, 59)) || !disrupted(at(2026, 11, 23, 18, 0)) || !disrupted(at(2026, 11, 23, 19, 59)) || disrupted(at(2026, 11, 23, 20, 0)) {
			t.Fatal("the notice does not follow its period")
		}
		svc.clock.(*clock.Manual).Set(at(2026, 11, 23, 19, 0))
		if err := svc.RemoveNotice(ctx, audit.Actor{Viewer: klara}, "lonewebben", n.ID); err != nil {
			t.Fatal(err)
		}
		if disrupted(at(2026, 11, 23, 19, 0)) {
			t.Fatal("a removed notice still shows")
		}
	})
}

// TestSubscribersHearOfTileChanges: a change made through the service
// reaches its subscribers at once; one made by another instance reaches
// them at its next read; a read that finds nothing new tells no one.
func TestSubscribersHearOfTileChanges(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	now := at(2026, 11, 23, 9, 0)
	here, there := newService(t, db, now), newService(t, db, now)
	var heard atomic.Pointer[Set]
	var times atomic.Int32
	here.Subscribe(func(s *Set) { heard.Store(s); times.Add(1) })
	there.Current(ctx)
	here.Current(ctx)
	times.Store(0)

	set, _ := here.Current(ctx)
	t1 := *set.Tiles[0]
	t1.Keywords = []string{"zebrafink"}
	if err := here.Save(ctx, audit.Actor{Viewer: access.Viewer{Subject: "anna", Roles: []string{"admin"}}}, &t1); err != nil {
		t.Fatal(err)
	}
	if got := heard.Load(); times.Load() != 1 || got == nil || !hasKeyword(got, t1.ID, "zebrafink") {
		t.Fatalf("after a save here: heard %d times, want once with the new keyword", times.Load())
	}

	t2 := t1
	t2.Keywords = []string{"blåmes"}
	if err := there.Save(ctx, audit.Actor{Viewer: access.Viewer{Subject: "anna", Roles: []string{"admin"}}}, &t2); err != nil {
		t.Fatal(err)
	}
	here.clock.(*clock.Manual).Advance(cacheFor)
	here.Current(ctx)
	if times.Load() != 2 || !hasKeyword(heard.Load(), t1.ID, "blåmes") {
		t.Fatalf("after a save on another instance: heard %d times, want twice", times.Load())
	}
	here.clock.(*clock.Manual).Advance(cacheFor)
	here.Current(ctx)
	if times.Load() != 2 {
		t.Fatalf("a read with nothing new was heard (%d times)", times.Load())
	}
}

func hasKeyword(set *Set, id, word string) bool {
	t, ok := set.Tile(id)
	return ok && slices.Contains(t.Keywords, word)
}
