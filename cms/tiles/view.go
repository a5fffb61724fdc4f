package tiles

import (
	"cmp"
	"slices"
	"time"

	"github.com/torg-cms/torg/cms/access"
)

// State is what a viewer can do with a tile now.
type State string

// The states.
const (
	Open   State = "open"   // a working link
	Closed State = "closed" // outside its service hours; not a link
	Locked State = "locked" // needs a stronger sign-in; leads to step-up
)

// Notice is a disruption message on a tile for a period.
type Notice struct {
	ID       int64     `json:"id"`
	TileID   string    `json:"tile_id"`
	Text     string    `json:"text"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// Active reports whether the notice is in force at now.
func (n Notice) Active(now time.Time) bool { return !now.Before(n.StartsAt) && now.Before(n.EndsAt) }

// View is a tile as one viewer sees it at one moment.
type View struct {
	Tile       *Tile
	State      State
	Changes    time.Time // closed: when it opens; open: when it closes (zero: not within a year)
	NeedsLevel string    // locked: the sign-in needed
	Notices    []Notice  // active disruption notices
	Unhealthy  bool      // its health check fails
	Pinned     bool
}

// Disrupted reports whether the tile has a notice or a failing check.
func (v View) Disrupted() bool { return len(v.Notices) > 0 || v.Unhealthy }

// Context is what deciding a viewer's tiles needs besides the tiles.
type Context struct {
	Policy    access.Policy
	Viewer    access.Viewer
	Now       time.Time
	Location  *time.Location
	Favorites []string          // the viewer's pinned tile ids, in order
	Notices   []Notice          // all notices; only active ones count
	Unhealthy func(string) bool // whether a tile's health check fails
}

// Visible returns the viewer's tiles with their state: pinned first in the
// viewer's order, then by category, order and title. Tiles the viewer may
// not see are not there at all.
func (s *Set) Visible(c Context) []View {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	var out []View
	for _, t := range s.Tiles {
		v, ok := s.view(t, c, loc)
		if ok {
			out = append(out, v)
		}
	}
	catOrder := map[string]int{}
	for i, cat := range s.Categories {
		catOrder[cat.ID] = cat.Order*1000 + i
	}
	slices.SortStableFunc(out, func(a, b View) int {
		ap, bp := slices.Index(c.Favorites, a.Tile.ID), slices.Index(c.Favorites, b.Tile.ID)
		switch {
		case ap >= 0 && bp >= 0:
			return cmp.Compare(ap, bp)
		case ap >= 0:
			return -1
		case bp >= 0:
			return 1
		}
		if d := cmp.Compare(catOrder[a.Tile.Category], catOrder[b.Tile.Category]); d != 0 {
			return d
		}
		if d := cmp.Compare(a.Tile.Order, b.Tile.Order); d != 0 {
			return d
		}
		return cmp.Compare(a.Tile.Title.In("sv", "en"), b.Tile.Title.In("sv", "en"))
	})
	return out
}

// ViewOf returns one tile as the viewer sees it, or false when it is hidden.
func (s *Set) ViewOf(id string, c Context) (View, bool) {
	t, ok := s.Tile(id)
	if !ok {
		return View{}, false
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.view(t, c, loc)
}

func (s *Set) view(t *Tile, c Context, loc *time.Location) (View, bool) {
	v := View{Tile: t, State: Open, Pinned: slices.Contains(c.Favorites, t.ID)}
	switch c.Policy.Decide(c.Viewer, t.Rule(), c.Now) {
	case access.Allow:
	case access.StepUp:
		if t.TooWeak == "hide" {
			return View{}, false
		}
		v.State, v.NeedsLevel = Locked, t.MinAuth
	default:
		return View{}, false
	}
	if sched := t.Schedule(); sched != nil {
		st := sched.At(c.Now, loc)
		v.Changes = st.Change
		if !st.Open && v.State == Open {
			v.State = Closed
		}
	}
	for _, n := range c.Notices {
		if n.TileID == t.ID && n.Active(c.Now) {
			v.Notices = append(v.Notices, n)
		}
	}
	if c.Unhealthy != nil && c.Unhealthy(t.ID) {
		v.Unhealthy = true
	}
	return v, true
}
