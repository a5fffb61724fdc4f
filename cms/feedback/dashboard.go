package feedback

import (
	"context"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
)

// The states of an answer in the communicators' inbox.
const (
	StatusNew      = store.FeedbackNew
	StatusHandled  = store.FeedbackHandled
	StatusArchived = store.FeedbackArchived
)

// Statuses are the inbox states, in the order they are offered.
var Statuses = []string{StatusNew, StatusHandled, StatusArchived}

// ValidStatus tells whether s is an inbox state.
func ValidStatus(s string) bool {
	return s == StatusNew || s == StatusHandled || s == StatusArchived
}

// Filter narrows the dashboard.
type Filter struct {
	Section         string
	Lang            string
	From, To        time.Time // To is exclusive; zero means open
	Status          string
	OnlyWithComment bool
}

func (f Filter) store() store.FeedbackFilter {
	return store.FeedbackFilter{Section: f.Section, Lang: f.Lang, From: f.From, To: f.To, Status: f.Status, OnlyWithComment: f.OnlyWithComment}
}

// Record is a stored answer.
type Record struct {
	ID        int64
	Path      string
	Section   string
	Lang      string
	Helpful   bool
	Comment   string
	Contact   string
	Status    string
	Note      string
	CreatedAt time.Time
}

func recordOf(f *store.Feedback) Record {
	return Record{ID: f.ID, Path: f.Path, Section: f.Section, Lang: f.Lang, Helpful: f.Helpful, Comment: f.Comment,
		Contact: f.Contact, Status: f.Status, Note: f.Note, CreatedAt: f.CreatedAt}
}

// PageStat is one page's helpfulness, with its trend.
type PageStat struct {
	Path    string  `json:"path"`
	Section string  `json:"section"`
	Yes     int64   `json:"yes"`
	No      int64   `json:"no"`
	Share   int     `json:"share_yes"` // per cent
	Total   int64   `json:"total"`
	Trend   []int64 `json:"trend"` // answers per week, oldest first, last 8 weeks
	Title   string  `json:"title,omitempty"`
}

// Reader is who reads the answers, and the site whose editorial rule
// says about which pages.
type Reader struct {
	Viewer access.Viewer
	Site   *site.Site // nil before the first build: every page is reported
}

// May tells whether answers about path may be shown to the reader: when
// they may look after the page (the editorial rule: its readers and the
// editors responsible for its section), or when the page no longer exists.
func (r Reader) May(path string) bool {
	if r.Site == nil {
		return true
	}
	if _, ok := r.Site.ForEditor(r.Viewer, path); ok {
		return true
	}
	return !r.Site.Has(path)
}

// List returns the answers r may read, newest first, of the latest limit
// that match f.
func (s *Service) List(ctx context.Context, r Reader, f Filter, limit int) ([]Record, error) {
	rows, err := s.db.FeedbackList(ctx, f.store(), limit)
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for i := range rows {
		if r.May(rows[i].Path) {
			out = append(out, recordOf(&rows[i]))
		}
	}
	return out, nil
}

// Export calls fn for every answer r may read that matches f, oldest
// first, without holding them all in memory.
func (s *Service) Export(ctx context.Context, r Reader, f Filter, fn func(Record) error) error {
	return s.db.EachFeedback(ctx, f.store(), func(fb *store.Feedback) error {
		if !r.May(fb.Path) {
			return nil
		}
		return fn(recordOf(fb))
	})
}

// Stats returns per-page figures for the pages r may read answers about,
// each with its answers per week over the last eight weeks.
func (s *Service) Stats(ctx context.Context, r Reader, f Filter) ([]PageStat, error) {
	stats, err := s.db.FeedbackStats(ctx, f.store())
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	weeks := map[string][]int64{}
	recent := store.FeedbackFilter{Section: f.Section, Lang: f.Lang, From: now.AddDate(0, 0, -56)}
	err = s.db.EachFeedback(ctx, recent, func(fb *store.Feedback) error {
		w := int(now.Sub(fb.CreatedAt).Hours() / (24 * 7))
		if w >= 0 && w < 8 {
			if weeks[fb.Path] == nil {
				weeks[fb.Path] = make([]int64, 8)
			}
			weeks[fb.Path][7-w]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]PageStat, 0, len(stats))
	for _, p := range stats {
		if !r.May(p.Path) {
			continue
		}
		ps := PageStat{Path: p.Path, Section: p.Section, Yes: p.Yes, No: p.No, Total: p.Yes + p.No, Trend: weeks[p.Path]}
		if ps.Trend == nil {
			ps.Trend = make([]int64, 8)
		}
		if ps.Total > 0 {
			ps.Share = int(p.Yes * 100 / ps.Total)
		}
		if r.Site != nil {
			if pg, ok := r.Site.ForEditor(r.Viewer, p.Path); ok {
				ps.Title = pg.Title
			}
		}
		out = append(out, ps)
	}
	return out, nil
}
