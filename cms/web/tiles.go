package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/redirect"
	"github.com/torg-cms/torg/cms/tiles"
)

// TileGroup is a category of tiles on the home page.
type TileGroup struct {
	Title string
	Tiles []TileView
}

// TileView is a tile ready for a template.
type TileView struct {
	ID          string
	Title       string
	Description string
	Icon        template.HTML
	Href        string // the click-through, or the step-up sign-in; empty when closed
	State       string
	Status      string // "Stängd – öppnar mån 07:00", "Kräver e-legitimation"
	NewTab      bool
	Pinned      bool
	First, Last bool // among the pinned, for the move buttons
	Disrupted   bool
	Notices     []string
	CanPin      bool
}

// icon returns an icon of the theme as inline SVG, so that it takes the
// text's colour; the files are the theme's own.
func (s *Server) icon(name string) template.HTML {
	if name == "" {
		return ""
	}
	f, ok := s.staticFile("icons/" + name + ".svg")
	if !ok {
		return ""
	}
	svg := string(f.body)
	if i := strings.Index(svg, "<svg"); i > 0 {
		svg = svg[i:] // drop the licence comment; the LICENSE file sits beside the icons
	}
	svg = strings.Replace(svg, "<svg", `<svg aria-hidden="true" focusable="false"`, 1)
	return template.HTML(svg) //nolint:gosec // a file of the theme
}

// tileIcon is a tile's icon: from the theme's set, or the uploaded image.
func (s *Server) tileIcon(t *tiles.Tile) template.HTML {
	if t.Icon == tiles.UploadedIcon {
		return template.HTML(`<img src="/tiles/` + template.HTMLEscapeString(url.PathEscape(t.ID)) + `/icon" alt="" width="24" height="24">`) //nolint:gosec // escaped
	}
	return s.icon(t.Icon)
}

// tileIconImage serves an uploaded icon to those who may see the tile.
func (s *Server) tileIconImage(c *fiber.Ctx) error {
	icon, err := s.Tiles.Icon(c.UserContext(), s.Viewer(c), c.Params("id"))
	if errors.Is(err, tiles.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, icon.ContentType)
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(icon.Data)
}

