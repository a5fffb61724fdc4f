package tiles

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Checker polls the health URLs of tiles in the background, never on a
// reader's request, and remembers which fail.
type Checker struct {
	client   *http.Client
	interval time.Duration
	log      *slog.Logger
	mu       sync.RWMutex
	failing  map[string]bool
	checked  map[string]time.Time
}

// NewChecker returns a Checker that polls every interval, each check
// bounded by timeout.
func NewChecker(interval, timeout time.Duration, log *slog.Logger) *Checker {
	return &Checker{
		client:   &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		interval: interval, log: log, failing: map[string]bool{}, checked: map[string]time.Time{},
	}
}

// Failing reports whether the tile's last check failed.
func (c *Checker) Failing(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.failing[id]
}

// Run checks the tiles that tiles returns, every interval, until ctx ends.
func (c *Checker) Run(ctx context.Context, tiles func(context.Context) *Set) {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		c.CheckOnce(ctx, tiles(ctx))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckOnce checks every tile with a health URL, a few at a time.
func (c *Checker) CheckOnce(ctx context.Context, set *Set) {
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, t := range set.Tiles {
		if t.HealthURL == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(id, u string) {
			defer wg.Done()
			defer func() { <-sem }()
			ok := c.probe(ctx, u)
			c.mu.Lock()
			was := c.failing[id]
			c.failing[id] = !ok
			c.checked[id] = time.Now()
			c.mu.Unlock()
			if was != !ok {
				if ok {
					c.log.Info("tile health check recovered", "tile", id)
				} else {
					c.log.Warn("tile health check fails", "tile", id, "url", u)
				}
			}
		}(t.ID, t.HealthURL)
	}
	wg.Wait()
}

func (c *Checker) probe(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", "torg-health-check")
	res, err := c.client.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode < 400
}

// FailingCount is how many tiles failed their last check.
func (c *Checker) FailingCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, f := range c.failing {
		if f {
			n++
		}
	}
	return n
}
