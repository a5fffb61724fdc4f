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

// RecordSearch counts one search. A query new to the day is added only
// while the day holds fewer than maxPerDay queries, so that a flood of
// made-up queries cannot grow the table without end.
func (db *DB) RecordSearch(ctx context.Context, q, day string, maxPerDay int) error {
	g := db.gorm.WithContext(ctx)
	res := g.Model(&SearchQuery{}).Where("query = ? AND day = ?", q, day).Update("searches", gorm.Expr("searches + 1"))
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	var n int64
	if err := g.Model(&SearchQuery{}).Where("day = ?", day).Count(&n).Error; err != nil || n >= int64(maxPerDay) {
		return err
	}
	return g.Clauses(clause.OnConflict{
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
