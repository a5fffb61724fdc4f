// Package searchstats keeps the search statistics: which queries readers
// search for, and whether they follow a hit. It counts readers, not
// requests: a query counts once per reader and day, and a followed hit
// once, after a counted search. Who searched is kept in memory for the day
// only, as a hash, and never stored; nor is whether they found anything,
// which depends on who they are.
package searchstats

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/store"
)

const (
	// MaxQueriesPerReader is how many queries one reader adds in a day.
	MaxQueriesPerReader = 30
	// maxQueriesPerDay is how many queries the statistics keep for a day.
	maxQueriesPerDay = 2000
	// maxCountedPerDay bounds the memory of who counted what today.
	maxCountedPerDay = 200_000
)

// Service counts searches and followed hits, and reads them back.
type Service struct {
	db      *store.DB
	queries queryLog
}

// New returns a Service over db.
func New(db *store.DB) *Service {
	return &Service{db: db}
}

// Term is a query with how often it was searched and followed.
type Term struct {
	Query    string `json:"query"`
	Searches int64  `json:"searches"`
	Clicks   int64  `json:"clicks"`
	LastDay  string `json:"last_day"`
}

// Normal is the form a query is counted under: lower case, single spaces.
func Normal(q string) string {
	return strings.Join(strings.Fields(strings.ToLower(q)), " ")
}

// Search counts reader's search for q on the day of at (a time in the
// site's zone), unless that reader counted it already today or has counted
// their share of queries.
func (s *Service) Search(ctx context.Context, at time.Time, reader, q string) error {
	q, day := Normal(q), at.Format(time.DateOnly)
	if q == "" || !s.queries.search(day, reader, q) {
		return nil
	}
	return s.db.RecordSearch(ctx, q, day, maxQueriesPerDay)
}

// Click counts that reader followed a hit for q, once, and only after
// their search for q was counted the same day.
func (s *Service) Click(ctx context.Context, at time.Time, reader, q string) error {
	q, day := Normal(q), at.Format(time.DateOnly)
	if q == "" || !s.queries.click(day, reader, q) {
		return nil
	}
	return s.db.RecordSearchClick(ctx, q, day)
}

// Misses are, of the limit queries searched most on the days from..to,
// those that find nothing (finds says so, as the one asking sees the
// site), and those that find something but whose hits nobody followed.
func (s *Service) Misses(ctx context.Context, from, to time.Time, limit int, finds func(ctx context.Context, q string) (bool, error)) (zero, noClick []Term, err error) {
	terms, err := s.db.SearchTerms(ctx, from.Format(time.DateOnly), to.Format(time.DateOnly), limit)
	if err != nil {
		return nil, nil, err
	}
	zero, noClick = []Term{}, []Term{}
	for _, t := range terms {
		found, err := finds(ctx, t.Query)
		if err != nil {
			return nil, nil, err
		}
		term := Term{Query: t.Query, Searches: t.Searches, Clicks: t.Clicks, LastDay: t.LastDay}
		switch {
		case !found:
			zero = append(zero, term)
		case t.Clicks == 0:
			noClick = append(noClick, term)
		}
	}
	return zero, noClick, nil
}

// queryLog remembers, for the current day, which reader's searches and
// followed hits were counted.
type queryLog struct {
	mu      sync.Mutex
	day     string
	counted map[[32]byte]bool // reader and query: a hit followed
	readers map[[32]byte]int  // reader: queries counted
}

func readerHash(day, reader string, query ...string) [32]byte {
	return sha256.Sum256([]byte(day + "\x00" + reader + "\x00" + strings.Join(query, " ")))
}

// search tells whether a reader's search counts, and notes it.
func (l *queryLog) search(day, reader, q string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.day != day || l.counted == nil {
		l.day, l.counted, l.readers = day, map[[32]byte]bool{}, map[[32]byte]int{}
	}
	key, who := readerHash(day, reader, "q", q), readerHash(day, reader)
	if _, ok := l.counted[key]; ok || l.readers[who] >= MaxQueriesPerReader || len(l.counted) >= maxCountedPerDay {
		return false
	}
	l.counted[key] = false
	l.readers[who]++
	return true
}

// click tells whether a reader's followed hit counts, and notes it.
func (l *queryLog) click(day, reader, q string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := readerHash(day, reader, "q", q)
	if clicked, ok := l.counted[key]; l.day != day || !ok || clicked {
		return false
	}
	l.counted[key] = true
	return true
}
