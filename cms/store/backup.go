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
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNoOnlineBackup is returned for databases that have their own tools.
var ErrNoOnlineBackup = errors.New("PostgreSQL is backed up with pg_dump (see the README), not by torg")

// ErrNoDatabase is returned when there is no Torg database to back up.
var ErrNoDatabase = errors.New("no Torg database")

// OpenForBackup opens an existing SQLite database as it is: it creates no
// file and runs no migration, and it refuses a file that holds no Torg
// schema, so that a wrong data folder is reported instead of backed up as
// an empty database. url and dataDir are as for Open.
func OpenForBackup(ctx context.Context, url, dataDir string) (*DB, error) {
	switch {
	case url == "" || strings.HasPrefix(url, "sqlite:"):
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") || strings.Contains(url, "dbname="):
		return nil, ErrNoOnlineBackup
	default:
		return nil, fmt.Errorf("database URL %q: use sqlite:PATH, or leave it empty for SQLite in the data folder", url)
	}
	path := strings.TrimPrefix(url, "sqlite:")
	if path == "" {
		path = filepath.Join(dataDir, "torg.db")
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: give the data folder (--data) or database (--database-url) the server uses", ErrNoDatabase, path)
		}
		return nil, err
	}
	// mode=rw opens the file only if it exists: nothing is created here.
	dsn := "file:" + path + "?mode=rw&_pragma=busy_timeout(5000)"
	g, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	db := &DB{gorm: g, dialect: "sqlite"}
	v := 0
	if g.WithContext(ctx).Migrator().HasTable(&schemaVersion{}) {
		v, err = db.Version(ctx)
	}
	if err != nil || v == 0 {
		db.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("%w in %s: the file holds no Torg schema; give the data folder (--data) or database (--database-url) the server uses", ErrNoDatabase, path)
	}
	return db, nil
}

// Backup writes a consistent copy of a SQLite database to path while it is
// in use: SQLite's VACUUM INTO reads one snapshot, so writers go on and
// the copy holds every transaction committed before it started. It never
// overwrites a file.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != "sqlite" {
		return ErrNoOnlineBackup
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; give a new file name", path)
	}
	if err := db.gorm.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		os.Remove(path)
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	return nil
}
