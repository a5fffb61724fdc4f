package web

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/tiles"
)

// LowHelpfulness is the share of "yes" below which a page with enough
// answers is reported.
const (
	LowHelpfulness = 50 // per cent
	MinAnswers     = 5
)

// PageRef names a page in the report, with where to read and where to fix it.
type PageRef struct {
	Path  string `json:"path"`
	Title string `json:"title"`
	File  string `json:"file"`           // the Markdown file, or the editor item's path
	Edit  string `json:"edit,omitempty"` // the editor, for pages written there
}

// StaleRow is a page nobody has looked at for too long.
type StaleRow struct {
	PageRef
	Since time.Time `json:"since"`
	Basis string    `json:"basis"` // "reviewed" or "revision"
}

// BrokenRow is a local link or image that leads nowhere.
type BrokenRow struct {
	PageRef
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ExternalRow is an external link that failed, with the pages that have it.
type ExternalRow struct {
	health.LinkResult
	Pages []PageRef `json:"pages"`
}

// HelpRow is a page readers do not find helpful.
type HelpRow struct {
	PageRef
	Share int   `json:"share_yes"`
	Total int64 `json:"total"`
}

// TileRow is one tile's use and its disruptions.
type TileRow struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Clicks  int64          `json:"clicks_30_days"`
	Notices []tiles.Notice `json:"notices"`
}

// HealthReport is what communicators should fix, most urgent kind first.
type HealthReport struct {
	GeneratedAt    time.Time          `json:"generated_at"`
	ReviewMonths   int                `json:"review_months"`
	Stale          []StaleRow         `json:"stale"`
	LowHelpfulness []HelpRow          `json:"low_helpfulness"`
	BrokenLinks    []BrokenRow        `json:"broken_links"`
	ExternalLinks  []ExternalRow      `json:"external_links"`
	LinksChecked   int                `json:"external_links_checked"`
	LinksTotal     int                `json:"external_links_total"`
	LinksOff       bool               `json:"external_links_off"` // this installation checks no external links
	SearchZeroHits []store.SearchMiss `json:"search_zero_hits"`
	SearchNoClicks []store.SearchMiss `json:"search_no_clicks"`
	Tiles          []TileRow          `json:"tiles"`
}

