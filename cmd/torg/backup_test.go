package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/testenv"
)

// torg backup where there is no database says so, exits non-zero, and
// creates neither a database nor a backup.
func TestBackupRefusesWhereThereIsNoDatabase(t *testing.T) {
	dir := t.TempDir()
	emptyData := filepath.Join(dir, "empty")
	os.MkdirAll(emptyData, 0o750)
	os.WriteFile(filepath.Join(emptyData, "torg.db"), nil, 0o640)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no data folder", []string{"--data", filepath.Join(dir, "nowhere")}, 1, "no Torg database at " + filepath.Join(dir, "nowhere", "torg.db")},
		{"no such SQLite file", []string{"--database-url", "sqlite:" + filepath.Join(dir, "nowhere.db")}, 1, "no Torg database at"},
		{"a file without the schema", []string{"--data", emptyData}, 1, "holds no Torg schema"},
		{"PostgreSQL", []string{"--database-url", "postgres://torg@127.0.0.1:1/torg"}, 2, "pg_dump"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
			code, out, errOut := runCmd(t, nil, append(append([]string{"backup"}, c.args...), file)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q, stdout %q; want exit %d and %q", code, errOut, out, c.code, c.want)
			}
			if _, err := os.Stat(file); err == nil {
				t.Errorf("a backup file was written")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
		t.Errorf("the missing data folder was created")
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere.db")); err == nil {
		t.Errorf("the missing SQLite file was created")
	}
	if st, err := os.Stat(filepath.Join(emptyData, "torg.db")); err != nil || st.Size() != 0 {
		t.Errorf("the empty file was changed: %v %v", st, err)
	}
}

// A backup restored as the README says brings back the same pages (editor
// items), items, revisions, sessions, tiles and feedback: every row of
// every table.
func TestBackupRestoresEverything(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		db, err := store.Open(ctx, "", data)
		if err != nil {
			t.Fatal(err)
		}
		fillStore(t, db, "")
		before := snapshotStore(t, db)
		file := filepath.Join(t.TempDir(), "torg-2026-11-29.db")
		if code, out, errOut := runCmd(t, nil, "backup", "--data", data, file); code != 0 {
			t.Fatalf("backup: %d %s %s", code, out, errOut)
		}
		fillStore(t, db, "after the backup ") // lost in the restore, as it should be
		db.Close()

		// The README: stop Torg, move torg.db and its -wal and -shm files
		// aside, copy the backup to torg.db in the data folder, start Torg.
		aside := t.TempDir()
		for _, f := range []string{"torg.db", "torg.db-wal", "torg.db-shm"} {
			if err := os.Rename(filepath.Join(data, f), filepath.Join(aside, f)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		copyFile(t, file, filepath.Join(data, "torg.db"))
		restored, err := store.Open(ctx, "", data)
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		sameStore(t, before, snapshotStore(t, restored))
	})
	t.Run("postgres", func(t *testing.T) {
		_, err := exec.LookPath("pg_dump")
		if err == nil {
			_, err = exec.LookPath("pg_restore")
		}
		testenv.Require(t, err)
		src := storetest.PostgresDatabase(t)
		db, err := store.Open(ctx, src, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		fillStore(t, db, "")
		before := snapshotStore(t, db)
		file := filepath.Join(t.TempDir(), "torg-2026-11-29.dump")
		// The README: pg_dump --format=custom --file=FILE DATABASE while
		// Torg runs; to restore, into a new empty database, pg_restore
		// --dbname=DATABASE FILE, then point TORG_DATABASE_URL at it.
		pgTool(t, "pg_dump", "--format=custom", "--file="+file, "--dbname="+src)
		fillStore(t, db, "after the backup ")
		dst := storetest.PostgresDatabase(t)
		pgTool(t, "pg_restore", "--dbname="+dst, file)
		restored, err := store.Open(ctx, dst, "")
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		sameStore(t, before, snapshotStore(t, restored))
	})
}

func pgTool(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

// fillStore writes one of everything Torg keeps; prefix tells rounds apart.
func fillStore(t *testing.T, db *store.DB, prefix string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	slug := strings.ReplaceAll(strings.TrimSpace(prefix), " ", "-")
	it := &store.Item{Path: "nyheter/aterstallning" + slug + ".md", Status: store.StatusPublished, AuthorID: "klara", CreatedAt: now, UpdatedAt: now}
	rev := &store.Revision{Markdown: "---\ntitle: " + prefix + "Återställd nyhet\naudience: [employee]\n---\nSåg du att allt kom tillbaka?\n", AuthorID: "klara", Note: "första", CreatedAt: now}
	if err := db.CreateItem(ctx, it, rev); err != nil {
		t.Fatal(err)
	}
	it.PublishedRev, it.ApprovedBy, it.ApprovedAt = rev.ID, "per", &now
	if err := db.UpdateItem(ctx, it, it.Version); err != nil {
		t.Fatal(err)
	}
	must(t, db.CreateSession(ctx, &store.Session{ID: fmt.Sprintf("%064x", len(prefix)+1), Subject: "erik", Name: prefix + "Erik", Roles: "employee", Level: "otp", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(10 * time.Hour)}))
	must(t, db.SaveTile(ctx, store.TileRow{ID: "lon" + slug, Data: `{"title":"` + prefix + `Lön"}`, UpdatedAt: now}))
	must(t, db.SaveTileIcon(ctx, store.TileIcon{TileID: "lon" + slug, ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2}, UpdatedAt: now}))
	must(t, db.CreateNotice(ctx, &store.TileNotice{TileID: "lon" + slug, Text: prefix + "Störning", StartsAt: now, EndsAt: now.Add(time.Hour), CreatedBy: "anna", CreatedAt: now}))
	must(t, db.SetFavorites(ctx, "erik"+slug, []string{"lon" + slug}))
	must(t, db.CountClick(ctx, "lon"+slug, "2026-11-29"))
	must(t, db.CreateFeedback(ctx, &store.Feedback{Path: "/nyheter/aterstallning", Helpful: true, Comment: prefix + "Bra", Status: store.FeedbackNew, CreatedAt: now}))
	must(t, db.Audited(ctx, &store.AuditEntry{At: now, Actor: "per", Action: "publish", Target: it.Path}, func(*store.DB) error { return nil }))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storeSnapshot is every row of every table, and the pages the editor's
// items make.
type storeSnapshot struct {
	tables map[string][]string
	pages  []string
}

func snapshotStore(t *testing.T, db *store.DB) storeSnapshot {
	t.Helper()
	g := db.Gorm()
	tables, err := g.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	s := storeSnapshot{tables: map[string][]string{}}
	for _, name := range tables {
		var rows []map[string]any
		if err := g.Table(name).Find(&rows).Error; err != nil {
			t.Fatal(name, err)
		}
		for _, r := range rows {
			for k, v := range r {
				if tm, ok := v.(time.Time); ok { // SQLite and PostgreSQL agree on the instant, not the zone
					r[k] = tm.UTC().Format(time.RFC3339Nano)
				}
			}
			b, _ := json.Marshal(r)
			s.tables[name] = append(s.tables[name], string(b))
		}
		slices.Sort(s.tables[name])
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: time.UTC, Policy: access.Policy{}}, clock.System{}, quiet, publishing.NewSource(db, time.Second))
	st, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.ForIndex() {
		s.pages = append(s.pages, p.URL+" "+p.Title)
	}
	slices.Sort(s.pages)
	return s
}

func sameStore(t *testing.T, want, got storeSnapshot) {
	t.Helper()
	for _, name := range []string{"items", "revisions", "sessions", "tile_rows", "tile_icons", "tile_notices", "favorites", "tile_clicks", "feedbacks", "audit_entries", "schema_version"} {
		if len(want.tables[name]) == 0 {
			t.Errorf("the test wrote nothing to %s (tables: %v)", name, slices.Sorted(maps.Keys(want.tables)))
		}
	}
	if len(want.pages) == 0 {
		t.Error("the editor's items made no page")
	}
	for name, rows := range want.tables {
		if !slices.Equal(rows, got.tables[name]) {
			t.Errorf("%s after the restore:\n got %v\nwant %v", name, got.tables[name], rows)
		}
	}
	for name := range got.tables {
		if _, ok := want.tables[name]; !ok {
			t.Errorf("the restore has a table %s the original had not", name)
		}
	}
	if !slices.Equal(want.pages, got.pages) {
		t.Errorf("pages after the restore:\n got %v\nwant %v", got.pages, want.pages)
	}
}
