package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SearchQuery counts, per query text and day, how often it was searched,
// how often it found nothing and how often a hit was followed. No person
// is recorded.
type SearchQuery struct {
	Query    string `gorm:"primaryKey;size:200"`
	Day      string `gorm:"primaryKey;size:10"`
	Searches int64
	ZeroHits int64
	Clicks   int64
}

// RecordSearch counts one search.
func (db *DB) RecordSearch(ctx context.Context, q, day string, found bool) error {
	zero := int64(0)
	if !found {
		zero = 1
	}
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "query"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{
			"searches":  gorm.Expr("search_queries.searches + 1"),
			"zero_hits": gorm.Expr("search_queries.zero_hits + ?", zero),
		}),
	}).Create(&SearchQuery{Query: q, Day: day, Searches: 1, ZeroHits: zero}).Error
}

// RecordSearchClick counts one followed hit.
func (db *DB) RecordSearchClick(ctx context.Context, q, day string) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "query"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"clicks": gorm.Expr("search_queries.clicks + 1")}),
	}).Create(&SearchQuery{Query: q, Day: day, Clicks: 1}).Error
}

// SearchMiss is a query people did not get what they wanted from.
type SearchMiss struct {
	Query    string `json:"query"`
	Searches int64  `json:"searches"`
	ZeroHits int64  `json:"zero_hits"`
	Clicks   int64  `json:"clicks"`
	LastDay  string `json:"last_day"`
}

// SearchMisses returns, for the days from..to, queries that found nothing
// and queries whose hits nobody followed, most frequent first.
func (db *DB) SearchMisses(ctx context.Context, from, to string, limit int) (zero, noClick []SearchMiss, err error) {
	base := func() *gorm.DB {
		return db.gorm.WithContext(ctx).Model(&SearchQuery{}).
			Select("query, SUM(searches) AS searches, SUM(zero_hits) AS zero_hits, SUM(clicks) AS clicks, MAX(day) AS last_day").
			Where("day >= ? AND day <= ?", from, to).Group("query")
	}
	if err = base().Having("SUM(zero_hits) > 0").Order("SUM(zero_hits) DESC, query").Limit(limit).Scan(&zero).Error; err != nil {
		return nil, nil, err
	}
	err = base().Having("SUM(clicks) = 0 AND SUM(searches) > SUM(zero_hits)").Order("SUM(searches) DESC, query").Limit(limit).Scan(&noClick).Error
	return zero, noClick, err
}
