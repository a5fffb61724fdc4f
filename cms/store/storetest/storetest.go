// Package storetest opens real databases for tests: a SQLite file in a
// temporary folder, and a fresh schema on the PostgreSQL server named by
// TORG_TEST_POSTGRES (default: the local server's "test" database).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver gorm's postgres driver uses

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/testenv"
)

// PostgresDSN is the server tests use.
func PostgresDSN() string {
	if dsn := os.Getenv("TORG_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return "host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable"
}

// SQLite opens a new SQLite database in a temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL creates a fresh schema on the test server and returns a DSN
// that uses it. It skips the test, with the reason, only when no server
// answers; in CI there always is one.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return fresh(t, "SCHEMA", "DROP SCHEMA %s CASCADE", "search_path")
}

// PostgresDatabase creates a fresh, empty database on the test server and
// returns a DSN that uses it, for tests of what works on a whole database
// (pg_dump, pg_restore). It is dropped when the test ends.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	return fresh(t, "DATABASE", "DROP DATABASE %s WITH (FORCE)", "dbname")
}

// fresh creates a randomly named schema or database (kind) on the test
// server, drops it when the test ends, and returns the server's DSN with
// param naming it.
func fresh(t testing.TB, kind, drop, param string) string {
	t.Helper()
	base := PostgresDSN()
	conn, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		testenv.Require(t, fmt.Errorf("no PostgreSQL at %q: %v", base, err))
		return ""
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	if _, err := conn.ExecContext(ctx, "CREATE "+kind+" "+name); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), fmt.Sprintf(drop, name))
		conn.Close()
	})
	return fmt.Sprintf("%s %s=%s", base, param, name)
}

// Postgres opens a database in a fresh schema on the test server.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Each runs f against SQLite and PostgreSQL.
func Each(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}
