package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Session is a signed-in person's session. Only a hash of the cookie's
// token is stored, so the table cannot be used to take over a session.
type Session struct {
	ID        string `gorm:"primaryKey;size:64"` // hex SHA-256 of the cookie token
	Subject   string `gorm:"size:255;index"`
	Name      string `gorm:"size:255"`
	Email     string `gorm:"size:255"`
	Roles     string `gorm:"size:2048"` // space-separated
	Level     string `gorm:"size:64"`
	IDToken   string `gorm:"type:text"` // for the provider's logout
	CreatedAt time.Time
	LastSeen  time.Time `gorm:"index"`
	ExpiresAt time.Time `gorm:"index"` // the absolute end
}

// LoginAttempt is a sign-in that has been sent to the provider and not come back yet.
type LoginAttempt struct {
	State     string `gorm:"primaryKey;size:64"`
	Nonce     string `gorm:"size:64"`
	Verifier  string `gorm:"size:128"` // PKCE code verifier
	Return    string `gorm:"size:2048"`
	Browser   string `gorm:"size:64"` // hash of the browser's binding cookie
	Level     string `gorm:"size:64"` // the sign-in level a step-up asked for; "" for a plain sign-in
	CreatedAt time.Time
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s *Session) error {
	if err := db.gorm.WithContext(ctx).Create(s).Error; err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByID returns a session, or ErrNotFound.
func (db *DB) SessionByID(ctx context.Context, id string) (*Session, error) {
	var s Session
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	return &s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.gorm.WithContext(ctx).Model(&Session{}).Where("id = ?", id).Update("last_seen", at.UTC()).Error
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.gorm.WithContext(ctx).Where("id = ?", id).Delete(&Session{}).Error
}

// DeleteExpiredSessions removes sessions past their absolute end or idle
// since before idleBefore, and sign-in attempts older than attemptsBefore.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now, idleBefore, attemptsBefore time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at <= ? OR last_seen < ?", now.UTC(), idleBefore.UTC()).Delete(&Session{})
	if res.Error != nil {
		return 0, res.Error
	}
	if err := db.gorm.WithContext(ctx).Where("created_at < ?", attemptsBefore.UTC()).Delete(&LoginAttempt{}).Error; err != nil {
		return res.RowsAffected, err
	}
	return res.RowsAffected, nil
}

// CountSessions counts stored sessions.
func (db *DB) CountSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&Session{}).Count(&n).Error
	return n, err
}

// CreateLoginAttempt stores a sign-in on its way to the provider.
func (db *DB) CreateLoginAttempt(ctx context.Context, a *LoginAttempt) error {
	return db.gorm.WithContext(ctx).Create(a).Error
}

// TakeLoginAttempt returns and deletes the attempt with state, so that each
// can be used once. ErrNotFound when there is none.
func (db *DB) TakeLoginAttempt(ctx context.Context, state string) (*LoginAttempt, error) {
	var a LoginAttempt
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("state = ?", state).Take(&a).Error; err != nil {
			return err
		}
		res := tx.Where("state = ?", state).Delete(&LoginAttempt{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound // taken by a concurrent request
		}
		return nil
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read sign-in attempt: %w", err)
	}
	return &a, nil
}
