package web

import (
	"html/template"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/hours"
	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/cms/site"
)

// View is what every HTML template receives. It is the shared part of a
// page, kept for every reader of the same access class: it holds nothing
// of the reader's own. Their values reach the page through personal slots
// only (View.Slot, Personal).
type View struct {
	Lang         string
	Title        string
	Summary      string
	SiteName     string
	Home         string
	Path         string
	Nav          []Link
	Crumbs       []site.Crumb
	Translations []Link
	LangMenu     []Link
	Page         *PageView
	Section      *SectionView
	News         []*PageView
	Jobs         []*PageView
	Contacts     []*PageView
	SearchView   *SearchView
	Editor       *EditorView
	// FeedbackForm is set on pages that ask "Was this page helpful?".
	FeedbackForm *FeedbackFormView
	HasSearch    bool
	Sections     []Link
	NewsURL      string
	JobsURL      string
	RequestID    string
	Message      string
	StepUpURL    string

	AuthEnabled bool
	SignedIn    bool
	SignInURL   string
	IdleSeconds int // when the session ends without activity, for the warning
	// EditorURL is the editor, for readers with editorial rights. Like
	// a page's EditURL it follows from the reader's access class alone, so
	// it belongs to the shared render.
	EditorURL string

	cat *i18n.Catalog
	loc *time.Location

	tmpl  *template.Template // the page's template set, which defines the slots
	mark  string             // begins a slot's stand-in in the shared render
	slots []string           // the slots declared so far, in order
}

// DateOf formats a date in the view's language and the site's zone.
func (v *View) DateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return v.cat.Date(v.Lang, t.In(v.loc))
}

// Link is a titled link.
type Link struct {
	Title   string
	URL     string
	Lang    string
	Summary string
	Current bool
}

// PageView is a page ready for a template.
type PageView struct {
	*site.Page
	HTML         template.HTML
	Intro        template.HTML
	FAQ          []QAView
	Hours        *HoursView
	DateText     string
	ReviewedText string
	ApprovedText string
	EditURL      string // where the reader may edit the page, if they may
	IsNew        bool   // a job ad in its first days
	Important    bool   // news kept at the top
}

// newFor is how long a job ad carries its "new" badge.
const newFor = 3 * 24 * time.Hour

// QAView is one FAQ entry for a template.
type QAView struct {
	ID       string
	Question string
	Answer   template.HTML
}

// SectionView is a section listing for a template.
type SectionView struct {
	*site.Section
	Summary  string
	Intro    template.HTML
	Pages    []*PageView
	Children []Link
}

// HoursView is the state and table of opening hours.
type HoursView = hours.Description

// HoursRow is one line of an opening-hours table.
type HoursRow = hours.Row

// pageView prepares p for templates in its own language.
func (s *Server) pageView(p *site.Page, now time.Time, loc *time.Location) *PageView {
	pv := &PageView{
		Page: p,
		// The renderer escaped or sanitised this HTML already.
		HTML:  template.HTML(p.Doc.HTML), //nolint:gosec
		Intro: template.HTML(p.Doc.Intro),
	}
	if p.Unrendered {
		pv.HTML = template.HTML(`<p class="notice-box">` + template.HTMLEscapeString(s.cat.T(p.Lang, "page.unrendered")) + `</p>`) //nolint:gosec // escaped
	}
	for _, qa := range p.Doc.FAQ {
		pv.FAQ = append(pv.FAQ, QAView{ID: qa.ID, Question: qa.Question, Answer: template.HTML(qa.Answer)})
	}
	if !p.Date.IsZero() {
		pv.DateText = s.cat.Date(p.Lang, p.Date.In(loc))
	}
	if !p.Reviewed.IsZero() {
		pv.ReviewedText = s.cat.Date(p.Lang, p.Reviewed.In(loc))
	}
	if p.Type == content.TypeJob {
		since := p.Access.PublishAt
		if since.IsZero() {
			since = p.Date
		}
		pv.IsNew = !since.IsZero() && now.Sub(since) < newFor && !now.Before(since)
	}
	pv.Important = p.ImportantUntil.After(now)
	if !p.ApprovedAt.IsZero() {
		pv.ApprovedText = s.cat.Date(p.Lang, p.ApprovedAt.In(loc))
	}
	if p.Contact != nil && !p.Contact.Hours.IsZero() {
		pv.Hours = s.hoursView(p.Lang, p.Contact.Hours, now, loc)
	}
	return pv
}

func (s *Server) pageViews(ps []*site.Page, now time.Time, loc *time.Location) []*PageView {
	out := make([]*PageView, len(ps))
	for i, p := range ps {
		out[i] = s.pageView(p, now, loc)
	}
	return out
}

// hoursView tells a schedule in lang.
func (s *Server) hoursView(lang string, sched *hours.Schedule, now time.Time, loc *time.Location) *HoursView {
	return hours.Describe(s.cat, lang, sched, now, loc)
}

// sectionView prepares a section listing for v.
func (s *Server) sectionView(st *site.Site, v access.Viewer, sec *site.Section, now time.Time) *SectionView {
	pages, subs := st.SectionListing(v, now, sec)
	sv := &SectionView{Section: sec, Pages: s.pageViews(pages, now, st.Location())}
	if sec.Index != nil {
		sv.Summary = sec.Index.Summary
		sv.Intro = template.HTML(sec.Index.Doc.HTML)
	}
	for _, c := range subs {
		l := Link{Title: c.Title, URL: c.URL, Lang: c.Lang}
		if c.Index != nil {
			l.Summary = c.Index.Summary
		}
		sv.Children = append(sv.Children, l)
	}
	return sv
}

// listingTemplate picks the template of a section by the type of its _index.
func listingTemplate(sec *site.Section) string {
	if sec.Dir == "" {
		return "home"
	}
	if sec.Index == nil {
		return "section"
	}
	switch sec.Index.Type {
	case content.TypeNews:
		return "news_list"
	case content.TypeJob:
		return "job_list"
	case content.TypeContact:
		return "contact_list"
	}
	return "section"
}

// pageTemplate picks the template of a page by its type.
func pageTemplate(p *site.Page) string {
	switch p.Type {
	case content.TypeNews:
		return "news"
	case content.TypeJob:
		return "job"
	case content.TypeFAQ:
		return "faq"
	case content.TypeContact:
		return "contact"
	}
	return "page"
}

// FeedbackFormView is the state of a page's feedback form.
type FeedbackFormView struct {
	Path     string
	Result   string // thanks, later, invalid, expired
	SignedIn bool
}
