package store

import "context"

// OpenAt opens a database migrated only up to version, as an older torg
// would have left it.
func OpenAt(ctx context.Context, url, dataDir string, version int) (*DB, error) {
	return open(ctx, url, dataDir, version)
}

// Latest is the newest migration this torg knows.
var Latest = migrations[len(migrations)-1].version

// SearchColumns are the columns of the search statistics, as stored.
func SearchColumns(db *DB) ([]string, error) {
	cols, err := db.gorm.Migrator().ColumnTypes(&SearchQuery{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cols {
		out = append(out, c.Name())
	}
	return out, nil
}

// MigrateLive migrates the live models, as the steps once did.
func MigrateLive(db *DB) error {
	return db.gorm.AutoMigrate(&Session{}, &LoginAttempt{}, &TileRow{}, &TileCategoryRow{}, &Favorite{}, &TileClick{}, &TileNotice{},
		&TileIcon{}, &SearchQuery{}, &Item{}, &Revision{}, &AuditEntry{}, &FeedToken{}, &Media{}, &Feedback{})
}
