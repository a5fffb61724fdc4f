package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TileRow is a tile's definition, kept as JSON so that new tile fields need
// no migration.
type TileRow struct {
	ID        string `gorm:"primaryKey;size:64"`
	Data      string `gorm:"type:text"`
	UpdatedAt time.Time
}

// TileCategoryRow is a tile category, as JSON.
type TileCategoryRow struct {
	ID   string `gorm:"primaryKey;size:64"`
	Data string `gorm:"type:text"`
}

// Favorite is a tile a person pinned, in their order.
type Favorite struct {
	Subject  string `gorm:"primaryKey;size:255"`
	TileID   string `gorm:"primaryKey;size:64"`
	Position int
}

// TileClick counts clicks on a tile on a day. No person is recorded.
type TileClick struct {
	TileID string `gorm:"primaryKey;size:64"`
	Day    string `gorm:"primaryKey;size:10"` // YYYY-MM-DD in the site's zone
	Count  int64
}

// TileNotice is a disruption notice on a tile.
type TileNotice struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	TileID    string `gorm:"size:64;index"`
	Text      string `gorm:"size:500"`
	StartsAt  time.Time
	EndsAt    time.Time `gorm:"index"`
	CreatedBy string    `gorm:"size:255"`
	CreatedAt time.Time
}

// TileState is every stored tile and category.
type TileState struct {
	Tiles      []TileRow
	Categories []TileCategoryRow
	Updated    time.Time
}

// LoadTiles reads every tile and category.
func (db *DB) LoadTiles(ctx context.Context) (*TileState, error) {
	var st TileState
	g := db.gorm.WithContext(ctx)
	if err := g.Order("id").Find(&st.Tiles).Error; err != nil {
		return nil, fmt.Errorf("read tiles: %w", err)
	}
	if err := g.Order("id").Find(&st.Categories).Error; err != nil {
		return nil, fmt.Errorf("read tile categories: %w", err)
	}
	for _, t := range st.Tiles {
		if t.UpdatedAt.After(st.Updated) {
			st.Updated = t.UpdatedAt
		}
	}
	return &st, nil
}

// ReplaceTiles makes the stored tiles and categories exactly these, in one
// transaction: an import from tiles.yaml.
func (db *DB) ReplaceTiles(ctx context.Context, tiles []TileRow, cats []TileCategoryRow) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&TileRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("1 = 1").Delete(&TileCategoryRow{}).Error; err != nil {
			return err
		}
		if len(cats) > 0 {
			if err := tx.Create(&cats).Error; err != nil {
				return err
			}
		}
		if len(tiles) > 0 {
			if err := tx.Create(&tiles).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// HasTiles reports whether any tile is stored.
func (db *DB) HasTiles(ctx context.Context) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&TileRow{}).Count(&n).Error
	return n > 0, err
}

// SaveTile creates or replaces one tile.
func (db *DB) SaveTile(ctx context.Context, t TileRow) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "updated_at"}),
	}).Create(&t).Error
}

// DeleteTile removes a tile with its favourites and notices. ErrNotFound
// when there was none.
func (db *DB) DeleteTile(ctx context.Context, id string) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := found(tx.Where("id = ?", id).Delete(&TileRow{})); err != nil {
			return err
		}
		if err := tx.Where("tile_id = ?", id).Delete(&Favorite{}).Error; err != nil {
			return err
		}
		return tx.Where("tile_id = ?", id).Delete(&TileNotice{}).Error
	})
}

// Favorites returns a person's pinned tiles in their order.
func (db *DB) Favorites(ctx context.Context, subject string) ([]string, error) {
	var ids []string
	err := db.gorm.WithContext(ctx).Model(&Favorite{}).Where("subject = ?", subject).Order("position").Pluck("tile_id", &ids).Error
	return ids, err
}

// SetFavorites replaces a person's pinned tiles.
func (db *DB) SetFavorites(ctx context.Context, subject string, ids []string) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("subject = ?", subject).Delete(&Favorite{}).Error; err != nil {
			return err
		}
		for i, id := range ids {
			if err := tx.Create(&Favorite{Subject: subject, TileID: id, Position: i}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// CountClick adds one click on a tile on a day.
func (db *DB) CountClick(ctx context.Context, tileID, day string) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tile_id"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"count": gorm.Expr("tile_clicks.count + 1")}),
	}).Create(&TileClick{TileID: tileID, Day: day, Count: 1}).Error
}

// Clicks lists click counts for the days from..to (YYYY-MM-DD, inclusive).
func (db *DB) Clicks(ctx context.Context, from, to string) ([]TileClick, error) {
	var out []TileClick
	err := db.gorm.WithContext(ctx).Where("day >= ? AND day <= ?", from, to).Order("day, tile_id").Find(&out).Error
	return out, err
}

// CreateNotice stores a disruption notice.
func (db *DB) CreateNotice(ctx context.Context, n *TileNotice) error {
	return db.gorm.WithContext(ctx).Create(n).Error
}

// Notices lists the notices that have not ended at now.
func (db *DB) Notices(ctx context.Context, now time.Time) ([]TileNotice, error) {
	var out []TileNotice
	err := db.gorm.WithContext(ctx).Where("ends_at > ?", now.UTC()).Order("starts_at, id").Find(&out).Error
	return out, err
}

// DeleteNotice removes a notice of a tile; ErrNotFound when there is none.
func (db *DB) DeleteNotice(ctx context.Context, tileID string, id int64) error {
	return found(db.gorm.WithContext(ctx).Where("id = ? AND tile_id = ?", id, tileID).Delete(&TileNotice{}))
}

// TileIcon is an image an admin uploaded for a tile.
type TileIcon struct {
	TileID      string `gorm:"primaryKey;size:64"`
	ContentType string `gorm:"size:64"`
	Data        []byte
	UpdatedAt   time.Time
}

// SaveTileIcon stores or replaces a tile's uploaded icon.
func (db *DB) SaveTileIcon(ctx context.Context, icon TileIcon) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tile_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"content_type", "data", "updated_at"}),
	}).Create(&icon).Error
}

// TileIconByID returns a tile's uploaded icon, or ErrNotFound.
func (db *DB) TileIconByID(ctx context.Context, id string) (*TileIcon, error) {
	var icon TileIcon
	err := db.gorm.WithContext(ctx).Where("tile_id = ?", id).Take(&icon).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &icon, err
}