// healthReport puts the report together for the viewer: rows about pages
// and tiles the viewer may not look after (the editorial rule) are left out.
func (s *Server) healthReport(c *fiber.Ctx) (*HealthReport, error) {
	ctx := c.UserContext()
	v := s.Viewer(c)
	now := s.Clock.Now()
	st := s.Sites.Current()
	months := s.ReviewMonths
	if months <= 0 {
		months = 12
	}
	r := &HealthReport{GeneratedAt: now, ReviewMonths: months, Stale: []StaleRow{}, LowHelpfulness: []HelpRow{}, BrokenLinks: []BrokenRow{},
		ExternalLinks: []ExternalRow{}, SearchZeroHits: []store.SearchMiss{}, SearchNoClicks: []store.SearchMiss{}, Tiles: []TileRow{}}

	editIDs := map[string]int64{}
	if s.Publishing != nil && s.Store != nil {
		items, err := s.Store.Items(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			editIDs[it.Path] = it.ID
		}
	}
	ref := func(p *site.Page) PageRef {
		pr := PageRef{Path: p.URL, Title: p.Title, File: p.File}
		if id, ok := editIDs[p.File]; ok && p.Source == "database" {
			pr.Edit = "/redaktion/" + strconv.FormatInt(id, 10)
		}
		return pr
	}

	// Pages due for review: by their reviewed date, else by their last
	// revision. News and job ads are dated and expire; they are not reviewed.
	limit := now.AddDate(0, -months, 0)
	for _, p := range st.ReportedPages(v, now) {
		if p.Type == content.TypeNews || p.Type == content.TypeJob {
			continue
		}
		since, basis := p.Reviewed, "reviewed"
		if since.IsZero() {
			since, basis = lastRevision(p), "revision"
		}
		if !since.IsZero() && since.Before(limit) {
			r.Stale = append(r.Stale, StaleRow{PageRef: ref(p), Since: since, Basis: basis})
		}
	}
	slices.SortStableFunc(r.Stale, func(a, b StaleRow) int { return a.Since.Compare(b.Since) })

	if s.Feedback != nil && s.Store != nil {
		stats, err := s.feedbackStats(c, store.FeedbackFilter{})
		if err != nil {
			return nil, err
		}
		for _, ps := range stats {
			if ps.Total < MinAnswers || ps.Share >= LowHelpfulness {
				continue
			}
			pr := PageRef{Path: ps.Path}
			if p, ok := st.ForEditor(v, ps.Path); ok {
				pr = ref(p)
			}
			r.LowHelpfulness = append(r.LowHelpfulness, HelpRow{PageRef: pr, Share: ps.Share, Total: ps.Total})
		}
		slices.SortStableFunc(r.LowHelpfulness, func(a, b HelpRow) int { return a.Share - b.Share })
	}

	for _, b := range st.BrokenLinks {
		if st.Reported(v, b.Page, now) {
			r.BrokenLinks = append(r.BrokenLinks, BrokenRow{PageRef: ref(b.Page), Line: b.Line, Message: b.Message})
		}
	}

	links := st.ExternalLinks()
	var urls []string
	for u, pages := range links {
		if slices.ContainsFunc(pages, func(p *site.Page) bool { return st.Reported(v, p, now) }) {
			urls = append(urls, u)
		}
	}
	slices.Sort(urls)
	r.LinksTotal = len(urls)
	r.LinksOff = s.Links == nil
	if s.Links != nil {
		results := s.Links.Results(urls)
		r.LinksChecked = len(results)
		for _, res := range results {
			if !res.Broken() && !res.Internal {
				continue
			}
			row := ExternalRow{LinkResult: res}
			for _, p := range links[res.URL] {
				if st.Reported(v, p, now) {
					row.Pages = append(row.Pages, ref(p))
				}
			}
			r.ExternalLinks = append(r.ExternalLinks, row)
		}
	}

	if s.Store != nil {
		loc := s.location()
		to := now.In(loc)
		zero, noClick, err := s.searchMisses(ctx, v, to.AddDate(0, 0, -30), to, 20)
		if err != nil {
			return nil, err
		}
		r.SearchZeroHits = append(r.SearchZeroHits, zero...)
		r.SearchNoClicks = append(r.SearchNoClicks, noClick...)
	}

	if s.Tiles != nil {
		editable, notices := s.Tiles.ForEditor(ctx, v)
		loc := s.location()
		clicks, err := s.Tiles.Clicks(ctx, now.In(loc).AddDate(0, 0, -30), now.In(loc))
		if err != nil {
			return nil, err
		}
		count := map[string]int64{}
		for _, cl := range clicks {
			count[cl.TileID] += cl.Count
		}
		for _, t := range editable {
			row := TileRow{ID: t.ID, Title: t.Title.In(s.chosenLang(c), s.DefaultLang), Clicks: count[t.ID], Notices: []tiles.Notice{}}
			for _, n := range notices {
				if n.TileID == t.ID && now.Before(n.EndsAt) {
					row.Notices = append(row.Notices, n)
				}
			}
			r.Tiles = append(r.Tiles, row)
		}
		slices.SortStableFunc(r.Tiles, func(a, b TileRow) int {
			if a.Clicks != b.Clicks {
				return int(b.Clicks - a.Clicks)
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return r, nil
}

// lastRevision is when the page last changed: its sign-off or save for an
// editor item, the file's time for a file.
func lastRevision(p *site.Page) time.Time {
	if p.ApprovedAt.After(p.ModTime) {
		return p.ApprovedAt
	}
	return p.ModTime
}

// apiHealth is GET /api/v1/admin/health.
func (s *Server) apiHealth(c *fiber.Ctx) error {
	r, err := s.healthReport(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(r)
}

// editorHealth is /redaktion/halsa: the report as a page.
func (s *Server) editorHealth(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	r, err := s.healthReport(c)
	if err != nil {
		return err
	}
	ev.Health = r
	v.Title = s.cat.T(v.Lang, "health.title")
	return s.send(c, "editor_health", v)
}
