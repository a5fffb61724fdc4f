package web

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/hours"
	"github.com/torg-cms/torg/cms/render"
	"github.com/torg-cms/torg/cms/site"
)

// apiPage is a page in the API. List endpoints leave out the body fields.
type apiPage struct {
	Path           string         `json:"path"`
	URL            string         `json:"url"`
	Title          string         `json:"title"`
	Summary        string         `json:"summary,omitempty"`
	Type           content.Type   `json:"type"`
	Lang           string         `json:"lang"`
	Section        string         `json:"section"`
	Tags           []string       `json:"tags"`
	Date           *time.Time     `json:"date,omitempty"`
	PublishAt      *time.Time     `json:"publish_at,omitempty"`
	ExpireAt       *time.Time     `json:"expire_at,omitempty"`
	Reviewed       *time.Time     `json:"reviewed,omitempty"`
	Weight         int            `json:"weight"`
	Audience       []string       `json:"audience"`
	MinAuth        string         `json:"min_auth,omitempty"`
	Zones          []string       `json:"zones"`
	TranslationKey string         `json:"translation_key,omitempty"`
	Params         map[string]any `json:"params"`
	Job            *content.Job   `json:"job,omitempty"`
	ApprovedBy     string         `json:"approved_by,omitempty"`
	ApprovedAt     *time.Time     `json:"approved_at,omitempty"`
	Contact        *apiContact    `json:"contact,omitempty"`

	HTML         string           `json:"html,omitempty"`
	Markdown     *string          `json:"markdown,omitempty"`
	TOC          []render.Heading `json:"toc,omitempty"`
	Breadcrumbs  []site.Crumb     `json:"breadcrumbs,omitempty"`
	Translations []apiLink        `json:"translations,omitempty"`
	FAQ          []render.QA      `json:"faq,omitempty"`
}

type apiContact struct {
	Phone        string    `json:"phone,omitempty"`
	Email        string    `json:"email,omitempty"`
	Address      string    `json:"address,omitempty"`
	OpeningHours *apiHours `json:"opening_hours,omitempty"`
}

type apiHours struct {
	Open       bool                  `json:"open"`
	ChangesAt  *time.Time            `json:"changes_at,omitempty"`
	Status     string                `json:"status"`
	Note       string                `json:"note,omitempty"`
	Weekly     []hours.WeeklySpec    `json:"weekly"`
	Exceptions []hours.ExceptionSpec `json:"exceptions"`
}

type apiLink struct {
	Lang  string `json:"lang"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

type apiList struct {
	Items      []*apiPage `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) apiPageOf(st *site.Site, p *site.Page, now time.Time) *apiPage {
	params := p.Params
	if params == nil {
		params = map[string]any{}
	}
	out := &apiPage{
		Path: p.URL, URL: s.BaseURL + p.URL, Title: p.Title, Summary: p.Summary,
		Type: p.Type, Lang: p.Lang, Section: p.Section.URL, Tags: nonNil(p.Tags),
		Date: timePtr(p.Date), PublishAt: timePtr(p.Access.PublishAt), ExpireAt: timePtr(p.Access.ExpireAt),
		Reviewed: timePtr(p.Reviewed), Weight: p.Weight, Audience: nonNil(p.Access.Audience),
		MinAuth: p.Access.MinAuth, Zones: nonNil(p.Access.Zones), TranslationKey: p.TranslationKey,
		Params: params, Job: p.Job, ApprovedBy: p.ApprovedBy, ApprovedAt: timePtr(p.ApprovedAt),
	}
	if c := p.Contact; c != nil {
		out.Contact = &apiContact{Phone: c.Phone, Email: c.Email, Address: c.Address}
		if !c.Hours.IsZero() {
			hv := s.hoursView(p.Lang, c.Hours, now, st.Location())
			spec := c.Hours.Spec()
			out.Contact.OpeningHours = &apiHours{
				Open: hv.Open, ChangesAt: timePtr(hv.ChangesAt), Status: hv.Status, Note: hv.Note,
				Weekly: spec.Weekly, Exceptions: c.Hours.Upcoming(now, st.Location(), 366),
			}
			if out.Contact.OpeningHours.Weekly == nil {
				out.Contact.OpeningHours.Weekly = []hours.WeeklySpec{}
			}
			if out.Contact.OpeningHours.Exceptions == nil {
				out.Contact.OpeningHours.Exceptions = []hours.ExceptionSpec{}
			}
		}
	}
	return out
}