// adminPutIcon answers PUT /api/v1/admin/tiles/{id}/icon: the body is the image.
func (s *Server) adminPutIcon(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	err := s.Tiles.SetIcon(c.UserContext(), s.actor(c), c.Params("id"), string(c.Request().Header.ContentType()), c.Body())
	var fe tiles.FieldErrors
	switch {
	case errors.Is(err, tiles.ErrNotFound):
		return apiErr(fiber.StatusNotFound, "not_found", "no tile "+c.Params("id"))
	case errors.As(err, &fe):
		return fieldErr(fe)
	case err != nil:
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// tileViews lays out the viewer's tiles by category, favourites first.
func (s *Server) tileViews(c *fiber.Ctx, lang string) []TileGroup {
	v := s.Viewer(c)
	views, set := s.board.For(c.UserContext(), v)
	st := s.Sites.Current()
	loc := time.UTC
	if st != nil {
		loc = st.Location()
	}
	now := s.Clock.Now()
	var groups []TileGroup
	var pinned []TileView
	for _, view := range views {
		tv := s.tileView(view, lang, now, loc, !v.IsAnonymous())
		if view.Pinned {
			pinned = append(pinned, tv)
			continue
		}
		cat, _ := set.Category(view.Tile.Category)
		title := cat.Title.In(lang, s.DefaultLang)
		if n := len(groups); n == 0 || groups[n-1].Title != title {
			groups = append(groups, TileGroup{Title: title})
		}
		groups[len(groups)-1].Tiles = append(groups[len(groups)-1].Tiles, tv)
	}
	if len(pinned) > 0 {
		pinned[0].First, pinned[len(pinned)-1].Last = true, true
		groups = append([]TileGroup{{Title: s.cat.T(lang, "tiles.favorites"), Tiles: pinned}}, groups...)
	}
	return groups
}

func (s *Server) tileView(view tiles.View, lang string, now time.Time, loc *time.Location, signedIn bool) TileView {
	t := view.Tile
	tv := TileView{
		ID: t.ID, Title: t.Title.In(lang, s.DefaultLang), Description: t.Description.In(lang, s.DefaultLang),
		Icon: s.tileIcon(t), State: string(view.State), NewTab: t.NewTab, Pinned: view.Pinned,
		Disrupted: view.Disrupted(), CanPin: signedIn,
	}
	for _, n := range view.Notices {
		tv.Notices = append(tv.Notices, n.Text)
	}
	switch view.State {
	case tiles.Open:
		tv.Href = "/go/" + t.ID
	case tiles.Closed:
		if view.Changes.IsZero() {
			tv.Status = s.cat.T(lang, "tiles.closed")
		} else {
			tv.Status = s.cat.T(lang, "tiles.closed_until", s.cat.When(lang, view.Changes, now, loc))
		}
	case tiles.Locked:
		tv.Status = s.cat.T(lang, "tiles.locked", label(s.cat)(lang, "level.", view.NeedsLevel))
		tv.Href = "/auth/login?return=" + url.QueryEscape("/go/"+t.ID) + "&level=" + url.QueryEscape(view.NeedsLevel)
	}
	return tv
}

// statusBanner lists the disruption notices in force on tiles the viewer sees.
func (s *Server) statusBanner(c *fiber.Ctx, lang string) []string {
	views, _ := s.board.For(c.UserContext(), s.Viewer(c))
	var out []string
	for _, v := range views {
		for _, n := range v.Notices {
			out = append(out, v.Tile.Title.In(lang, s.DefaultLang)+": "+n.Text)
		}
	}
	return out
}

// goTile is the click-through: it checks access again, counts the click and
// sends the browser to the tile's configured address — and only there.
func (s *Server) goTile(c *fiber.Ctx) error {
	v := s.Viewer(c)
	view, err := s.Tiles.Click(c.UserContext(), v, c.Params("id"))
	if errors.Is(err, tiles.ErrNotFound) {
		if v.IsAnonymous() && s.SignIn != nil {
			return c.Redirect(s.SignIn(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	switch view.State {
	case tiles.Locked:
		return s.stepUp(c, view.NeedsLevel)
	case tiles.Closed:
		lang := s.chosenLang(c)
		page := s.baseView(c, s.Sites.Current(), lang)
		tv := s.tileView(view, lang, s.Clock.Now(), s.Sites.Current().Location(), false)
		page.Title, page.Message = tv.Title, tv.Status
		c.Status(fiber.StatusConflict)
		return s.send(c, "tile_closed", page)
	}
	return c.Redirect(view.Tile.URL, fiber.StatusFound)
}

// pinTile handles the favourite buttons: pin, unpin, up, down. Plain form
// posts, so they work without JavaScript.
func (s *Server) pinTile(c *fiber.Ctx) error {
	v := s.Viewer(c)
	if v.IsAnonymous() {
		return fiber.NewError(fiber.StatusUnauthorized, "sign in to pin tiles")
	}
	if !sameOrigin(c, s.BaseURL) {
		return fiber.NewError(fiber.StatusForbidden, "the form must come from this site")
	}
	id := c.Params("id")
	var fe tiles.FieldErrors
	switch err := s.Tiles.MoveFavorite(c.UserContext(), v, id, c.FormValue("action")); {
	case errors.Is(err, tiles.ErrBadMove):
		return fiber.NewError(fiber.StatusBadRequest, "action must be pin, unpin, up or down")
	case errors.As(err, &fe):
		return fiber.ErrNotFound
	case err != nil:
		return err
	}
	return c.Redirect(redirect.Local(c.FormValue("return"))+"#tile-"+id, fiber.StatusSeeOther)
}

// apiTile is a tile in the API, with the viewer's state.
type apiTile struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Href        string     `json:"href,omitempty"`
	Icon        string     `json:"icon,omitempty"`
	Category    string     `json:"category"`
	State       string     `json:"state"`
	Status      string     `json:"status,omitempty"`
	OpensAt     *time.Time `json:"opens_at,omitempty"`
	ClosesAt    *time.Time `json:"closes_at,omitempty"`
	NeedsLevel  string     `json:"needs_level,omitempty"`
	Disrupted   bool       `json:"disrupted"`
	Notices     []string   `json:"notices"`
	Pinned      bool       `json:"pinned"`
	NewTab      bool       `json:"new_tab"`
	Keywords    []string   `json:"keywords"`
}

// apiTiles answers GET /api/v1/tiles.
func (s *Server) apiTiles(c *fiber.Ctx) error {
	lang := c.Query("lang", s.chosenLang(c))
	v := s.Viewer(c)
	views, _ := s.Tiles.For(c.UserContext(), v)
	st := s.Sites.Current()
	now := s.Clock.Now()
	out := []apiTile{}
	for _, view := range views {
		tv := s.tileView(view, lang, now, st.Location(), !v.IsAnonymous())
		at := apiTile{ID: tv.ID, Title: tv.Title, Description: tv.Description, Href: tv.Href, Icon: view.Tile.Icon,
			Category: view.Tile.Category, State: tv.State, Status: tv.Status, NeedsLevel: view.NeedsLevel,
			Disrupted: tv.Disrupted, Notices: tv.Notices, Pinned: tv.Pinned, NewTab: tv.NewTab, Keywords: view.Tile.Keywords}
		if at.Notices == nil {
			at.Notices = []string{}
		}
		if at.Keywords == nil {
			at.Keywords = []string{}
		}
		if !view.Changes.IsZero() {
			ch := view.Changes
			if view.State == tiles.Closed {
				at.OpensAt = &ch
			} else if view.State == tiles.Open {
				at.ClosesAt = &ch
			}
		}
		out = append(out, at)
	}
	return c.JSON(fiber.Map{"items": out})
}

// putFavorites answers PUT /api/v1/me/favorites.
func (s *Server) putFavorites(c *fiber.Ctx) error {
	v := s.Viewer(c)
	if v.IsAnonymous() {
		return apiErr(fiber.StatusUnauthorized, "unauthorized", "sign in to keep favourites")
	}
	if err := s.checkWrite(c); err != nil {
		return err
	}
	var body struct {
		Tiles []string `json:"tiles"`
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil || body.Tiles == nil {
		return apiErr(fiber.StatusBadRequest, "bad_request", `send {"tiles": ["id", …]}, in the order to show them`)
	}
	if err := s.Tiles.SetFavorites(c.UserContext(), v, body.Tiles); err != nil {
		var fe tiles.FieldErrors
		if errors.As(err, &fe) {
			return fieldErr(fe)
		}
		return err
	}
	return c.JSON(fiber.Map{"tiles": body.Tiles})
}

// checkWrite guards writes made with the session cookie against cross-site
// requests; bearer-token calls carry no ambient credentials.
func (s *Server) checkWrite(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ") {
		return nil
	}
	if !sameOrigin(c, s.BaseURL) {
		return apiErr(fiber.StatusForbidden, "cross_site", "a write with the session cookie must come from this site (Origin header)")
	}
	return nil
}

// adminTiles answers GET /api/v1/admin/tiles: every tile as stored.
func (s *Server) adminTiles(c *fiber.Ctx) error {
	set, _ := s.Tiles.Current(c.UserContext())
	return c.JSON(fiber.Map{"categories": set.Categories, "items": set.Tiles})
}

func (s *Server) adminTile(c *fiber.Ctx) error {
	set, _ := s.Tiles.Current(c.UserContext())
	t, ok := set.Tile(c.Params("id"))
	if !ok {
		return apiErr(fiber.StatusNotFound, "not_found", "no tile "+c.Params("id"))
	}
	return c.JSON(t)
}

// adminSaveTile answers POST /api/v1/admin/tiles (create) and PUT …/{id} (replace).
func (s *Server) adminSaveTile(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	var t tiles.Tile
	if err := dec.Decode(&t); err != nil {
		return apiErr(fiber.StatusBadRequest, "bad_request", "the body is not a tile: "+err.Error())
	}
	put := c.Method() == fiber.MethodPut
	if put && t.ID != c.Params("id") {
		return fieldErr(tiles.FieldErrors{"id": "must be the id in the address, " + c.Params("id")})
	}
	save := s.Tiles.Create
	if put {
		save = s.Tiles.Replace
	}
	var fe tiles.FieldErrors
	switch err := save(c.UserContext(), s.actor(c), &t); {
	case errors.Is(err, tiles.ErrNotFound):
		return apiErr(fiber.StatusNotFound, "not_found", "no tile "+c.Params("id")+"; create it with POST")
	case errors.Is(err, tiles.ErrExists):
		return apiErr(fiber.StatusConflict, "conflict", "a tile "+t.ID+" exists; change it with PUT")
	case errors.As(err, &fe):
		return fieldErr(fe)
	case err != nil:
		return err
	}
	s.Log.Info("tile saved", "tile", t.ID, "by", s.Viewer(c).Subject)
	status := fiber.StatusOK
	if c.Method() == fiber.MethodPost {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(t)
}

func (s *Server) adminDeleteTile(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	if err := s.Tiles.Delete(c.UserContext(), s.actor(c), c.Params("id")); errors.Is(err, tiles.ErrNotFound) {
		return apiErr(fiber.StatusNotFound, "not_found", "no tile "+c.Params("id"))
	} else if err != nil {
		return err
	}
	s.Log.Info("tile deleted", "tile", c.Params("id"), "by", s.Viewer(c).Subject)
	return c.SendStatus(fiber.StatusNoContent)
}

// adminClicks answers GET /api/v1/admin/tiles/clicks?from=&to=.
func (s *Server) adminClicks(c *fiber.Ctx) error {
	from, to, err := s.dateRange(c)
	if err != nil {
		return err
	}
	rows, err := s.Tiles.Clicks(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	type row struct {
		Tile  string `json:"tile"`
		Day   string `json:"day"`
		Count int64  `json:"count"`
	}
	out := []row{}
	for _, r := range rows {
		out = append(out, row{r.TileID, r.Day, r.Count})
	}
	return c.JSON(fiber.Map{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "items": out})
}

// addNotice answers POST /api/v1/tiles/{id}/notices (communicators).
func (s *Server) addNotice(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	var body struct {
		Text     string    `json:"text"`
		StartsAt time.Time `json:"starts_at"`
		EndsAt   time.Time `json:"ends_at"`
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return apiErr(fiber.StatusBadRequest, "bad_request", `send {"text": …, "starts_at": "2026-11-28T18:00:00+01:00", "ends_at": …}`)
	}
	n, err := s.Tiles.AddNotice(c.UserContext(), s.actor(c), tiles.Notice{TileID: c.Params("id"), Text: body.Text, StartsAt: body.StartsAt, EndsAt: body.EndsAt})
	var fe tiles.FieldErrors
	switch {
	case errors.Is(err, tiles.ErrNotFound):
		return apiErr(fiber.StatusNotFound, "not_found", "no tile "+c.Params("id"))
	case errors.As(err, &fe):
		return fieldErr(fe)
	case err != nil:
		return err
	}
	s.Log.Info("tile notice added", "tile", n.TileID, "notice", n.ID, "by", s.Viewer(c).Subject)
	return c.Status(fiber.StatusCreated).JSON(n)
}

func (s *Server) removeNotice(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("nid"), 10, 64)
	if err != nil {
		return apiErr(fiber.StatusNotFound, "not_found", "no such notice")
	}
	if err := s.Tiles.RemoveNotice(c.UserContext(), s.actor(c), c.Params("id"), id); errors.Is(err, tiles.ErrNotFound) {
		return apiErr(fiber.StatusNotFound, "not_found", "no such notice")
	} else if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
