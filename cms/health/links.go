// Package health finds what is wrong with the content: external links that
// no longer answer, for now. The report that puts it together with stale
// pages, feedback and searches is in cms/web.
package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/outbound"
)

// LinkResult is what the last check of one external link found.
type LinkResult struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// Internal is set when the link, or a redirect it answered with, leads
	// to an internal address: it was not asked, so nothing is known of it.
	Internal  bool      `json:"internal,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// Broken reports whether the link failed: no answer, or a 4xx or 5xx one.
// A link to an internal address was not checked, so it is not broken.
func (r LinkResult) Broken() bool { return !r.Internal && (r.Error != "" || r.Status >= 400) }

// LinkChecker checks external links in the background, one request at a
// time with a pause between them, and keeps each answer for a day so a
// site is never asked twice in a row. It never connects to an internal
// address (this machine, private or link-local networks) that Allow does
// not name, wherever the link or its redirects lead.
type LinkChecker struct {
	Allow    outbound.Allow
	Client   *http.Client // made from Allow when nil
	Clock    clock.Clock
	Log      *slog.Logger
	Pause    time.Duration // between two requests; 1s by default
	CacheFor time.Duration // how long an answer is kept; 24h by default
	PerRound int           // at most this many requests per round; 100 by default
	Agent    string        // the User-Agent sent

	mu      sync.Mutex
	results map[string]LinkResult
}

func (lc *LinkChecker) defaults() {
	if lc.Client == nil {
		lc.Client = &http.Client{Timeout: 10 * time.Second, Transport: outbound.Transport(lc.Allow), CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		}}
	}
	if lc.Clock == nil {
		lc.Clock = clock.System{}
	}
	if lc.Log == nil {
		lc.Log = slog.New(slog.DiscardHandler)
	}
	if lc.Pause == 0 {
		lc.Pause = time.Second
	}
	if lc.CacheFor == 0 {
		lc.CacheFor = 24 * time.Hour
	}
	if lc.PerRound == 0 {
		lc.PerRound = 100
	}
	if lc.Agent == "" {
		lc.Agent = "Torg link checker"
	}
}

// Results returns what is known about urls, in their order; links not yet
// checked are left out.
func (lc *LinkChecker) Results(urls []string) []LinkResult {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := []LinkResult{}
	for _, u := range urls {
		if r, ok := lc.results[u]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Round checks the links among urls that have no fresh answer, up to
// PerRound of them, and returns how many it checked. It stops early when
// ctx ends.
func (lc *LinkChecker) Round(ctx context.Context, urls []string) int {
	lc.defaults()
	now := lc.Clock.Now()
	var due []string
	lc.mu.Lock()
	for _, u := range urls {
		r, ok := lc.results[u]
		if (!ok || now.Sub(r.CheckedAt) >= lc.CacheFor || now.Before(r.CheckedAt)) && !slices.Contains(due, u) {
			due = append(due, u)
		}
	}
	lc.mu.Unlock()
	if len(due) > lc.PerRound {
		due = due[:lc.PerRound]
	}
	for i, u := range due {
		if i > 0 {
			t := time.NewTimer(lc.Pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return i
			case <-t.C:
			}
		}
		r := lc.check(ctx, u)
		if ctx.Err() != nil {
			return i // an answer cut short says nothing about the link
		}
		lc.mu.Lock()
		if lc.results == nil {
			lc.results = map[string]LinkResult{}
		}
		lc.results[u] = r
		lc.mu.Unlock()
		switch {
		case r.Internal:
			lc.Log.Info("external link not checked: internal address", "url", u)
		case r.Broken():
			lc.Log.Info("external link fails", "url", u, "status", r.Status, "err", r.Error)
		}
	}
	return len(due)
}

// Run checks the links urls returns every interval until ctx ends.
func (lc *LinkChecker) Run(ctx context.Context, every time.Duration, urls func() []string) {
	for {
		lc.Round(ctx, urls())
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (lc *LinkChecker) check(ctx context.Context, link string) LinkResult {
	r := LinkResult{URL: link, CheckedAt: lc.Clock.Now()}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.Error = "not a web address"
		return r
	}
	status, err := lc.ask(ctx, http.MethodHead, link)
	// Some servers refuse HEAD; ask them for the page instead.
	if err == nil && (status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented || status == http.StatusForbidden) {
		status, err = lc.ask(ctx, http.MethodGet, link)
	}
	if errors.Is(err, outbound.ErrInternal) {
		r.Internal = true
		return r
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Status = status
	return r
}

func (lc *LinkChecker) ask(ctx context.Context, method, link string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, link, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", lc.Agent)
	res, err := lc.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("no answer: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	return res.StatusCode, nil
}

// Counts tells how many links answered and how many failed when last
// checked; links to internal addresses are neither.
func (lc *LinkChecker) Counts() (ok, broken int) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for _, r := range lc.results {
		switch {
		case r.Internal:
		case r.Broken():
			broken++
		default:
			ok++
		}
	}
	return ok, broken
}
