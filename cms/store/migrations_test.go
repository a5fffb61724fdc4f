package store_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// record writes the schema of a version that has none in testdata/schema
// yet. A recorded schema is never rewritten: it is what that version is.
var record = flag.Bool("record", false, "record the schema of migration versions not yet in testdata/schema")

// TestFreshEqualsUpgraded upgrades one database a step at a time from
// version 0 and checks each version against the schema recorded for it in
// testdata/schema (versions 1–8 were recorded by the torg that had that
// version as its newest step, so each step still does what it did when it
// was released). At the end the database equals a fresh one.
func TestFreshEqualsUpgraded(t *testing.T) {
	ctx := context.Background()
	backends := map[string]func(t *testing.T) (url, dir string){
		"sqlite":   func(t *testing.T) (string, string) { return "", t.TempDir() },
		"postgres": func(t *testing.T) (string, string) { return storetest.PostgresURL(t), "" },
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			url, dir := backend(t)
			var upgraded string
			for v := 1; v <= store.Latest; v++ {
				db, err := store.OpenAt(ctx, url, dir, v)
				if err != nil {
					t.Fatalf("to version %d: %v", v, err)
				}
				if got, _ := db.Version(ctx); got != v {
					t.Fatalf("at version %d, want %d", got, v)
				}
				upgraded = storetest.Schema(t, db)
				db.Close()
				golden := filepath.Join("testdata", "schema", fmt.Sprintf("%s-%d.txt", name, v))
				want, err := os.ReadFile(golden)
				if os.IsNotExist(err) && *record {
					if err := os.WriteFile(golden, []byte(upgraded), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%v: record a new version with go test ./cms/store/ -run TestFreshEqualsUpgraded -record", err)
				}
				if d := storetest.SchemaDiff(string(want), upgraded); d != "" {
					t.Errorf("version %d is not what it was when released (-%s +now):\n%s", v, golden, d)
				}
			}
			freshURL, freshDir := backend(t)
			fresh, err := store.Open(ctx, freshURL, freshDir)
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			if d := storetest.SchemaDiff(storetest.Schema(t, fresh), upgraded); d != "" {
				t.Errorf("upgraded step by step differs from fresh (-fresh +upgraded):\n%s", d)
			}
		})
	}
}

// TestOpensDatabasesOfEarlierReleases opens SQLite files made by earlier
// torgs, each with a session in it: they migrate to the newest version,
// keep the session, and have the schema of a fresh database. The file from
// the first release of step 6 has media without its key column.
func TestOpensDatabasesOfEarlierReleases(t *testing.T) {
	ctx := context.Background()
	fresh := storetest.SQLite(t)
	want := storetest.Schema(t, fresh)
	for _, file := range []string{"torg-f14e943.db", "torg-c58cf6b.db"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "torg.db")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, "sqlite:"+path, "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, _ := db.Version(ctx); v != store.Latest {
				t.Errorf("at version %d, want %d", v, store.Latest)
			}
			if s, err := db.SessionByID(ctx, "s1"); err != nil || s.Subject != "sara" {
				t.Errorf("the session is lost: %v", err)
			}
			if d := storetest.SchemaDiff(want, storetest.Schema(t, db)); d != "" {
				t.Errorf("upgraded differs from fresh (-fresh +upgraded):\n%s", d)
			}
		})
	}
}

// TestLiveModelsMatchTheLatestVersion migrates the live models over a
// fresh database: nothing may change, or a model was changed without the
// migration step that makes the change in existing databases.
func TestLiveModelsMatchTheLatestVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		before := storetest.Schema(t, db)
		if err := store.MigrateLive(db); err != nil {
			t.Fatal(err)
		}
		if d := storetest.SchemaDiff(before, storetest.Schema(t, db)); d != "" {
			t.Errorf("the live models differ from the newest migration; add a step (-migrated +live):\n%s", d)
		}
	})
}
