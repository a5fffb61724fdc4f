package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Feedback statuses in the communicators' inbox.
const (
	FeedbackNew      = "new"
	FeedbackHandled  = "handled"
	FeedbackArchived = "archived"
)

// Feedback is one answer to "Was this page helpful?". No address is
// stored; Contact is kept only when the person asked to be contacted.
type Feedback struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	Path      string `gorm:"size:512;index"`
	Section   string `gorm:"size:128;index"`
	Revision  string `gorm:"size:64"` // the page's content hash when it was answered
	Lang      string `gorm:"size:8"`
	Helpful   bool
	Comment   string    `gorm:"type:text"`
	Contact   string    `gorm:"size:320"`
	Status    string    `gorm:"size:16;index"`
	Note      string    `gorm:"size:2000"` // the communicators' internal note
	CreatedAt time.Time `gorm:"index"`
}

// FeedbackFilter narrows the dashboard.
type FeedbackFilter struct {
	Section         string
	Lang            string
	From, To        time.Time // To is exclusive; zero means open
	Status          string
	OnlyWithComment bool
}

func (db *DB) feedbackQuery(ctx context.Context, f FeedbackFilter) *gorm.DB {
	q := db.gorm.WithContext(ctx).Model(&Feedback{})
	if f.Section != "" {
		q = q.Where("section = ?", f.Section)
	}
	if f.Lang != "" {
		q = q.Where("lang = ?", f.Lang)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.OnlyWithComment {
		q = q.Where("comment <> ''")
	}
	return q
}

// CreateFeedback stores an answer. It returns only once the database has it.
func (db *DB) CreateFeedback(ctx context.Context, f *Feedback) error {
	return db.gorm.WithContext(ctx).Create(f).Error
}

// FeedbackList lists answers, newest first.
func (db *DB) FeedbackList(ctx context.Context, f FeedbackFilter, limit int) ([]Feedback, error) {
	var out []Feedback
	q := db.feedbackQuery(ctx, f).Order("created_at DESC, id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	return out, q.Find(&out).Error
}

// EachFeedback calls fn for every answer that matches, oldest first, without
// holding them all in memory: for streaming exports.
func (db *DB) EachFeedback(ctx context.Context, f FeedbackFilter, fn func(*Feedback) error) error {
	rows, err := db.feedbackQuery(ctx, f).Order("id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fb Feedback
		if err := db.gorm.ScanRows(rows, &fb); err != nil {
			return err
		}
		if err := fn(&fb); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UpdateFeedback sets the inbox status and internal note.
func (db *DB) UpdateFeedback(ctx context.Context, id int64, status, note string) error {
	return found(db.gorm.WithContext(ctx).Model(&Feedback{}).Where("id = ?", id).Updates(map[string]any{"status": status, "note": note}))
}

// PageStat is the helpfulness of one page.
type PageStat struct {
	Path    string `json:"path"`
	Section string `json:"section"`
	Yes     int64  `json:"yes"`
	No      int64  `json:"no"`
}

// FeedbackStats counts yes and no per page.
func (db *DB) FeedbackStats(ctx context.Context, f FeedbackFilter) ([]PageStat, error) {
	var out []PageStat
	err := db.feedbackQuery(ctx, f).
		Select("path, MAX(section) AS section, SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS yes, SUM(CASE WHEN helpful THEN 0 ELSE 1 END) AS no").
		Group("path").Order("path").Scan(&out).Error
	return out, err
}

// ForgetOldComments removes the comment and contact of answers older than
// before; the yes or no stays, for the figures.
func (db *DB) ForgetOldComments(ctx context.Context, before time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Model(&Feedback{}).Where("created_at < ? AND (comment <> '' OR contact <> '')", before.UTC()).
		Updates(map[string]any{"comment": "", "contact": ""})
	return res.RowsAffected, res.Error
}

// FeedbackByID returns one answer.
func (db *DB) FeedbackByID(ctx context.Context, id int64) (*Feedback, error) {
	var f Feedback
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &f, err
}
