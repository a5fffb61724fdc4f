package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

func TestMigrationsRunOnceAndReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		db, err := store.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.Version(ctx)
		if err != nil || v < 1 {
			t.Fatalf("version %d, %v", v, err)
		}
		db.Close()
	}
}

func TestPostgresMigratesConcurrently(t *testing.T) {
	url := storetest.PostgresURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(context.Background(), url, "")
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("instances starting together: %v", err)
		}
	}
}

func TestBadDatabaseURL(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://x", t.TempDir())
	if err == nil || err.Error() != `database URL "mysql://x": use postgres://…, sqlite:PATH, or leave it empty for SQLite in the data folder` {
		t.Fatalf("err = %v", err)
	}
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		s := &store.Session{ID: "abc", Subject: "sub", Name: "Sara", Roles: "substitute employee", Level: "password", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(10 * time.Hour)}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.SessionByID(ctx, "abc")
		if err != nil || got.Subject != "sub" || got.Roles != "substitute employee" || !got.ExpiresAt.Equal(now.Add(10*time.Hour)) {
			t.Fatalf("read back: %+v %v", got, err)
		}
		if err := db.TouchSession(ctx, "abc", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.SessionByID(ctx, "abc")
		if !got.LastSeen.Equal(now.Add(time.Minute)) {
			t.Fatalf("last seen %v", got.LastSeen)
		}
		db.CreateSession(ctx, &store.Session{ID: "idle", LastSeen: now.Add(-20 * time.Minute), ExpiresAt: now.Add(time.Hour), CreatedAt: now})
		db.CreateSession(ctx, &store.Session{ID: "old", LastSeen: now, ExpiresAt: now, CreatedAt: now.Add(-10 * time.Hour)})
		n, err := db.DeleteExpiredSessions(ctx, now, now.Add(-15*time.Minute), now.Add(-10*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("deleted %d, %v", n, err)
		}
		if _, err := db.SessionByID(ctx, "idle"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("idle session should be gone: %v", err)
		}
		if err := db.DeleteSession(ctx, "abc"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByID(ctx, "abc"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
	})
}

func TestLoginAttemptIsTakenOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.CreateLoginAttempt(ctx, &store.LoginAttempt{State: "st", Nonce: "n", Verifier: "v", Return: "/x", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		got := make(chan bool, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := db.TakeLoginAttempt(ctx, "st")
				got <- err == nil && a.Verifier == "v"
			}()
		}
		wg.Wait()
		close(got)
		wins := 0
		for ok := range got {
			if ok {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("the attempt was taken %d times, want once", wins)
		}
	})
}

func TestSearchTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, r := range []struct{ q, day string }{
			{"lönespec", "2026-11-20"}, {"lönespec", "2026-11-21"}, {"glömt lösenord", "2026-11-21"},
			{"pass", "2026-11-21"}, {"pass", "2026-11-22"}, {"pass", "2026-11-22"}, {"utanför", "2026-10-01"},
		} {
			if err := db.RecordSearch(ctx, r.q, r.day, 100); err != nil {
				t.Fatal(err)
			}
		}
		db.RecordSearchClick(ctx, "glömt lösenord", "2026-11-21")
		terms, err := db.SearchTerms(ctx, "2026-11-01", "2026-11-30", 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.SearchMiss{{Query: "pass", Searches: 3, LastDay: "2026-11-22"}, {Query: "lönespec", Searches: 2, LastDay: "2026-11-21"}, {Query: "glömt lösenord", Searches: 1, Clicks: 1, LastDay: "2026-11-21"}}
		if fmt.Sprint(terms) != fmt.Sprint(want) {
			t.Fatalf("terms: %+v, want %+v", terms, want)
		}
		// A full day counts the queries it has and adds no more.
		for _, q := range []string{"pass", "ny", "pass"} {
			if err := db.RecordSearch(ctx, q, "2026-11-22", 1); err != nil {
				t.Fatal(err)
			}
		}
		terms, err = db.SearchTerms(ctx, "2026-11-22", "2026-11-22", 10)
		if want := []store.SearchMiss{{Query: "pass", Searches: 4, LastDay: "2026-11-22"}}; err != nil || fmt.Sprint(terms) != fmt.Sprint(want) {
			t.Fatalf("a full day: %+v %v, want %+v", terms, err, want)
		}
	})
}

// The search statistics hold counts per query and day only: nobody who
// searched, and not whether they found anything, which depends on who
// they are.
func TestSearchStatisticsHoldNothingPersonal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cols, err := store.SearchColumns(db)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(cols)
		if want := []string{"clicks", "day", "query", "searches"}; !slices.Equal(cols, want) {
			t.Fatalf("search statistics have the columns %v; want only %v", cols, want)
		}
	})
}

// TestUpgradeFromEveryEarlierVersion leaves a database as each earlier
// version did, with a session in it, and opens it with this one: every
// later migration runs once, the session is still there. A database newer
// than this torg is refused with a reason.
func TestUpgradeFromEveryEarlierVersion(t *testing.T) {
	ctx := context.Background()
	backends := map[string]func(t *testing.T) (url, dir string){
		"sqlite":   func(t *testing.T) (string, string) { return "", t.TempDir() },
		"postgres": func(t *testing.T) (string, string) { return storetest.PostgresURL(t), "" },
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			for from := 0; from < store.Latest; from++ {
				url, dir := backend(t)
				if from > 0 {
					old, err := store.OpenAt(ctx, url, dir, from)
					if err != nil {
						t.Fatalf("at version %d: %v", from, err)
					}
					if v, _ := old.Version(ctx); v != from {
						t.Fatalf("left at version %d, want %d", v, from)
					}
					if err := old.CreateSession(ctx, &store.Session{ID: "s1", Subject: "sara", CreatedAt: time.Now(), LastSeen: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
						t.Fatal(err)
					}
					old.Close()
				}
				db, err := store.Open(ctx, url, dir)
				if err != nil {
					t.Fatalf("from version %d: %v", from, err)
				}
				if v, _ := db.Version(ctx); v != store.Latest {
					t.Errorf("from version %d: at %d, want %d", from, v, store.Latest)
				}
				if from > 0 {
					if s, err := db.SessionByID(ctx, "s1"); err != nil || s.Subject != "sara" {
						t.Errorf("from version %d the session is lost: %v", from, err)
					}
				}
				if from == 0 {
					if err := db.Gorm().Exec("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", store.Latest+1, "from the future", time.Now()).Error; err != nil {
						t.Fatal(err)
					}
					db.Close()
					if _, err := store.Open(ctx, url, dir); err == nil || !strings.Contains(err.Error(), "newer than this torg knows") {
						t.Errorf("a newer database: %v", err)
					}
					continue
				}
				db.Close()
			}
		})
	}
}
