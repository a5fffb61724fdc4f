package web

import (
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/feeds"
)

// newsFeed writes the Atom feed of the news v may see.
func (s *Server) newsFeed(c *fiber.Ctx, v access.Viewer, self string) error {
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	title := feeds.SiteName(st) + " – " + s.cat.T(st.DefaultLang(), "news.latest")
	out, err := feeds.News(st, v, s.Clock.Now(), s.BaseURL, self, title)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(out)
}

// publicFeed is GET /feeds/nyheter.atom: the public news.
func (s *Server) publicFeed(c *fiber.Ctx) error {
	return s.newsFeed(c, access.Viewer{}, "/feeds/nyheter.atom")
}

// personalFeed is GET /feeds/nyheter/{token}.atom: the news the token's
// owner may see. Feed readers cannot sign in, so the secret address is
// the credential; only its hash is stored.
func (s *Server) personalFeed(c *fiber.Ctx) error {
	token := strings.TrimSuffix(c.Params("token"), ".atom")
	v, err := s.Feeds.Viewer(c.UserContext(), token)
	if errors.Is(err, feeds.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.newsFeed(c, v, "/feeds/nyheter/"+token+".atom")
}

// createFeedToken is POST /api/v1/me/feed: a new secret feed address for
// the signed-in person, with their roles and level as they are now.
func (s *Server) createFeedToken(c *fiber.Ctx) error {
	v := s.Viewer(c)
	if v.IsAnonymous() {
		return apiErr(fiber.StatusUnauthorized, "unauthorized", "sign in to make a feed address")
	}
	if err := s.checkWrite(c); err != nil {
		return err
	}
	token, err := s.Feeds.Create(c.UserContext(), s.actor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": s.BaseURL + "/feeds/nyheter/" + token + ".atom"})
}

// revokeFeedTokens is DELETE /api/v1/me/feed: every secret feed address of the person stops working.
func (s *Server) revokeFeedTokens(c *fiber.Ctx) error {
	v := s.Viewer(c)
	if v.IsAnonymous() {
		return apiErr(fiber.StatusUnauthorized, "unauthorized", "sign in first")
	}
	if err := s.checkWrite(c); err != nil {
		return err
	}
	if err := s.Feeds.Revoke(c.UserContext(), s.actor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// auditLog is GET /api/v1/admin/audit: the latest entries, for admins.
func (s *Server) auditLog(c *fiber.Ctx) error {
	n, _ := strconv.Atoi(c.Query("limit", "200"))
	if n < 1 || n > 1000 {
		return apiErr(fiber.StatusBadRequest, "bad_parameter", "limit must be from 1 to 1000")
	}
	entries, err := s.Audit.Entries(c.UserContext(), n)
	if err != nil {
		return err
	}
	type row struct {
		At      time.Time `json:"at"`
		Actor   string    `json:"actor"`
		Name    string    `json:"actor_name,omitempty"`
		Action  string    `json:"action"`
		Target  string    `json:"target,omitempty"`
		Address string    `json:"address,omitempty"`
		Details string    `json:"details,omitempty"`
	}
	out := []row{}
	for _, e := range entries {
		out = append(out, row{e.At, e.Actor, e.ActorName, e.Action, e.Target, e.Address, e.Details})
	}
	return c.JSON(fiber.Map{"items": out})
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditCSV is GET /api/v1/admin/audit.csv: the whole log, for admins.
func (s *Server) auditCSV(c *fiber.Ctx) error {
	entries, err := s.Audit.Entries(c.UserContext(), 0)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="torg-audit.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	w.Write([]string{"at", "actor", "actor_name", "action", "target", "address", "details"})
	for _, e := range entries {
		w.Write([]string{e.At.UTC().Format(time.RFC3339), csvCell(e.Actor), csvCell(e.ActorName), csvCell(e.Action), csvCell(e.Target), csvCell(e.Address), csvCell(e.Details)})
	}
	w.Flush()
	return w.Error()
}
