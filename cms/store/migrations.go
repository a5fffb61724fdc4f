package store

import "time"

// The tables as each numbered migration creates or changes them. These
// copies are frozen: a step must do forever what it did when it was
// released, whatever the live models (Session, Item, …) look like later.
// A change to a live model's columns or indexes is a new step with its
// own copies here, never an edit of an old one. Names end in the version
// of the step that declares them.

// Version 1: sessions and sign-in attempts.

type sessionV1 struct {
	ID        string `gorm:"primaryKey;size:64"`
	Subject   string `gorm:"size:255;index"`
	Name      string `gorm:"size:255"`
	Email     string `gorm:"size:255"`
	Roles     string `gorm:"size:2048"`
	Level     string `gorm:"size:64"`
	IDToken   string `gorm:"type:text"`
	CreatedAt time.Time
	LastSeen  time.Time `gorm:"index"`
	ExpiresAt time.Time `gorm:"index"`
}

func (sessionV1) TableName() string { return "sessions" }

type loginAttemptV1 struct {
	State     string `gorm:"primaryKey;size:64"`
	Nonce     string `gorm:"size:64"`
	Verifier  string `gorm:"size:128"`
	Return    string `gorm:"size:2048"`
	CreatedAt time.Time
}

func (loginAttemptV1) TableName() string { return "login_attempts" }

// Version 2: sign-in attempts bound to a browser.

type loginAttemptV2 struct {
	State     string `gorm:"primaryKey;size:64"`
	Nonce     string `gorm:"size:64"`
	Verifier  string `gorm:"size:128"`
	Return    string `gorm:"size:2048"`
	Browser   string `gorm:"size:64"`
	CreatedAt time.Time
}

func (loginAttemptV2) TableName() string { return "login_attempts" }

// Version 3: tiles, favourites, clicks and notices.

type tileRowV3 struct {
	ID        string `gorm:"primaryKey;size:64"`
	Data      string `gorm:"type:text"`
	UpdatedAt time.Time
}

func (tileRowV3) TableName() string { return "tile_rows" }

type tileCategoryRowV3 struct {
	ID   string `gorm:"primaryKey;size:64"`
	Data string `gorm:"type:text"`
}

func (tileCategoryRowV3) TableName() string { return "tile_category_rows" }

type favoriteV3 struct {
	Subject  string `gorm:"primaryKey;size:255"`
	TileID   string `gorm:"primaryKey;size:64"`
	Position int
}

func (favoriteV3) TableName() string { return "favorites" }

type tileClickV3 struct {
	TileID string `gorm:"primaryKey;size:64"`
	Day    string `gorm:"primaryKey;size:10"`
	Count  int64
}

func (tileClickV3) TableName() string { return "tile_clicks" }

type tileNoticeV3 struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	TileID    string `gorm:"size:64;index"`
	Text      string `gorm:"size:500"`
	StartsAt  time.Time
	EndsAt    time.Time `gorm:"index"`
	CreatedBy string    `gorm:"size:255"`
	CreatedAt time.Time
}

func (tileNoticeV3) TableName() string { return "tile_notices" }

// Version 4: uploaded tile icons.

type tileIconV4 struct {
	TileID      string `gorm:"primaryKey;size:64"`
	ContentType string `gorm:"size:64"`
	Data        []byte
	UpdatedAt   time.Time
}

func (tileIconV4) TableName() string { return "tile_icons" }

// Version 5: search statistics.

type searchQueryV5 struct {
	Query    string `gorm:"primaryKey;size:200"`
	Day      string `gorm:"primaryKey;size:10"`
	Searches int64
	ZeroHits int64
	Clicks   int64
}

func (searchQueryV5) TableName() string { return "search_queries" }

// Version 6: the editorial tables.

