package tiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
)

// ErrNotFound is a tile or notice that does not exist (or is hidden).
var ErrNotFound = errors.New("no such tile")

// cacheFor bounds how stale one instance's tiles may be after another
// instance changed them.
const cacheFor = 2 * time.Second

// Service keeps the tiles in the store and answers for viewers.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	audit    *audit.Log
	log      *slog.Logger
	policy   access.Policy
	loc      *time.Location
	rules    Rules
	health   *Checker
	mu       sync.Mutex
	set      *Set
	notices  []Notice
	loadedAt time.Time
	stamp    uint64 // of the tiles and categories last read

	subMu       sync.Mutex
	subscribers []func(*Set)
}

// Subscribe calls f with the tiles whenever they are read and differ from
// those read before: after a change made here at once, after one made by
// another instance at the next read (see Watch). f should hand the work on.
func (s *Service) Subscribe(f func(*Set)) {
	s.subMu.Lock()
	s.subscribers = append(s.subscribers, f)
	s.subMu.Unlock()
}

func (s *Service) notify(set *Set) {
	s.subMu.Lock()
	subs := slices.Clone(s.subscribers)
	s.subMu.Unlock()
	for _, f := range subs {
		f(set)
	}
}

// Watch reads the tiles every interval until ctx ends, so that subscribers
// hear of changes other instances make to the shared store.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Current(ctx)
		}
	}
}

// NewService returns a Service over db.
func NewService(db *store.DB, clk clock.Clock, log *slog.Logger, policy access.Policy, loc *time.Location, rules Rules) *Service {
	if rules.Levels == nil {
		rules.Levels = access.DefaultLevels
	}
	return &Service{db: db, clock: clk, audit: audit.New(db, clk), log: log, policy: policy, loc: loc, rules: rules}
}

// SetHealth attaches the background health checker.
func (s *Service) SetHealth(c *Checker) { s.health = c }

// Seed imports data (a tiles.yaml) only when the store holds no tiles yet:
// after the first start the store wins, until Import is run again.
func (s *Service) Seed(ctx context.Context, data []byte) (bool, error) {
	has, err := s.db.HasTiles(ctx)
	if err != nil || has {
		return false, err
	}
	return true, s.Import(ctx, data)
}

// Import replaces every stored tile and category with those of data.
func (s *Service) Import(ctx context.Context, data []byte) error {
	set, err := ParseYAML(data, s.rules)
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	var rows []store.TileRow
	for _, t := range set.Tiles {
		b, _ := json.Marshal(t)
		rows = append(rows, store.TileRow{ID: t.ID, Data: string(b), UpdatedAt: now})
	}
	var cats []store.TileCategoryRow
	for _, c := range set.Categories {
		b, _ := json.Marshal(c)
		cats = append(cats, store.TileCategoryRow{ID: c.ID, Data: string(b)})
	}
	if err := s.db.ReplaceTiles(ctx, rows, cats); err != nil {
		return fmt.Errorf("import tiles: %w", err)
	}
	s.changed(ctx)
	return nil
}

// changed reads the tiles again after a change made here, so that the
// subscribers hear of it now.
func (s *Service) changed(ctx context.Context) {
	s.invalidate()
	s.Current(ctx)
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.loadedAt = time.Time{}
	s.mu.Unlock()
}

// Current returns the tiles and notices, read from the store at most every
// couple of seconds. When the store cannot be read it goes on with what it
// had, and says so in the log.
func (s *Service) Current(ctx context.Context) (*Set, []Notice) {
	set, notices, changed := s.current(ctx)
	if changed {
		s.notify(set)
	}
	return set, notices
}

func (s *Service) current(ctx context.Context) (*Set, []Notice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.set != nil && now.Sub(s.loadedAt) < cacheFor && !now.Before(s.loadedAt) {
		return s.set, s.notices, false
	}
	set, notices, stamp, err := s.load(ctx, now)
	if err != nil {
		s.log.Warn("tiles could not be read; showing the last ones read", "err", err)
		if s.set == nil {
			return &Set{}, nil, false
		}
		return s.set, s.notices, false
	}
	changed := s.set == nil || stamp != s.stamp
	s.set, s.notices, s.loadedAt, s.stamp = set, notices, now, stamp
	return set, notices, changed
}

