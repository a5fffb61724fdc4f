// Package feeds keeps the secret addresses of personal news feeds. Feed
// readers cannot sign in, so the address is the credential: it reads with
// the roles and level its owner had when it was made, and only its hash is
// stored.
package feeds

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
)

// ErrNotFound is a token that does not exist or was revoked.
var ErrNotFound = errors.New("no such feed address")

// ErrAnonymous is a feed address asked for by someone not signed in.
var ErrAnonymous = errors.New("a feed address needs a signed-in person")

// Service makes, resolves and revokes feed tokens.
type Service struct {
	db    *store.DB
	clock clock.Clock
	audit *audit.Log
}

// New returns a Service over db.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk, audit: audit.New(db, clk)}
}

func hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create makes a new token for a, with a's roles and level as they are now.
func (s *Service) Create(ctx context.Context, a audit.Actor) (string, error) {
	if a.IsAnonymous() {
		return "", ErrAnonymous
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	t := &store.FeedToken{Hash: hash(token), Subject: a.Subject, Roles: strings.Join(a.Roles, " "), Level: a.Level, CreatedAt: s.clock.Now().UTC()}
	if err := s.audit.Record(ctx, a, "feed-token", "", "", func(tx *store.DB) error { return tx.CreateFeedToken(ctx, t) }); err != nil {
		return "", err
	}
	return token, nil
}

// Revoke stops every token of a.
func (s *Service) Revoke(ctx context.Context, a audit.Actor) error {
	if a.IsAnonymous() {
		return ErrAnonymous
	}
	return s.audit.Record(ctx, a, "feed-token-revoke", "", "", func(tx *store.DB) error { return tx.DeleteFeedTokens(ctx, a.Subject) })
}

// Viewer returns whom a token reads for; ErrNotFound for one that does
// not exist or was revoked.
func (s *Service) Viewer(ctx context.Context, token string) (access.Viewer, error) {
	t, err := s.db.FeedTokenByHash(ctx, hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return access.Viewer{}, ErrNotFound
	}
	if err != nil {
		return access.Viewer{}, err
	}
	return access.Viewer{Subject: t.Subject, Roles: strings.Fields(t.Roles), Level: t.Level}, nil
}
