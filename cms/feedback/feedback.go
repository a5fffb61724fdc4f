// Package feedback takes readers' answers to "Was this page helpful?" with
// an optional comment, without storing who or where they came from unless
// they ask to be contacted, and forgets comments after a set time.
package feedback

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
)

// MaxComment bounds a comment, in characters.
const MaxComment = 2000

// Errors of Submit.
var (
	ErrInvalid     = errors.New("invalid feedback")
	ErrRateLimited = errors.New("too many answers; wait a little")
	// ErrBot is a filled-in honeypot: the caller answers as if it were
	// stored, so a bot learns nothing.
	ErrBot = errors.New("honeypot")
)

// Errors of File.
var (
	ErrNotFound  = errors.New("no such answer")
	ErrBadStatus = errors.New("the status must be new, handled or archived")
	ErrLongNote  = errors.New("the note can be at most 2,000 characters")
)

// Answer is what a reader sent.
type Answer struct {
	Path, Section, Revision, Lang string
	Helpful                       *bool
	Comment                       string
	ContactMe                     bool
	Contact                       string // an e-mail address the sender typed
	// Sender is the signed-in sender as the server knows them from the
	// session, never from the request; empty for an anonymous sender.
	Sender   Sender
	Honeypot string
	// ClientAddress and Session identify the sender for rate limiting
	// only; they are hashed in memory and never stored.
	ClientAddress, Session string
}

// Sender is who a signed-in sender is.
type Sender struct{ Subject, Name string }

// senderPrefix marks a contact that names a signed-in person rather than
// an address; only Submit writes it, from Answer.Sender.
const senderPrefix = "subject:"

// Service stores answers.
type Service struct {
	db    *store.DB
	clock clock.Clock
	audit *audit.Log
	log   *slog.Logger
	lim   *limiter
}

// Offered is true: answers are taken.
func (s *Service) Offered() bool { return true }

// New returns a Service allowing perWindow answers per address and per
// session in each window.
func New(db *store.DB, clk clock.Clock, log *slog.Logger, perWindow int, window time.Duration) *Service {
	return &Service{db: db, clock: clk, audit: audit.New(db, clk), log: log, lim: newLimiter(clk, perWindow, window)}
}

// Submit checks and stores an answer. It returns only when the answer is
// in the database.
func (s *Service) Submit(ctx context.Context, a Answer) (Record, error) {
	if strings.TrimSpace(a.Honeypot) != "" {
		return Record{}, ErrBot
	}
	if a.Helpful == nil {
		return Record{}, fmt.Errorf("%w: answer yes or no", ErrInvalid)
	}
	comment := strings.TrimSpace(a.Comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		return Record{}, fmt.Errorf("%w: the comment is longer than %d characters", ErrInvalid, MaxComment)
	}
	if !utf8.ValidString(comment) {
		return Record{}, fmt.Errorf("%w: the comment is not text", ErrInvalid)
	}
	contact := ""
	if a.ContactMe {
		contact = strings.TrimSpace(a.Contact)
		switch {
		case contact == "" && a.Sender.Subject != "":
			contact = strings.TrimSpace(senderPrefix + a.Sender.Subject + " " + a.Sender.Name)
		case !validAddress(contact):
			return Record{}, fmt.Errorf("%w: give an e-mail address we may write to", ErrInvalid)
		}
	}
	if !s.lim.allow("addr:"+a.ClientAddress) || (a.Session != "" && !s.lim.allow("session:"+a.Session)) {
		return Record{}, ErrRateLimited
	}
	f := &store.Feedback{Path: a.Path, Section: a.Section, Revision: a.Revision, Lang: a.Lang, Helpful: *a.Helpful,
		Comment: comment, Contact: contact, Status: store.FeedbackNew, CreatedAt: s.clock.Now().UTC()}
	if err := s.db.CreateFeedback(ctx, f); err != nil {
		return Record{}, err
	}
	return recordOf(f), nil
}

// File sets an answer's inbox status and internal note, with its audit
// entry. An answer about a page the actor may not read answers about (see
// Reader.May on st) is ErrNotFound, like one that does not exist.
func (s *Service) File(ctx context.Context, a audit.Actor, st *site.Site, id int64, status, note string) error {
	if !ValidStatus(status) {
		return ErrBadStatus
	}
	if len(note) > 2000 {
		return ErrLongNote
	}
	fb, err := s.db.FeedbackByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !(Reader{Viewer: a.Viewer, Site: st}).May(fb.Path)) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	err = s.audit.Record(ctx, a, "feedback-"+status, strconv.FormatInt(id, 10), "", func(tx *store.DB) error {
		return tx.UpdateFeedback(ctx, id, status, note)
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// validAddress accepts an e-mail address that cannot be read as the
// marker of a signed-in sender.
func validAddress(s string) bool {
	if _, err := mail.ParseAddress(s); err != nil {
		return false
	}
	return !strings.HasPrefix(strings.ToLower(s), senderPrefix)
}

// Forget deletes the comments and contact details older than retention,
// now and then every interval until ctx ends.
func (s *Service) Forget(ctx context.Context, retention, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.ForgetOnce(ctx, retention)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ForgetOnce deletes the comments and contact details older than retention.
func (s *Service) ForgetOnce(ctx context.Context, retention time.Duration) {
	n, err := s.db.ForgetOldComments(ctx, s.clock.Now().Add(-retention))
	if err != nil {
		s.log.Warn("old feedback comments could not be deleted", "err", err)
	} else if n > 0 {
		s.log.Info("old feedback comments deleted", "count", n)
	}
}

// limiter counts answers per hashed key in fixed windows. The hash key is
// random and changes every day, so even the memory never holds an address
// that could be matched to yesterday's.
type limiter struct {
	mu     sync.Mutex
	clock  clock.Clock
	limit  int
	window time.Duration
	key    []byte
	keyDay string
	counts map[string]*bucket
}

type bucket struct {
	start time.Time
	n     int
}

func newLimiter(clk clock.Clock, limit int, window time.Duration) *limiter {
	return &limiter{clock: clk, limit: limit, window: window, counts: map[string]*bucket{}}
}

func (l *limiter) allow(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if day := now.UTC().Format("2006-01-02"); day != l.keyDay {
		l.key = make([]byte, 32)
		rand.Read(l.key)
		l.keyDay, l.counts = day, map[string]*bucket{}
	}
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(id))
	h := hex.EncodeToString(m.Sum(nil))
	b := l.counts[h]
	if b == nil || now.Sub(b.start) >= l.window {
		b = &bucket{start: now}
		l.counts[h] = b
	}
	b.n++
	return b.n <= l.limit
}

// About fills in the page the answer is about, as v sees st at now: its
// address, top section, revision and language, and v as the sender when
// signed in. False when there is no such page for v.
func (a *Answer) About(st *site.Site, v access.Viewer, now time.Time, path string) bool {
	if st == nil {
		return false
	}
	p, _, d := st.Lookup(v, now, path)
	if d != access.Allow || p == nil {
		return false
	}
	section, _, _ := strings.Cut(p.Dir, "/")
	a.Path, a.Section, a.Revision, a.Lang = p.URL, section, p.Hash[:16], p.Lang
	if !v.IsAnonymous() {
		a.Sender = Sender{Subject: v.Subject, Name: v.Name}
	}
	return true
}
