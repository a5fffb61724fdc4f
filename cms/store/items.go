package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Item statuses.
const (
	StatusDraft       = "draft"
	StatusInReview    = "in_review"
	StatusPublished   = "published"
	StatusUnpublished = "unpublished"
)

// Item is a piece of content written in the web editor. Its published
// revision is what readers see; a newer draft can wait for review beside it.
type Item struct {
	ID           int64  `gorm:"primaryKey;autoIncrement"`
	Path         string `gorm:"size:512;uniqueIndex"` // like a file: nyheter/julbord.md
	Status       string `gorm:"size:20;index"`
	Version      int64  // goes up with every change; a stale save is refused
	AuthorID     string `gorm:"size:255"`
	AuthorName   string `gorm:"size:255"` // as the ID token said when the item was made
	DraftRev     int64  // the revision being worked on (0: none)
	PublishedRev int64  // the revision readers see (0: none)
	ApprovedBy   string `gorm:"size:255"`
	ApproverName string `gorm:"size:255"` // as the ID token said at the approval
	ApprovedAt   *time.Time
	Comment      string `gorm:"size:2000"` // the last reviewer's comment, or the unpublish reason
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"index"`
}

// Revision is one saved version of an item's Markdown.
type Revision struct {
	ID         int64  `gorm:"primaryKey;autoIncrement"`
	ItemID     int64  `gorm:"index"`
	Markdown   string `gorm:"type:text"`
	AuthorID   string `gorm:"size:255"`
	AuthorName string `gorm:"size:255"` // as the ID token said when it was saved
	Note       string `gorm:"size:500"` // what changed, in words
	CreatedAt  time.Time
}

// AuditEntry records an editorial or admin action. Entries are only ever added.
type AuditEntry struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	At        time.Time `gorm:"index"`
	Actor     string    `gorm:"size:255"`
	ActorName string    `gorm:"size:255"` // as the ID token said at the time
	Action    string    `gorm:"size:64"`
	Target    string    `gorm:"size:512"`
	Address   string    `gorm:"size:64"`
	Details   string    `gorm:"size:2000"`
}

// FeedToken is a person's secret feed address, stored as a hash.
type FeedToken struct {
	Hash      string `gorm:"primaryKey;size:64"`
	Subject   string `gorm:"size:255;index"`
	Roles     string `gorm:"size:2048"`
	Level     string `gorm:"size:64"`
	CreatedAt time.Time
}

// Media is an uploaded image.
type Media struct {
	ID          int64  `gorm:"primaryKey;autoIncrement"`
	Key         string `gorm:"size:32;uniqueIndex"` // random: the address cannot be guessed
	Name        string `gorm:"size:255"`
	ContentType string `gorm:"size:64"`
	Data        []byte
	UploadedBy  string `gorm:"size:255"`
	CreatedAt   time.Time
}

// ErrConflict is a save based on a version that is no longer the latest.
var ErrConflict = errors.New("the item was changed by someone else")

// Tx runs f in a transaction.
func (db *DB) Tx(ctx context.Context, f func(tx *DB) error) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return f(&DB{gorm: tx, dialect: db.dialect})
	})
}

// CreateItem stores a new item with its first revision.
func (db *DB) CreateItem(ctx context.Context, it *Item, rev *Revision) error {
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.gorm.Create(it).Error; err != nil {
			return fmt.Errorf("create item: %w", err)
		}
		rev.ItemID = it.ID
		if err := tx.gorm.Create(rev).Error; err != nil {
			return err
		}
		it.DraftRev = rev.ID
		return tx.gorm.Model(it).UpdateColumn("draft_rev", rev.ID).Error // a column, so gorm stamps no wall-clock updated_at
	})
}

// ItemByID returns an item, or ErrNotFound.
func (db *DB) ItemByID(ctx context.Context, id int64) (*Item, error) {
	var it Item
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &it, err
}

// ItemByPath returns the item at a path, or ErrNotFound.
func (db *DB) ItemByPath(ctx context.Context, path string) (*Item, error) {
	var it Item
	err := db.gorm.WithContext(ctx).Where("path = ?", path).Take(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &it, err
}

// Items lists items, newest change first.
func (db *DB) Items(ctx context.Context) ([]Item, error) {
	var out []Item
	err := db.gorm.WithContext(ctx).Order("updated_at DESC, id DESC").Find(&out).Error
	return out, err
}

// UpdateItem saves an item if its version is still expectVersion, and
// raises the version; ErrConflict otherwise.
func (db *DB) UpdateItem(ctx context.Context, it *Item, expectVersion int64) error {
	it.Version = expectVersion + 1
	res := db.gorm.WithContext(ctx).Model(&Item{}).Where("id = ? AND version = ?", it.ID, expectVersion).
		Select("status", "version", "draft_rev", "published_rev", "approved_by", "approver_name", "approved_at", "comment", "updated_at", "path").
		Updates(it)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		it.Version = expectVersion
		return ErrConflict
	}
	return nil
}

// AddRevision stores a revision.
func (db *DB) AddRevision(ctx context.Context, rev *Revision) error {
	return db.gorm.WithContext(ctx).Create(rev).Error
}

// RevisionByID returns a revision, or ErrNotFound.
func (db *DB) RevisionByID(ctx context.Context, id int64) (*Revision, error) {
	var r Revision
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &r, err
}

// Revisions lists an item's revisions, newest first.
func (db *DB) Revisions(ctx context.Context, itemID int64) ([]Revision, error) {
	var out []Revision
	err := db.gorm.WithContext(ctx).Where("item_id = ?", itemID).Order("id DESC").Find(&out).Error
	return out, err
}

// PublishedMarkdown returns path → Markdown of every published item.
func (db *DB) PublishedMarkdown(ctx context.Context) (map[string]string, error) {
	type row struct {
		Path     string
		Markdown string
	}
	var rows []row
	err := db.gorm.WithContext(ctx).Table("items").Select("items.path, revisions.markdown").
		Joins("JOIN revisions ON revisions.id = items.published_rev").
		Where("items.status <> ? AND items.published_rev > 0", StatusUnpublished).Scan(&rows).Error
	out := map[string]string{}
	for _, r := range rows {
		out[r.Path] = r.Markdown
	}
	return out, err
}

// ItemsStamp changes whenever any item changes: the watcher's cheap check.
func (db *DB) ItemsStamp(ctx context.Context) (string, error) {
	var r struct {
		N int64
		V int64
	}
	err := db.gorm.WithContext(ctx).Model(&Item{}).Select("COUNT(*) AS n, COALESCE(SUM(version), 0) AS v").Scan(&r).Error
	return fmt.Sprintf("%d/%d", r.N, r.V), err
}

// ErrAuditUnwritable is a change rolled back because its audit entry could
// not be written.
var ErrAuditUnwritable = errors.New("the audit log cannot be written, so nothing was changed")

// Audited makes change and adds e to the audit log in one transaction: a
// change whose entry cannot be written does not happen. It is the only way
// entries are written.
func (db *DB) Audited(ctx context.Context, e *AuditEntry, change func(tx *DB) error) error {
	return db.Tx(ctx, func(tx *DB) error {
		if err := change(tx); err != nil {
			return err
		}
		if err := tx.gorm.WithContext(ctx).Create(e).Error; err != nil {
			return fmt.Errorf("%w: %w", ErrAuditUnwritable, err)
		}
		return nil
	})
}

// AuditLog lists entries, newest first, at most limit (0: all).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	q := db.gorm.WithContext(ctx).Order("id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	err := q.Find(&out).Error
	return out, err
}

// CreateFeedToken stores a feed token's hash.
func (db *DB) CreateFeedToken(ctx context.Context, t *FeedToken) error {
	return db.gorm.WithContext(ctx).Create(t).Error
}

// FeedTokenByHash returns a feed token, or ErrNotFound.
func (db *DB) FeedTokenByHash(ctx context.Context, hash string) (*FeedToken, error) {
	var t FeedToken
	err := db.gorm.WithContext(ctx).Where("hash = ?", hash).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &t, err
}

// DeleteFeedTokens revokes every feed token of a person.
func (db *DB) DeleteFeedTokens(ctx context.Context, subject string) error {
	return db.gorm.WithContext(ctx).Where("subject = ?", subject).Delete(&FeedToken{}).Error
}

// SaveMedia stores an upload.
func (db *DB) SaveMedia(ctx context.Context, m *Media) error {
	return db.gorm.WithContext(ctx).Create(m).Error
}

// MediaByKey returns an upload, or ErrNotFound.
func (db *DB) MediaByKey(ctx context.Context, key string) (*Media, error) {
	var m Media
	err := db.gorm.WithContext(ctx).Where("key = ?", key).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &m, err
}
