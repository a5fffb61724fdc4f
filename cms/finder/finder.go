// Package finder is search as the site offers it: the index of package
// search with the site's synonyms and best bets, and the counting of what
// readers search for.
package finder

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/searchstats"
	"github.com/torg-cms/torg/search"
)

// Settings are the synonyms and best bets of the site's search.
type Settings struct {
	// Synonyms: a word of the query also finds these. A key "sv:word"
	// applies only to searches in that language (the lang filter, else
	// the reader's language).
	Synonyms map[string][]string
	// BestBets: for a query (lower case), these addresses come first.
	BestBets map[string][]string
}

// SynonymsFor merges the synonyms for every language with those written
// for lang ("sv:lönespec=lönebesked").
func (ss Settings) SynonymsFor(lang string) map[string][]string {
	out := map[string][]string{}
	for k, v := range ss.Synonyms {
		l, word, scoped := strings.Cut(k, ":")
		switch {
		case !scoped:
			out[k] = append(out[k], v...)
		case l == lang:
			out[word] = append(out[word], v...)
		}
	}
	return out
}

// Service searches the index with the site's settings. Index nil finds
// nothing; Stats nil counts nothing.
type Service struct {
	Index       *search.Index
	Settings    Settings
	Stats       *searchstats.Service
	Clock       clock.Clock
	DefaultLang string
}

// Search runs r with the synonyms of lang (r.Lang when set) and, on the
// first page, the best bets for its query that the viewer may see.
func (f *Service) Search(ctx context.Context, r search.Request, lang string) (*search.Result, []search.Hit, error) {
	if r.Lang != "" {
		lang = r.Lang
	}
	r.Synonyms = f.Settings.SynonymsFor(lang)
	res, err := f.Index.Search(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	var bets []search.Hit
	if r.Cursor == "" {
		if urls := f.Settings.BestBets[searchstats.Normal(r.Query)]; len(urls) > 0 {
			bets, _ = f.Index.Pinned(ctx, urls, r.Viewer, r.Now)
		}
	}
	return res, bets, nil
}

// Record counts a search by reader at at; only a first page of results
// counts, so paging on does not count the same search again.
func (f *Service) Record(ctx context.Context, at time.Time, reader string, r search.Request) error {
	if f.Stats == nil || r.Cursor != "" {
		return nil
	}
	return f.Stats.Search(ctx, at, reader, r.Query)
}

// Click counts that reader followed a hit for the query q.
func (f *Service) Click(ctx context.Context, at time.Time, reader, q string) error {
	if f.Stats == nil {
		return nil
	}
	return f.Stats.Click(ctx, at, reader, q)
}

// Misses are, of the queries searched most from..to, those that find
// nothing today as the viewer sees the site (best bets included), and
// those that find something but whose hits nobody followed.
func (f *Service) Misses(ctx context.Context, v access.Viewer, from, to time.Time, limit int) (zero, noClick []searchstats.Term, err error) {
	now := f.Clock.Now()
	finds := func(ctx context.Context, q string) (bool, error) {
		if f.Index == nil {
			return false, nil
		}
		r := search.Request{Query: q, Viewer: v, Now: now, Limit: 1, NoFacets: true, Synonyms: f.Settings.SynonymsFor(f.DefaultLang)}
		res, err := f.Index.Search(ctx, r)
		if err != nil && !errors.Is(err, search.ErrBadQuery) {
			return false, err
		}
		if err == nil && res.Total > 0 {
			return true, nil
		}
		if urls := f.Settings.BestBets[q]; len(urls) > 0 {
			bets, _ := f.Index.Pinned(ctx, urls, v, now)
			return len(bets) > 0, nil
		}
		return false, nil
	}
	return f.Stats.Misses(ctx, from, to, limit, finds)
}
