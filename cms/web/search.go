package web

import (
	"context"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/finder"
	"github.com/torg-cms/torg/cms/redirect"
	"github.com/torg-cms/torg/search"
)

// SearchSettings are the synonyms and best bets of the site's search.
type SearchSettings = finder.Settings

// searchRequest reads the search parameters shared by the page and the API.
func (s *Server) searchRequest(c *fiber.Ctx) (search.Request, error) {
	r := search.Request{
		Query: c.Query("q"), Viewer: s.Viewer(c), Now: s.Clock.Now(),
		Type: c.Query("type"), Section: c.Query("section"), Tag: c.Query("tag"), Lang: c.Query("lang"),
		Sort: c.Query("sort"), Cursor: c.Query("cursor"),
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return r, apiErr(fiber.StatusBadRequest, "bad_parameter", "limit must be a whole number from 1 to 50")
		}
		r.Limit = n
	}
	return r, r.Validate()
}

// runSearch searches in the reader's language and adds the best bets.
func (s *Server) runSearch(c *fiber.Ctx, r search.Request) (*search.Result, []search.Hit, error) {
	started := time.Now()
	res, bets, err := s.finder.Search(c.UserContext(), r, s.chosenLang(c))
	s.metrics.search.Observe(time.Since(started).Seconds())
	return res, bets, err
}

// reader names who is searching, for counting: the person, or for those
// not signed in, the address they come from.
func (s *Server) reader(c *fiber.Ctx) string {
	if v := s.Viewer(c); !v.IsAnonymous() {
		return "subject:" + v.Subject
	}
	return "address:" + c.IP()
}

// prefetched tells a browser's guess at the next page from a reader's visit.
func prefetched(c *fiber.Ctx) bool {
	for _, h := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		if v := strings.ToLower(c.Get(h)); strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
			return true
		}
	}
	return false
}

// recordSearch counts a search shown on the search page, not a browser's prefetch.
func (s *Server) recordSearch(c *fiber.Ctx, r search.Request) {
	if prefetched(c) {
		return
	}
	at := s.Clock.Now().In(s.location())
	if err := s.finder.Record(context.WithoutCancel(c.UserContext()), at, s.reader(c), r); err != nil {
		s.Log.Warn("a search could not be recorded", "err", err)
	}
}

// dateRange reads the days from and to of a report, by default the last
// 30 days, in the site's time zone.
func (s *Server) dateRange(c *fiber.Ctx) (from, to time.Time, err error) {
	loc := s.location()
	to = s.Clock.Now().In(loc)
	from = to.AddDate(0, 0, -30)
	if q := c.Query("from"); q != "" {
		if from, err = time.ParseInLocation(time.DateOnly, q, loc); err != nil {
			return from, to, fieldErr(map[string]string{"from": "write a date like 2026-11-01"})
		}
	}
	if q := c.Query("to"); q != "" {
		if to, err = time.ParseInLocation(time.DateOnly, q, loc); err != nil {
			return from, to, fieldErr(map[string]string{"to": "write a date like 2026-11-30"})
		}
	}
	return from, to, nil
}

func (s *Server) location() *time.Location {
	if st := s.Sites.Current(); st != nil {
		return st.Location()
	}
	return time.UTC
}

func searchErr(err error) error {
	if errors.Is(err, search.ErrBadQuery) {
		return apiErr(fiber.StatusBadRequest, "bad_query", strings.TrimPrefix(err.Error(), "bad query: "))
	}
	return err
}

// apiSearch answers GET /api/v1/search.
func (s *Server) apiSearch(c *fiber.Ctx) error {
	r, err := s.searchRequest(c)
	if err != nil {
		return searchErr(err)
	}
	res, bets, err := s.runSearch(c, r)
	if err != nil {
		return searchErr(err)
	}
	if bets == nil {
		bets = []search.Hit{}
	}
	out := fiber.Map{"total": res.Total, "hits": res.Hits, "facets": res.Facets, "best_bets": bets, "next_cursor": res.NextCursor}
	if len(res.Ignored) > 0 {
		out["ignored"] = res.Ignored
	}
	return c.JSON(out)
}