// apiPage answers GET /api/v1/pages/{path}: one page, whole.
func (s *Server) apiPage(c *fiber.Ctx) error {
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	p := "/" + strings.Trim(strings.TrimPrefix(requestPath(c), "/api/v1/pages"), "/")
	v, now := s.Viewer(c), s.Clock.Now()
	page, sec, d := st.Lookup(v, now, p)
	if d == access.Allow && page == nil && sec != nil {
		page = sec.Index
	}
	switch {
	case d == access.SignIn && s.SignIn != nil:
		return apiErr(fiber.StatusUnauthorized, "unauthorized", "sign in to read this page")
	case d == access.StepUp:
		return apiErr(fiber.StatusForbidden, "step_up_required", "this page needs a stronger sign-in: "+page.Access.MinAuth)
	case d != access.Allow || page == nil:
		return apiErr(fiber.StatusNotFound, "not_found", "there is no page at "+p)
	}
	out := s.apiPageOf(st, page, now)
	out.HTML = page.Doc.HTML
	md := string(page.Body)
	out.Markdown = &md
	out.TOC = page.Doc.TOC
	out.Breadcrumbs = st.Breadcrumbs(v, now, page, nil)
	out.FAQ = page.Doc.FAQ
	for _, t := range st.Translations(v, now, page) {
		out.Translations = append(out.Translations, apiLink{Lang: t.Lang, Path: t.URL, Title: t.Title})
	}
	return c.JSON(out)
}

// listParams are the filters and paging shared by the list endpoints.
type listParams struct {
	query  site.Query
	limit  int
	cursor *site.Key
}

func parseList(c *fiber.Ctx, fixedType content.Type) (listParams, error) {
	lp := listParams{limit: 20}
	lp.query.Type = fixedType
	if t := c.Query("type"); t != "" {
		if fixedType != "" {
			return lp, apiErr(fiber.StatusBadRequest, "bad_parameter", "type cannot be chosen on this endpoint")
		}
		if !slices.Contains(content.Types, content.Type(t)) {
			return lp, apiErr(fiber.StatusBadRequest, "bad_parameter", "type must be one of page, news, job, faq, contact")
		}
		lp.query.Type = content.Type(t)
	}
	if l := c.Query("lang"); l != "" {
		if !slices.Contains(content.Languages, l) {
			return lp, apiErr(fiber.StatusBadRequest, "bad_parameter", "lang must be one of sv, nb, nn, en")
		}
		lp.query.Lang = l
	}
	lp.query.Section = c.Query("section")
	lp.query.Tag = c.Query("tag")
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return lp, apiErr(fiber.StatusBadRequest, "bad_parameter", "limit must be a whole number from 1 to 100")
		}
		lp.limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		var k site.Key
		if err != nil || json.Unmarshal(raw, &k) != nil {
			return lp, apiErr(fiber.StatusBadRequest, "bad_parameter", "cursor is not one this API gave out; start again without it")
		}
		lp.cursor = &k
	}
	return lp, nil
}

// page cuts one page of results after the cursor and makes the next cursor.
func (lp listParams) page(ps []*site.Page) ([]*site.Page, string) {
	start := 0
	if lp.cursor != nil {
		start = len(ps)
		for i, p := range ps {
			if site.KeyOf(p).Compare(*lp.cursor) > 0 {
				start = i
				break
			}
		}
	}
	ps = ps[start:]
	if len(ps) <= lp.limit {
		return ps, ""
	}
	ps = ps[:lp.limit]
	raw, _ := json.Marshal(site.KeyOf(ps[len(ps)-1]))
	return ps, base64.RawURLEncoding.EncodeToString(raw)
}

func (s *Server) apiList(c *fiber.Ctx, fixedType content.Type) error {
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	lp, err := parseList(c, fixedType)
	if err != nil {
		return err
	}
	v, now := s.Viewer(c), s.Clock.Now()
	items, next := lp.page(st.List(v, now, lp.query))
	out := apiList{Items: make([]*apiPage, 0, len(items)), NextCursor: next}
	for _, p := range items {
		out.Items = append(out.Items, s.apiPageOf(st, p, now))
	}
	return c.JSON(out)
}

func (s *Server) apiPages(c *fiber.Ctx) error    { return s.apiList(c, "") }
func (s *Server) apiNews(c *fiber.Ctx) error     { return s.apiList(c, content.TypeNews) }
func (s *Server) apiJobs(c *fiber.Ctx) error     { return s.apiList(c, content.TypeJob) }
func (s *Server) apiContacts(c *fiber.Ctx) error { return s.apiList(c, content.TypeContact) }

type apiSection struct {
	Path    string `json:"path"`
	Dir     string `json:"dir"`
	Lang    string `json:"lang"`
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
	Type    string `json:"type"`
	Parent  string `json:"parent,omitempty"`
	Pages   int    `json:"pages"`
}

// apiSections answers GET /api/v1/sections: the sections the viewer may see,
// with the number of pages in each that the viewer may see.
func (s *Server) apiSections(c *fiber.Ctx) error {
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	v, now := s.Viewer(c), s.Clock.Now()
	out := []apiSection{}
	for _, sec := range st.Sections(v, now) {
		pages, _ := st.SectionListing(v, now, sec)
		as := apiSection{Path: sec.URL, Dir: sec.Dir, Lang: sec.Lang, Title: sec.Title, Type: string(content.TypePage), Pages: len(pages)}
		if sec.Index != nil {
			as.Summary = sec.Index.Summary
			as.Type = string(sec.Index.Type)
		}
		if sec.Parent != nil {
			as.Parent = sec.Parent.URL
		}
		out = append(out, as)
	}
	return c.JSON(fiber.Map{"items": out})
}
