package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
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
// what the reader may see (their access class: signed in or not, roles,
// sign-in level, zones), the language inputs (the choice cookie and
// Accept-Language) and the address with its query. Any write on this
// instance (every request other than GET and HEAD) makes all kept pages
// old, and a kept page is used for one second at most, so changes made
// elsewhere (another instance, the background checks) show within a second
// of the caches they come through.
//
// Only the shared part of a page is kept, and it cannot hold the reader's
// own values, by construction: every page is rendered in two steps (see
// sharedPage), cached or not. The page's template runs with a View, which
// has no field for anything personal; where the reader's own values go,
// the template declares a personal slot, {{.Slot "name"}}, and each slot is
// the theme's template "slot:name", run for each request with a Personal
// (the reader's name, form token, tiles). A template that reaches for a
// personal value outside a slot fails to render, and a slot placed where
// its HTML would be escaped (an attribute, a script) fails too. Keeping
// signed-in pages per person instead would be as safe, but then every
// person's first view of a page in a second is a full render; with slots,
// all readers of a class share one render and only the slots run for each.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*cachedPage
	size    int
	swept   time.Time // when expired pages were last dropped

	writes atomic.Uint64 // bumped by every write on this instance
	mark   string        // begins the comment that stands for a slot in a shared render
}

type cachedPage struct {
	page    *sharedPage
	headers [][2]string
	until   time.Time
}

// Bounds: a page is used for pageCacheFor at most, and all kept pages
// together stay under pageCacheBytes.
const (
	pageCacheFor   = time.Second
	pageCacheBytes = 32 << 20
)

// localPage is the Locals key under which send leaves the shared part of
// the page it rendered, for cachedPages to keep.
const localPage = "torg.page"

// slotPrefix begins the name of a theme template that renders a personal slot.
const slotPrefix = "slot:"

func newPageCache() *pageCache {
	b := make([]byte, 12)
	rand.Read(b)
	// A random mark, so no page content can pose as a slot.
	return &pageCache{entries: map[string]*cachedPage{}, mark: "torgslot" + hex.EncodeToString(b) + " "}
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
	if e, ok := s.pages.get(key); ok {
		body, err := s.fill(c, e.page)
		if err != nil {
			return err
		}
		for _, h := range e.headers {
			c.Set(h[0], h[1])
		}
		return c.Send(body)
	}
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	page, _ := c.Locals(localPage).(*sharedPage)
	if res.StatusCode() != fiber.StatusOK || page == nil {
		return nil // an error, or an attachment or image served under a page's address
	}
	var headers [][2]string
	for _, h := range []string{fiber.HeaderContentType, fiber.HeaderContentLanguage, fiber.HeaderCacheControl, fiber.HeaderVary} {
		if val := res.Header.Peek(h); len(val) > 0 {
			headers = append(headers, [2]string{h, string(val)})
		}
	}
	s.pages.put(key, &cachedPage{page: page, headers: headers, until: time.Now().Add(pageCacheFor)})
	return nil
}

// get finds the page kept for key.
func (pc *pageCache) get(key string) (*cachedPage, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e := pc.entries[key]
	if e == nil || time.Now().After(e.until) {
		return nil, false
	}
	return e, true
}

func (pc *pageCache) put(key string, e *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	// Kept pages are old after a second, and a write makes every key new:
	// drop the expired ones each second rather than let them fill the bound.
	if now := time.Now(); now.Sub(pc.swept) >= pageCacheFor || pc.size+e.page.size > pageCacheBytes {
		pc.swept = now
		for k, old := range pc.entries {
			if now.After(old.until) {
				pc.size -= old.page.size
				delete(pc.entries, k)
			}
		}
	}
	if pc.size+e.page.size > pageCacheBytes {
		pc.entries, pc.size = map[string]*cachedPage{}, 0
	}
	if old := pc.entries[key]; old != nil {
		pc.size -= old.page.size
	}
	pc.entries[key] = e
	pc.size += e.page.size
}

// sharedPage is the part of a rendered page that is the same for every
// reader of its access class, cut at its personal slots.
type sharedPage struct {
	parts []part
	lang  string // the page's language, for the slots' texts
	size  int    // bytes of shared text
}

// part is a stretch of a page: shared text, or a personal slot.
type part struct {
	text []byte
	slot *template.Template // the slot's template; nil for text
}

// Slot declares a personal slot: the place where the theme's template
// "slot:name" is rendered for each request with the reader's Personal.
// Its mark survives only where the slot's own HTML may stand, so cut
// refuses a slot placed in an attribute, a URL or a script.
func (v *View) Slot(name string) (template.HTML, error) {
	if v.tmpl == nil || v.tmpl.Lookup(slotPrefix+name) == nil {
		return "", fmt.Errorf("no personal slot %q: the theme has no template %q", name, slotPrefix+name)
	}
	v.slots = append(v.slots, name)
	return template.HTML("<!--" + v.mark + name + "-->"), nil //nolint:gosec // a fixed comment
}

