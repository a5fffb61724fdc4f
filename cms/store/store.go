// Package store keeps Torg's state through gorm: SQLite in the data folder
// by default, PostgreSQL when several instances share one database. Schema
// changes are numbered migrations that run at start.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// DB is an open database.
type DB struct {
	gorm    *gorm.DB
	dialect string
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Gorm exposes the handle for packages that keep their own tables.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Open connects to url: empty for a SQLite file in dataDir, "sqlite:PATH"
// for another SQLite file, or a PostgreSQL URL or DSN ("postgres://…",
// "host=… dbname=…"). It runs the migrations before it returns.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	return open(ctx, url, dataDir, 0)
}

// open is Open with the migrations up to version upto only (0: all).
func open(ctx context.Context, url, dataDir string, upto int) (*DB, error) {
	cfg := &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }}
	var db *DB
	switch {
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("data folder: %w", err)
			}
			path = filepath.Join(dataDir, "torg.db")
		}
		// WAL lets readers go on while one writer writes; busy_timeout makes
		// a second writer wait instead of failing.
		dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		g, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite %s: %w", path, err)
		}
		db = &DB{gorm: g, dialect: "sqlite"}
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") || strings.Contains(url, "dbname="):
		g, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		db = &DB{gorm: g, dialect: "postgres"}
	default:
		return nil, fmt.Errorf("database URL %q: use postgres://…, sqlite:PATH, or leave it empty for SQLite in the data folder", url)
	}
	if err := db.migrate(ctx, upto); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// found turns a write that touched no row into ErrNotFound.
func found(res *gorm.DB) error {
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// LimitConns caps PostgreSQL's open connections at n, so that a burst of
// requests waits for a connection instead of being refused by the server
// ("too many clients") when instances together would pass its
// max_connections. SQLite's pool is left as it is.
func (db *DB) LimitConns(n int) {
	sqlDB, err := db.gorm.DB()
	if err != nil || db.dialect != "postgres" || n < 1 {
		return
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// migration is one numbered step. Steps are never edited once released;
// a change is a new step. A step migrates its own frozen copies of the
// tables (migrations.go), never the live models, so that it does today
// exactly what it did when it was released.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

var migrations = []migration{
	{1, "sessions and sign-in attempts", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&sessionV1{}, &loginAttemptV1{})
	}},
	{2, "sign-in attempts bound to a browser, not to one attempt cookie", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&loginAttemptV2{})
	}},
	{3, "tiles, favourites, clicks and disruption notices", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&tileRowV3{}, &tileCategoryRowV3{}, &favoriteV3{}, &tileClickV3{}, &tileNoticeV3{})
	}},
	{4, "uploaded tile icons", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&tileIconV4{})
	}},
	{5, "search queries that found nothing or were not followed", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&searchQueryV5{})
	}},
	{6, "items written in the editor, revisions, audit log, feed tokens, media", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&itemV6{}, &revisionV6{}, &auditEntryV6{}, &feedTokenV6{}, &mediaV6{})
	}},
	{7, "page feedback", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&feedbackV7{})
	}},
	{8, "the level a step-up sign-in asked for", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&loginAttemptV8{})
	}},
	// The first release of step 6 made media without its key, and no step
	// added it later: uploads failed in databases made then.
	{9, "the unguessable key of uploaded images, where step 6 left it out", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&mediaV6{})
	}},
	{10, "forget whether a searcher found anything", func(tx *gorm.DB) error {
		if tx.Migrator().HasColumn(&searchQueryV5{}, "zero_hits") {
			return tx.Migrator().DropColumn(&searchQueryV5{}, "zero_hits")
		}
		return nil
	}},
	{11, "people's names beside their ids on items, revisions and audit entries", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&itemV11{}, &revisionV11{}, &auditEntryV11{})
	}},
}

// schemaVersion is frozen too: every database has it.
type schemaVersion struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (schemaVersion) TableName() string { return "schema_version" }

// Migrate brings the schema up to date, each step in its own transaction.
// Instances starting together on PostgreSQL take an advisory lock so that
// only one migrates.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, 0) }

func (db *DB) migrate(ctx context.Context, upto int) error {
	g := db.gorm.WithContext(ctx)
	if db.dialect == "postgres" {
		conn, err := g.DB()
		if err != nil {
			return err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock(7317)"); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer c.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7317)")
	}
	if err := g.AutoMigrate(&schemaVersion{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var done []int
	if err := g.Model(&schemaVersion{}).Pluck("version", &done).Error; err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	latest := migrations[len(migrations)-1].version
	for _, v := range done {
		applied[v] = true
		if v > latest {
			return fmt.Errorf("the database has schema version %d, newer than this torg knows (%d): run the newer torg, or restore a backup taken before the upgrade", v, latest)
		}
	}
	for _, m := range migrations {
		if applied[m.version] || (upto > 0 && m.version > upto) {
			continue
		}
		err := g.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaVersion{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// Version is the newest migration applied.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.gorm.WithContext(ctx).Model(&schemaVersion{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, err
}
