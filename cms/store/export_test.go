package store

import "context"

// OpenAt opens a database migrated only up to version, as an older torg
// would have left it.
func OpenAt(ctx context.Context, url, dataDir string, version int) (*DB, error) {
	return open(ctx, url, dataDir, version)
}

// Latest is the newest migration this torg knows.
var Latest = migrations[len(migrations)-1].version

// MigrateLive migrates the live models, as the steps once did.
func MigrateLive(db *DB) error {
	return db.gorm.AutoMigrate(&Session{}, &LoginAttempt{}, &TileRow{}, &TileCategoryRow{}, &Favorite{}, &TileClick{}, &TileNotice{},
		&TileIcon{}, &SearchQuery{}, &Item{}, &Revision{}, &AuditEntry{}, &FeedToken{}, &Media{}, &Feedback{})
}
