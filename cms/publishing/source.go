package publishing

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"sort"
	"time"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/store"
)

// Source serves the published revisions of items written in the editor,
// as a content source beside the files. It notices changes by polling the
// database, so it works on SQLite and PostgreSQL alike, and another
// instance's publish shows here within the poll interval.
type Source struct {
	db       *store.DB
	interval time.Duration
}

// NewSource returns the database source. interval is how often it looks for changes.
func NewSource(db *store.DB, interval time.Duration) *Source {
	return &Source{db: db, interval: interval}
}

// Name implements content.Source.
func (s *Source) Name() string { return "database" }

// Open implements content.Source: items written in the editor have no files beside them.
func (s *Source) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

// Load implements content.Source.
func (s *Source) Load(ctx context.Context, opts content.Options) (*content.Snapshot, error) {
	items, err := s.db.Items(ctx)
	if err != nil {
		return nil, err
	}
	published, err := s.db.PublishedMarkdown(ctx)
	if err != nil {
		return nil, err
	}
	snap := &content.Snapshot{}
	for _, it := range items {
		md, ok := published[it.Path]
		if !ok || it.Status == store.StatusUnpublished {
			continue
		}
		ci, probs := content.ParseFile(it.Path, []byte(md), opts)
		snap.Problems = append(snap.Problems, probs...)
		if ci == nil {
			snap.Failed = append(snap.Failed, it.Path)
			continue
		}
		ci.Source = s.Name()
		ci.ModTime = it.UpdatedAt
		ci.ApprovedBy, ci.ApproverName, ci.EditorID = it.ApprovedBy, it.ApproverName, it.ID
		if it.ApprovedAt != nil {
			ci.ApprovedAt = *it.ApprovedAt
		}
		snap.Items = append(snap.Items, ci)
	}
	sort.Slice(snap.Items, func(i, j int) bool { return snap.Items[i].File < snap.Items[j].File })
	return snap, nil
}

// Watch implements content.Watcher by polling a cheap stamp of the items.
func (s *Source) Watch(ctx context.Context, changed func(), _ *slog.Logger) error {
	last, err := s.db.ItemsStamp(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		last = ""
	}
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			stamp, err := s.db.ItemsStamp(ctx)
			if err != nil {
				continue // the database is away; try again at the next tick
			}
			if stamp != last {
				last = stamp
				changed()
			}
		}
	}
}
