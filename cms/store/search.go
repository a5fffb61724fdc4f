package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SearchQuery counts, per query text and day, how many readers searched
// for it and how many followed a hit. Neither who searched nor what they
// found is recorded: what a query finds depends on who asks, and would
// tell of pages some readers may not see.
type SearchQuery struct {
	Query    string `gorm:"primaryKey;size:200"`
	Day      string `gorm:"primaryKey;size:10"`
	Searches int64
	Clicks   int64
}

// RecordSearch counts one search.
func (db *DB) RecordSearch(ctx context.Context, q, day string) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "query"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"searches": gorm.Expr("search_queries.searches + 1")}),
	}).Create(&SearchQuery{Query: q, Day: day, Searches: 1}).Error
}

// RecordSearchClick counts one followed hit.
func (db *DB) RecordSearchClick(ctx context.Context, q, day string) error {
	return db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "query"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"clicks": gorm.Expr("search_queries.clicks + 1")}),
	}).Create(&SearchQuery{Query: q, Day: day, Clicks: 1}).Error
}

// SearchedQueries counts how many queries were recorded on a day, so that
// a flood of new ones can be refused.
func (db *DB) SearchedQueries(ctx context.Context, day string) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&SearchQuery{}).Where("day = ?", day).Count(&n).Error
	return n, err
}

// SearchMiss is a query with how often it was searched and followed.
type SearchMiss struct {
	Query    string `json:"query"`
	Searches int64  `json:"searches"`
	Clicks   int64  `json:"clicks"`
	LastDay  string `json:"last_day"`
}

// SearchTerms returns, for the days from..to, the queries searched most,
// most frequent first. Whether each finds anything is for the one who
// reads the report to see.
func (db *DB) SearchTerms(ctx context.Context, from, to string, limit int) ([]SearchMiss, error) {
	var out []SearchMiss
	err := db.gorm.WithContext(ctx).Model(&SearchQuery{}).
		Select("query, SUM(searches) AS searches, SUM(clicks) AS clicks, MAX(day) AS last_day").
		Where("day >= ? AND day <= ? AND searches > 0", from, to).Group("query").
		Order("SUM(searches) DESC, query").Limit(limit).Scan(&out).Error
	return out, err
}