// cut splits a shared render at the slots it declared, in order.
func cut(t *template.Template, body []byte, mark string, slots []string, lang string) (*sharedPage, error) {
	open := []byte("<!--" + mark)
	pg := &sharedPage{lang: lang}
	for i := 0; ; i++ {
		at := bytes.Index(body, open)
		if at < 0 {
			if i < len(slots) {
				return nil, fmt.Errorf("personal slot %q is not in HTML text: put it where an element may stand", slots[i])
			}
			if bytes.Contains(body, []byte(mark)) {
				return nil, fmt.Errorf("a personal slot's mark was escaped: put the slot where an element may stand")
			}
			pg.parts = append(pg.parts, part{text: body})
			pg.size += len(body)
			return pg, nil
		}
		rest := body[at+len(open):]
		end := bytes.Index(rest, []byte("-->"))
		if end < 0 || i >= len(slots) || string(rest[:end]) != slots[i] {
			return nil, fmt.Errorf("personal slots out of order near %q", rest[:min(len(rest), 40)])
		}
		pg.parts = append(pg.parts, part{text: body[:at]}, part{slot: t.Lookup(slotPrefix + slots[i])})
		pg.size += at
		body = rest[end+len("-->"):]
	}
}

// fill renders the page's personal slots for this request's reader
// between the shared parts.
func (s *Server) fill(c *fiber.Ctx, pg *sharedPage) ([]byte, error) {
	if len(pg.parts) == 1 {
		return pg.parts[0].text, nil // nothing personal: the shared bytes as they are
	}
	// Plain fields, not methods, for the values every slot may use: a
	// template finds a field without the cost of looking up a method.
	p := &Personal{Lang: pg.lang, Name: s.Viewer(c).Name, CSRF: s.csrfToken(c), s: s, c: c}
	var buf bytes.Buffer
	buf.Grow(pg.size + 1024)
	for _, pt := range pg.parts {
		if pt.slot == nil {
			buf.Write(pt.text)
			continue
		}
		if err := pt.slot.Execute(&buf, p); err != nil {
			return nil, fmt.Errorf("personal slot %s: %w", pt.slot.Name(), err)
		}
	}
	return buf.Bytes(), nil
}

// settle renders into the shared part the slots that hold nothing of a
// reader who has not signed in. Such a reader has no name, favourites or
// session, only their browser's form token: a slot that comes out the same
// with two different names and tokens is the same for every reader of the
// class, and is kept with the page (the tiles of the home page, for one).
func (s *Server) settle(c *fiber.Ctx, pg *sharedPage) (*sharedPage, error) {
	one := &Personal{Lang: pg.lang, Name: "one", CSRF: "one", s: s, c: c}
	other := *one
	var a, b bytes.Buffer
	out := &sharedPage{lang: pg.lang}
	var text []byte
	for _, pt := range pg.parts {
		if pt.slot != nil {
			a.Reset()
			b.Reset()
			if err := pt.slot.Execute(&a, one); err != nil {
				return nil, fmt.Errorf("personal slot %s: %w", pt.slot.Name(), err)
			}
			other.tiles, other.banner, other.done, other.Name, other.CSRF = one.tiles, one.banner, one.done, "other", "other"
			if err := pt.slot.Execute(&b, &other); err != nil {
				return nil, fmt.Errorf("personal slot %s: %w", pt.slot.Name(), err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				out.parts = append(out.parts, part{text: text}, pt)
				text = nil
				continue
			}
			pt = part{text: a.Bytes()}
		}
		text = append(text, pt.text...)
		out.size += len(pt.text)
	}
	out.parts = append(out.parts, part{text: text})
	return out, nil
}

// Personal is what a page's personal slots are rendered with: the
// reader's own values, worked out for each request and never kept.
// It is the only template data that carries them.
type Personal struct {
	Lang string // the page's language
	Name string // the reader's name
	CSRF string // the form token of the reader's browser

	s      *Server
	c      *fiber.Ctx
	tiles  []TileGroup
	banner []string
	done   bool
}

// Tiles are the reader's tiles by category, their favourites first; looked
// up only for a page that shows them.
func (p *Personal) Tiles() []TileGroup { p.loadTiles(); return p.tiles }

// Banner is the disruption notices of the tiles the reader sees.
func (p *Personal) Banner() []string { p.loadTiles(); return p.banner }

func (p *Personal) loadTiles() {
	if !p.done {
		p.tiles, p.banner, p.done = p.s.tileViews(p.c, p.Lang), p.s.statusBanner(p.c, p.Lang), true
	}
}
