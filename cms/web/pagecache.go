package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// pageCache keeps rendered HTML pages for a moment, so that a page view
// costs a map lookup instead of building the view and running the
// templates again (ten times the work of sending the bytes).
//
// A rendered page depends on the site (a new build is a new key), the
// minute on the clock (schedules and opening hours change on the minute),
// what the reader may see (roles, sign-in level, zones), the language
// inputs (the choice cookie and Accept-Language) and the address with its
// query. Pages that show one person's own things (tiles with favourites)
// are kept per person. The reader's name and the feedback form's token are
// left out of the kept copy and put back for each request. Any write on
// this instance (every request other than GET and HEAD) makes all kept
// pages old, and a kept page is used for one second at most, so changes
// made elsewhere (another instance, the background checks) show within a
// second of the caches they come through.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*cachedPage
	size    int
	swept   time.Time // when expired pages were last dropped

	writes atomic.Uint64 // bumped by every write on this instance
	name   string        // marker standing for the reader's name
	csrf   string        // marker standing for the feedback form's token
}

type cachedPage struct {
	size     int    // bytes of the rendered page
	parts    []part // the page cut at the markers, for fill
	headers  [][2]string
	personal bool // the page holds the reader's own things: kept per person
	until    time.Time
}

// Bounds: a page is used for pageCacheFor at most, and all kept pages
// together stay under pageCacheBytes.
const (
	pageCacheFor   = time.Second
	pageCacheBytes = 32 << 20
)

// Locals keys between the cache and the handlers.
const (
	localCaching  = "torg.pagecache" // set while a page may be kept: render markers
	localPersonal = "torg.personal"  // set by send when the page is the reader's own
)

func newPageCache() *pageCache {
	marker := func() string {
		b := make([]byte, 12)
		rand.Read(b)
		return "torgmark" + hex.EncodeToString(b)
	}
	return &pageCache{entries: map[string]*cachedPage{}, name: marker(), csrf: marker()}
}

// countWrites is middleware: a write may change any page.
func (s *Server) countWrites(c *fiber.Ctx) error {
	err := c.Next()
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		s.pages.writes.Add(1)
	}
	return err
}

// cachedPages is middleware for the content pages' route.
func (s *Server) cachedPages(c *fiber.Ctx) error {
	st := s.Sites.Current()
	if c.Method() != fiber.MethodGet || st == nil {
		return c.Next()
	}
	v := s.Viewer(c)
	now := s.Clock.Now()
	var k strings.Builder
	k.WriteString(c.OriginalURL())
	for _, part := range []string{
		strconv.FormatUint(s.pages.writes.Load(), 10), strconv.FormatInt(st.Built.UnixNano(), 36),
		strconv.FormatInt(now.Unix()/60, 36), c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage),
		v.Class(),
	} {
		k.WriteByte(0)
		k.WriteString(part)
	}
	key := k.String()
	personalKey := key + "\x00" + v.Subject
	if parts, headers, ok := s.pages.get(key, personalKey); ok {
		for _, h := range headers {
			c.Set(h[0], h[1])
		}
		return c.Send(fill(parts, v.Name, s.csrfToken(c)))
	}
	c.Locals(localCaching, true)
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	if res.StatusCode() != fiber.StatusOK {
		return nil
	}
	body := slices.Clone(res.Body())
	if !bytes.Contains(body, []byte("<html")) {
		return nil // an attachment or image served under a page's address
	}
	var headers [][2]string
	for _, h := range []string{fiber.HeaderContentType, fiber.HeaderContentLanguage, fiber.HeaderCacheControl, fiber.HeaderVary} {
		if val := res.Header.Peek(h); len(val) > 0 {
			headers = append(headers, [2]string{h, string(val)})
		}
	}
	personal, _ := c.Locals(localPersonal).(bool)
	storeKey := key
	if personal {
		storeKey = personalKey
	}
	e := &cachedPage{size: len(body), parts: s.pages.cut(body), headers: headers, personal: personal, until: time.Now().Add(pageCacheFor)}
	s.pages.put(key, storeKey, e)
	c.Response().SetBody(fill(e.parts, v.Name, s.csrfToken(c)))
	return nil
}

// get finds the page kept for key, or for personalKey when the page at key
// is a personal one.
func (pc *pageCache) get(key, personalKey string) ([]part, [][2]string, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e := pc.entries[key]
	if e != nil && e.personal {
		e = pc.entries[personalKey]
	}
	if e == nil || time.Now().After(e.until) {
		return nil, nil, false
	}
	return e.parts, e.headers, true
}

func (pc *pageCache) put(key, storeKey string, e *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	// Kept pages are old after a second, and a write makes every key new:
	// drop the expired ones each second rather than let them fill the bound.
	if now := time.Now(); now.Sub(pc.swept) >= pageCacheFor || pc.size+e.size > pageCacheBytes {
		pc.swept = now
		for k, old := range pc.entries {
			if now.After(old.until) {
				pc.size -= old.size
				delete(pc.entries, k)
			}
		}
	}
	if pc.size+e.size > pageCacheBytes {
		pc.entries, pc.size = map[string]*cachedPage{}, 0
	}
	if e.personal && storeKey != key {
		// Mark the shared key so readers look for their own copy.
		pc.entries[key] = &cachedPage{personal: true, until: e.until}
	}
	if old := pc.entries[storeKey]; old != nil {
		pc.size -= old.size
	}
	pc.entries[storeKey] = e
	pc.size += e.size
}

// part is a stretch of a kept page: text, or the place of a marker.
type part struct {
	text   []byte
	marker byte // 0: text; 'n': the reader's name; 'c': the form token
}

// cut splits a rendered page at the markers once, when it is kept.
func (pc *pageCache) cut(body []byte) []part {
	var parts []part
	for len(body) > 0 {
		n, c := bytes.Index(body, []byte(pc.name)), bytes.Index(body, []byte(pc.csrf))
		at, marker, size := n, byte('n'), len(pc.name)
		if c >= 0 && (n < 0 || c < n) {
			at, marker, size = c, 'c', len(pc.csrf)
		}
		if at < 0 {
			parts = append(parts, part{text: body})
			break
		}
		parts = append(parts, part{text: body[:at]}, part{marker: marker})
		body = body[at+size:]
	}
	return parts
}

// fill puts the reader's name and form token where the markers were.
func fill(parts []part, name, csrf string) []byte {
	if len(parts) == 1 && parts[0].marker == 0 {
		return parts[0].text // nothing personal: the kept bytes as they are
	}
	name, csrf = template.HTMLEscapeString(name), template.HTMLEscapeString(csrf)
	size := 0
	for _, p := range parts {
		size += len(p.text) + max(len(name), len(csrf))
	}
	out := make([]byte, 0, size)
	for _, p := range parts {
		switch p.marker {
		case 'n':
			out = append(out, name...)
		case 'c':
			out = append(out, csrf...)
		default:
			out = append(out, p.text...)
		}
	}
	return out
}