func (s *Service) load(ctx context.Context, now time.Time) (*Set, []Notice, uint64, error) {
	st, err := s.db.LoadTiles(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	h := fnv.New64a()
	for _, r := range st.Categories {
		fmt.Fprintf(h, "c%q%q", r.ID, r.Data)
	}
	for _, r := range st.Tiles {
		fmt.Fprintf(h, "t%q%q", r.ID, r.Data)
	}
	set := &Set{}
	for _, r := range st.Categories {
		var c Category
		if err := json.Unmarshal([]byte(r.Data), &c); err != nil {
			return nil, nil, 0, fmt.Errorf("category %s: %w", r.ID, err)
		}
		set.Categories = append(set.Categories, c)
	}
	slices.SortStableFunc(set.Categories, func(a, b Category) int { return a.Order - b.Order })
	for _, r := range st.Tiles {
		var t Tile
		if err := json.Unmarshal([]byte(r.Data), &t); err != nil {
			return nil, nil, 0, fmt.Errorf("tile %s: %w", r.ID, err)
		}
		if fe := t.Check(set.Categories, s.rules); fe != nil {
			s.log.Warn("a stored tile does not check out; it is left out", "tile", t.ID, "problems", fe.Error())
			continue
		}
		set.Tiles = append(set.Tiles, &t)
	}
	rows, err := s.db.Notices(ctx, now)
	if err != nil {
		return nil, nil, 0, err
	}
	var notices []Notice
	for _, n := range rows {
		notices = append(notices, Notice{ID: n.ID, TileID: n.TileID, Text: n.Text, StartsAt: n.StartsAt, EndsAt: n.EndsAt})
	}
	return set, notices, h.Sum64(), nil
}

// For returns the tiles v sees now, in order.
func (s *Service) For(ctx context.Context, v access.Viewer) ([]View, *Set) {
	set, notices := s.Current(ctx)
	return set.Visible(s.context(ctx, v, notices)), set
}

func (s *Service) context(ctx context.Context, v access.Viewer, notices []Notice) Context {
	c := Context{Policy: s.policy, Viewer: v, Now: s.clock.Now(), Location: s.loc, Notices: notices}
	if s.health != nil {
		c.Unhealthy = s.health.Failing
	}
	if !v.IsAnonymous() {
		fav, err := s.db.Favorites(ctx, v.Subject)
		if err != nil {
			s.log.Warn("favourites could not be read", "err", err)
		}
		c.Favorites = fav
	}
	return c
}

// View returns one tile as v sees it; ErrNotFound when v may not see it.
func (s *Service) View(ctx context.Context, v access.Viewer, id string) (View, error) {
	set, notices := s.Current(ctx)
	view, ok := set.ViewOf(id, s.context(ctx, v, notices))
	if !ok {
		return View{}, ErrNotFound
	}
	return view, nil
}

// Click checks that v may use the tile now, counts the click (per tile and
// day, nothing about the person) and returns the tile's own address.
func (s *Service) Click(ctx context.Context, v access.Viewer, id string) (View, error) {
	view, err := s.View(ctx, v, id)
	if err != nil {
		return View{}, err
	}
	if view.State == Open {
		day := s.clock.Now().In(s.loc).Format(time.DateOnly)
		if err := s.db.CountClick(ctx, id, day); err != nil {
			s.log.Warn("a tile click could not be counted", "tile", id, "err", err)
		}
	}
	return view, nil
}

// SetFavorites pins tiles for v, in order. Every id must be a tile v sees.
func (s *Service) SetFavorites(ctx context.Context, v access.Viewer, ids []string) error {
	if v.IsAnonymous() {
		return errors.New("favourites need a signed-in person")
	}
	set, notices := s.Current(ctx)
	c := s.context(ctx, v, notices)
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			return FieldErrors{fmt.Sprintf("tiles[%d]", i): fmt.Sprintf("%q is given twice", id)}
		}
		seen[id] = true
		if _, ok := set.ViewOf(id, c); !ok {
			return FieldErrors{fmt.Sprintf("tiles[%d]", i): fmt.Sprintf("no tile %q", id)}
		}
	}
	return s.db.SetFavorites(ctx, v.Subject, ids)
}

// Favorites returns v's pinned tiles.
func (s *Service) Favorites(ctx context.Context, v access.Viewer) ([]string, error) {
	if v.IsAnonymous() {
		return nil, nil
	}
	return s.db.Favorites(ctx, v.Subject)
}

// Save validates and stores one tile (create or replace) for a.
func (s *Service) Save(ctx context.Context, a audit.Actor, t *Tile) error {
	set, _ := s.Current(ctx)
	if fe := t.Check(set.Categories, s.rules); fe != nil {
		return fe
	}
	b, _ := json.Marshal(t)
	row := store.TileRow{ID: t.ID, Data: string(b), UpdatedAt: s.clock.Now().UTC()}
	if err := s.audit.Record(ctx, a, "tile-save", t.ID, "", func(tx *store.DB) error { return tx.SaveTile(ctx, row) }); err != nil {
		return fmt.Errorf("save tile: %w", err)
	}
	s.changed(ctx)
	return nil
}