type itemV6 struct {
	ID           int64  `gorm:"primaryKey;autoIncrement"`
	Path         string `gorm:"size:512;uniqueIndex"`
	Status       string `gorm:"size:20;index"`
	Version      int64
	AuthorID     string `gorm:"size:255"`
	DraftRev     int64
	PublishedRev int64
	ApprovedBy   string `gorm:"size:255"`
	ApprovedAt   *time.Time
	Comment      string `gorm:"size:2000"`
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"index"`
}

func (itemV6) TableName() string { return "items" }

type revisionV6 struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	ItemID    int64  `gorm:"index"`
	Markdown  string `gorm:"type:text"`
	AuthorID  string `gorm:"size:255"`
	Note      string `gorm:"size:500"`
	CreatedAt time.Time
}

func (revisionV6) TableName() string { return "revisions" }

type auditEntryV6 struct {
	ID      int64     `gorm:"primaryKey;autoIncrement"`
	At      time.Time `gorm:"index"`
	Actor   string    `gorm:"size:255"`
	Action  string    `gorm:"size:64"`
	Target  string    `gorm:"size:512"`
	Address string    `gorm:"size:64"`
	Details string    `gorm:"size:2000"`
}

func (auditEntryV6) TableName() string { return "audit_entries" }

type feedTokenV6 struct {
	Hash      string `gorm:"primaryKey;size:64"`
	Subject   string `gorm:"size:255;index"`
	Roles     string `gorm:"size:2048"`
	Level     string `gorm:"size:64"`
	CreatedAt time.Time
}

func (feedTokenV6) TableName() string { return "feed_tokens" }

// mediaV6 is the media table as step 6 last made it. Its first release made
// it without Key; version 9 adds the key to databases made then.
type mediaV6 struct {
	ID          int64  `gorm:"primaryKey;autoIncrement"`
	Key         string `gorm:"size:32;uniqueIndex"`
	Name        string `gorm:"size:255"`
	ContentType string `gorm:"size:64"`
	Data        []byte
	UploadedBy  string `gorm:"size:255"`
	CreatedAt   time.Time
}

func (mediaV6) TableName() string { return "media" }

// Version 7: page feedback.

type feedbackV7 struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	Path      string `gorm:"size:512;index"`
	Section   string `gorm:"size:128;index"`
	Revision  string `gorm:"size:64"`
	Lang      string `gorm:"size:8"`
	Helpful   bool
	Comment   string    `gorm:"type:text"`
	Contact   string    `gorm:"size:320"`
	Status    string    `gorm:"size:16;index"`
	Note      string    `gorm:"size:2000"`
	CreatedAt time.Time `gorm:"index"`
}

func (feedbackV7) TableName() string { return "feedbacks" }

// Version 8: the level a step-up sign-in asked for.

type loginAttemptV8 struct {
	State     string `gorm:"primaryKey;size:64"`
	Nonce     string `gorm:"size:64"`
	Verifier  string `gorm:"size:128"`
	Return    string `gorm:"size:2048"`
	Browser   string `gorm:"size:64"`
	Level     string `gorm:"size:64"`
	CreatedAt time.Time
}

func (loginAttemptV8) TableName() string { return "login_attempts" }

// Version 11: people's names beside their subject ids, as the ID token gave
// them at the time of the action.

type itemV11 struct {
	ID           int64  `gorm:"primaryKey;autoIncrement"`
	Path         string `gorm:"size:512;uniqueIndex"`
	Status       string `gorm:"size:20;index"`
	Version      int64
	AuthorID     string `gorm:"size:255"`
	AuthorName   string `gorm:"size:255"`
	DraftRev     int64
	PublishedRev int64
	ApprovedBy   string `gorm:"size:255"`
	ApproverName string `gorm:"size:255"`
	ApprovedAt   *time.Time
	Comment      string `gorm:"size:2000"`
	CreatedAt    time.Time
	UpdatedAt    time.Time `gorm:"index"`
}

func (itemV11) TableName() string { return "items" }

type revisionV11 struct {
	ID         int64  `gorm:"primaryKey;autoIncrement"`
	ItemID     int64  `gorm:"index"`
	Markdown   string `gorm:"type:text"`
	AuthorID   string `gorm:"size:255"`
	AuthorName string `gorm:"size:255"`
	Note       string `gorm:"size:500"`
	CreatedAt  time.Time
}

func (revisionV11) TableName() string { return "revisions" }

type auditEntryV11 struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	At        time.Time `gorm:"index"`
	Actor     string    `gorm:"size:255"`
	ActorName string    `gorm:"size:255"`
	Action    string    `gorm:"size:64"`
	Target    string    `gorm:"size:512"`
	Address   string    `gorm:"size:64"`
	Details   string    `gorm:"size:2000"`
}

func (auditEntryV11) TableName() string { return "audit_entries" }
