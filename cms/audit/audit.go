// Package audit records who changed what. Each entry is written in the
// transaction of the change it records and stamped by the injected clock,
// so a change whose entry cannot be written does not happen, and tests can
// say exactly when an entry was made.
package audit

import (
	"context"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
)

// Actor is who does something, and from where.
type Actor struct {
	access.Viewer
	Address string
}

// ErrUnwritable is a change refused because its entry could not be written;
// nothing was changed.
var ErrUnwritable = store.ErrAuditUnwritable

// Log writes entries for the services that make audited changes.
type Log struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a Log over db, stamping entries with clk.
func New(db *store.DB, clk clock.Clock) *Log {
	return &Log{db: db, clock: clk}
}

// Record makes change and adds the entry "a did action on target" in one
// transaction. change must write through the tx it is given; when it fails,
// or the entry cannot be written, neither happens.
func (l *Log) Record(ctx context.Context, a Actor, action, target, details string, change func(tx *store.DB) error) error {
	e := &store.AuditEntry{At: l.clock.Now().UTC(), Actor: a.Subject, ActorName: a.Name, Action: action, Target: target, Address: a.Address, Details: details}
	return l.db.Audited(ctx, e, change)
}

// Entry is one line of the log: who did what to which target, when and
// from where.
type Entry struct {
	At        time.Time
	Actor     string // the subject id, for tracing
	ActorName string // the name at the time; "" for entries older than names
	Action    string
	Target    string
	Address   string
	Details   string
}

// Entries lists the log, newest first, at most limit entries (0: all).
func (l *Log) Entries(ctx context.Context, limit int) ([]Entry, error) {
	rows, err := l.db.AuditLog(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	for i, e := range rows {
		out[i] = Entry{At: e.At, Actor: e.Actor, ActorName: e.ActorName, Action: e.Action, Target: e.Target, Address: e.Address, Details: e.Details}
	}
	return out, nil
}
