package auth

import (
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/store"
)

// sessionCacheFor is how long a session read from the database is trusted
// without reading it again: a sign-out on another instance takes at most
// this long to reach this one.
const sessionCacheFor = 2 * time.Second

// sessionCacheMax bounds the cache; beyond it, entries too old to be used
// are dropped, then the whole cache if that is not enough.
const sessionCacheMax = 50000

// sessionCache keeps sessions read from the database, so a signed-in page
// view does not read it every time, and so sessions already known go on
// working while the database cannot be reached.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	s    store.Session
	read time.Time
}

// get returns the cached session and whether it was read recently enough
// to be used without asking the database.
func (c *sessionCache) get(id string, now time.Time) (*store.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok {
		return nil, false
	}
	s := e.s
	return &s, now.Sub(e.read) < sessionCacheFor && !now.Before(e.read)
}

func (c *sessionCache) put(s store.Session, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedSession{}
	}
	if len(c.m) >= sessionCacheMax {
		for id, e := range c.m {
			if now.After(e.s.ExpiresAt) || now.Sub(e.read) > time.Hour {
				delete(c.m, id)
			}
		}
		if len(c.m) >= sessionCacheMax {
			c.m = map[string]cachedSession{}
		}
	}
	c.m[s.ID] = cachedSession{s: s, read: now}
}

// seen records activity written to the database.
func (c *sessionCache) seen(id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		e.s.LastSeen = at
		c.m[id] = e
	}
}

func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}