// apiSuggest answers GET /api/v1/search/suggest: titles as you type.
func (s *Server) apiSuggest(c *fiber.Ctx) error {
	q := c.Query("q")
	if strings.TrimSpace(q) == "" || utf8.RuneCountInString(q) > search.MaxQueryLength {
		return apiErr(fiber.StatusBadRequest, "bad_query", "q must be 1 to 200 characters")
	}
	items, err := s.Search.Suggest(c.UserContext(), q, s.Viewer(c), s.Clock.Now(), 8)
	if err != nil {
		return searchErr(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=30")
	return c.JSON(fiber.Map{"items": items})
}

// searchClick records that a hit was followed, then goes there. Only paths
// on this site are followed.
func (s *Server) searchClick(c *fiber.Ctx) error {
	target := redirect.Local(c.Query("u"))
	if !prefetched(c) {
		if err := s.finder.Click(c.UserContext(), s.Clock.Now().In(s.location()), s.reader(c), c.Query("q")); err != nil {
			s.Log.Warn("a search click could not be recorded", "err", err)
		}
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// apiMisses answers GET /api/v1/admin/search/misses. Its route needs
// access.ViewReports; to others, what people search for is a page that
// does not exist.
func (s *Server) apiMisses(c *fiber.Ctx) error {
	from, to, err := s.dateRange(c)
	if err != nil {
		return err
	}
	zero, noClick, err := s.finder.Misses(c.UserContext(), s.Viewer(c), from, to, 100)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "zero_hits": zero, "no_clicks": noClick})
}

// SearchView is the search page's data.
type SearchView struct {
	Query    string
	Error    string
	Total    uint64
	Hits     []HitView
	BestBets []HitView
	Facets   []FacetView
	NextURL  string
	// Ignored are the words past the first MaxWords, which were not searched.
	Ignored  string
	MaxWords int
}

// HitView is a hit ready for the template.
type HitView struct {
	Title   string
	URL     string // through /sok/go, which counts the click
	Snippet template.HTML
	Summary string
	Type    string
	Date    string
}

// FacetView is one facet with its values as links.
type FacetView struct {
	Name   string
	Values []FacetLink
}

// FacetLink narrows the search to one value, or widens it again.
type FacetLink struct {
	Label    string
	Count    int
	URL      string
	Selected bool
}

// searchPage answers GET /sok, with or without JavaScript.
func (s *Server) searchPage(c *fiber.Ctx) error {
	lang := s.chosenLang(c)
	page := s.baseView(c, s.Sites.Current(), lang)
	page.Title = s.cat.T(lang, "search.title")
	sv := &SearchView{Query: c.Query("q")}
	page.SearchView = sv
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if strings.TrimSpace(sv.Query) == "" {
		return s.send(c, "search", page)
	}
	r, err := s.searchRequest(c)
	var res *search.Result
	var bets []search.Hit
	if err == nil {
		res, bets, err = s.runSearch(c, r)
	}
	if err == nil {
		s.recordSearch(c, r)
	}
	if errors.Is(err, search.ErrBadQuery) {
		sv.Error = s.cat.T(lang, "search.bad")
		c.Status(fiber.StatusBadRequest)
		return s.send(c, "search", page)
	}
	if err != nil {
		return err
	}
	page.Title = s.cat.T(lang, "search.results_for", sv.Query)
	sv.Total = res.Total
	if len(res.Ignored) > 0 {
		sv.Ignored, sv.MaxWords = strings.Join(res.Ignored, " "), search.MaxWords
	}
	hit := func(h search.Hit) HitView {
		hv := HitView{Title: h.Title, URL: "/sok/go?q=" + url.QueryEscape(r.Query) + "&u=" + url.QueryEscape(h.URL),
			Snippet: template.HTML(h.Snippet), Summary: h.Summary, Type: s.cat.T(lang, "type."+h.Type)} //nolint:gosec // bleve escapes the text and adds only <mark>
		if !h.Date.IsZero() && h.Type == "news" {
			hv.Date = s.cat.Date(lang, h.Date.In(s.location()))
		}
		return hv
	}
	for _, h := range bets {
		sv.BestBets = append(sv.BestBets, hit(h))
	}
	for _, h := range res.Hits {
		sv.Hits = append(sv.Hits, hit(h))
	}
	base := c.Request().URI().QueryArgs()
	link := func(set map[string]string) string {
		q := url.Values{}
		base.VisitAll(func(k, v []byte) { q.Set(string(k), string(v)) })
		q.Del("cursor")
		for k, v := range set {
			if v == "" {
				q.Del(k)
			} else {
				q.Set(k, v)
			}
		}
		return "/sok?" + q.Encode()
	}
	params := map[string]string{"type": "type", "section": "section", "tags": "tag", "lang": "lang"}
	for _, name := range []string{"type", "section", "tags", "lang"} {
		param := params[name]
		fv := FacetView{Name: s.cat.T(lang, "search.facet."+name)}
		current := c.Query(param)
		for _, v := range res.Facets[name] {
			label := v.Term
			switch name {
			case "type":
				label = s.cat.T(lang, "type."+v.Term)
			case "lang":
				label = s.cat.T(lang, "lang."+v.Term)
			}
			target := v.Term
			if current == v.Term {
				target = ""
			}
			fv.Values = append(fv.Values, FacetLink{Label: label, Count: v.Count, URL: link(map[string]string{param: target}), Selected: current == v.Term})
		}
		if len(fv.Values) > 0 {
			sv.Facets = append(sv.Facets, fv)
		}
	}
	if res.NextCursor != "" {
		sv.NextURL = link(map[string]string{"cursor": res.NextCursor})
	}
	return s.send(c, "search", page)
}
