package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrNoOnlineBackup is returned for databases that have their own tools.
var ErrNoOnlineBackup = errors.New("PostgreSQL is backed up with pg_dump (see the README), not by torg")

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