// Delete removes a tile for a.
func (s *Service) Delete(ctx context.Context, a audit.Actor, id string) error {
	err := s.audit.Record(ctx, a, "tile-delete", id, "", func(tx *store.DB) error { return tx.DeleteTile(ctx, id) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	s.changed(ctx)
	return err
}

// ForEditor returns the tiles v may look after (the editorial rule of
// access, under each tile's own audience, level and zones) and the notices.
func (s *Service) ForEditor(ctx context.Context, v access.Viewer) ([]*Tile, []Notice) {
	set, notices := s.Current(ctx)
	var out []*Tile
	for _, t := range set.Tiles {
		if s.policy.MayEdit(v, t.Rule(), nil) {
			out = append(out, t)
		}
	}
	return out, notices
}

// editable returns the tile v may look after, ErrNotFound when there is
// none or v may not.
func (s *Service) editable(ctx context.Context, v access.Viewer, id string) (*Tile, error) {
	set, _ := s.Current(ctx)
	t, ok := set.Tile(id)
	if !ok || !s.policy.MayEdit(v, t.Rule(), nil) {
		return nil, ErrNotFound
	}
	return t, nil
}

// AddNotice puts a disruption notice on a tile that a may look after.
func (s *Service) AddNotice(ctx context.Context, a audit.Actor, n Notice) (Notice, error) {
	fe := FieldErrors{}
	if _, err := s.editable(ctx, a.Viewer, n.TileID); err != nil {
		return Notice{}, err
	}
	if l := len([]rune(n.Text)); l == 0 || l > 300 {
		fe["text"] = "write 1 to 300 characters"
	}
	if n.StartsAt.IsZero() {
		fe["starts_at"] = "give when the disruption starts"
	}
	if !n.EndsAt.After(n.StartsAt) {
		fe["ends_at"] = "must be after starts_at"
	}
	if len(fe) > 0 {
		return Notice{}, fe
	}
	row := &store.TileNotice{TileID: n.TileID, Text: n.Text, StartsAt: n.StartsAt.UTC(), EndsAt: n.EndsAt.UTC(), CreatedBy: a.Subject, CreatedAt: s.clock.Now().UTC()}
	if err := s.audit.Record(ctx, a, "tile-notice", n.TileID, n.Text, func(tx *store.DB) error { return tx.CreateNotice(ctx, row) }); err != nil {
		return Notice{}, err
	}
	s.invalidate()
	n.ID = row.ID
	return n, nil
}

// RemoveNotice ends a notice early, on a tile that a may look after.
func (s *Service) RemoveNotice(ctx context.Context, a audit.Actor, tileID string, id int64) error {
	if _, err := s.editable(ctx, a.Viewer, tileID); err != nil {
		return err
	}
	err := s.audit.Record(ctx, a, "tile-notice-remove", tileID, strconv.FormatInt(id, 10), func(tx *store.DB) error { return tx.DeleteNotice(ctx, tileID, id) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	s.changed(ctx)
	return err
}

// Clicks returns click counts for a period, for admins.
func (s *Service) Clicks(ctx context.Context, from, to time.Time) ([]store.TileClick, error) {
	return s.db.Clicks(ctx, from.Format(time.DateOnly), to.Format(time.DateOnly))
}

// MaxIconSize bounds an uploaded icon.
const MaxIconSize = 256 << 10

// iconTypes are the image types an icon may be. SVG is not among them: an
// uploaded SVG can carry script.
var iconTypes = []string{"image/png", "image/jpeg", "image/webp", "image/gif"}

// SetIcon stores an uploaded image as a tile's icon for a, after checking
// that the bytes are what the declared type says and within the size limit.
func (s *Service) SetIcon(ctx context.Context, a audit.Actor, id, declared string, data []byte) error {
	set, _ := s.Current(ctx)
	t, ok := set.Tile(id)
	if !ok {
		return ErrNotFound
	}
	if len(data) == 0 || len(data) > MaxIconSize {
		return FieldErrors{"icon": fmt.Sprintf("send an image of at most %d KB", MaxIconSize>>10)}
	}
	sniffed := http.DetectContentType(data)
	if !slices.Contains(iconTypes, sniffed) || (declared != "" && declared != sniffed) {
		return FieldErrors{"icon": "send a PNG, JPEG, WebP or GIF image, with its Content-Type"}
	}
	t2 := *t
	t2.Icon = UploadedIcon
	if fe := t2.Check(set.Categories, s.rules); fe != nil {
		return fe
	}
	b, _ := json.Marshal(&t2)
	now := s.clock.Now().UTC()
	err := s.audit.Record(ctx, a, "tile-icon", id, sniffed, func(tx *store.DB) error {
		if err := tx.SaveTileIcon(ctx, store.TileIcon{TileID: id, ContentType: sniffed, Data: data, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.SaveTile(ctx, store.TileRow{ID: id, Data: string(b), UpdatedAt: now})
	})
	if err != nil {
		return fmt.Errorf("save icon: %w", err)
	}
	s.invalidate()
	return nil
}

// UploadedIcon in a tile's icon field means: the image uploaded for it.
const UploadedIcon = "uploaded"

// Icon returns a tile's uploaded icon for a viewer who may see the tile.
func (s *Service) Icon(ctx context.Context, v access.Viewer, id string) (*store.TileIcon, error) {
	if _, err := s.View(ctx, v, id); err != nil {
		return nil, err
	}
	icon, err := s.db.TileIconByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return icon, err
}

// FailingCount is how many tiles failed their last health check.
func (s *Service) FailingCount() int {
	if s.health == nil {
		return 0
	}
	return s.health.FailingCount()
}
