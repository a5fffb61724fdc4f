package tiles

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/outbound"
)

// Checker polls the health URLs of tiles in the background, never on a
// reader's request, and remembers which fail.
type Checker struct {
	client   *http.Client
	interval time.Duration
	log      *slog.Logger
	mu       sync.RWMutex
	failing  map[string]bool
	internal map[string]bool
	checked  map[string]time.Time
}

// NewChecker returns a Checker that polls every interval, each check
// bounded by timeout. It connects to no internal address (this machine,
// private or link-local networks) but those allow names; a tile whose
// health URL leads to one is not checked, and not shown as failing.
func NewChecker(interval, timeout time.Duration, allow outbound.Allow, log *slog.Logger) *Checker {
	return &Checker{
		client:   &http.Client{Timeout: timeout, Transport: outbound.Transport(allow), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		interval: interval, log: log, failing: map[string]bool{}, internal: map[string]bool{}, checked: map[string]time.Time{},
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
			ok, err := c.probe(ctx, u)
			internal := errors.Is(err, outbound.ErrInternal)
			ok = ok || internal
			c.mu.Lock()
			was, wasInternal := c.failing[id], c.internal[id]
			c.failing[id], c.internal[id] = !ok, internal
			c.checked[id] = time.Now()
			c.mu.Unlock()
			if internal && !wasInternal {
				c.log.Warn("tile health URL leads to an internal address; not checked unless allow-internal names it", "tile", id, "url", u)
			}
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

func (c *Checker) probe(ctx context.Context, u string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("User-Agent", "torg-health-check")
	res, err := c.client.Do(req)
	if err != nil {
		return false, err
	}
	res.Body.Close()
	return res.StatusCode < 400, nil
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
