package web

import (
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
type HoursView struct {
	Open            bool
	Status          string
	Note            string
	ChangesAt       time.Time
	Rows            []HoursRow
	Exceptions      []HoursRow
	ExceptionsTitle string
}

// HoursRow is one line of an opening-hours table.
type HoursRow struct {
	Days  string
	Hours string
}

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

// hoursView says "open now, closes 16:00" or "closed, opens Monday 08:00"
// in lang, and lays out the weekly table and coming exceptions.
func (s *Server) hoursView(lang string, sched *hours.Schedule, now time.Time, loc *time.Location) *HoursView {
	st := sched.At(now, loc)
	hv := &HoursView{Open: st.Open, Note: st.Note, ChangesAt: st.Change, ExceptionsTitle: s.cat.T(lang, "contact.exceptions")}
	switch {
	case st.Open && st.Change.IsZero():
		hv.Status = s.cat.T(lang, "contact.open_always")
	case st.Open:
		hv.Status = s.cat.T(lang, "contact.open_until", s.when(lang, st.Change, now, loc))
	case st.Change.IsZero():
		hv.Status = s.cat.T(lang, "contact.closed")
	default:
		hv.Status = s.cat.T(lang, "contact.closed_until", s.when(lang, st.Change, now, loc))
	}
	spec := sched.Spec()
	for _, w := range spec.Weekly {
		h := strings.ReplaceAll(strings.ReplaceAll(w.Hours, "-", "–"), ",", ", ")
		h = strings.Join(strings.Fields(h), " ")
		if strings.TrimSpace(w.Hours) == "00:00-24:00" {
			h = s.cat.T(lang, "contact.all_day")
		}
		if w.Lunch != "" {
			h += " (" + s.cat.T(lang, "contact.lunch", strings.ReplaceAll(w.Lunch, "-", "–")) + ")"
		}
		hv.Rows = append(hv.Rows, HoursRow{Days: s.days(lang, w.Days), Hours: h})
	}
	for _, e := range sched.Upcoming(now, loc, 30) {
		var days string
		if e.Date != "" {
			days = s.isoDate(lang, e.Date, loc)
		} else {
			days = s.isoDate(lang, e.From, loc) + " – " + s.isoDate(lang, e.To, loc)
		}
		h := s.cat.T(lang, "contact.closed_day")
		if !e.Closed {
			h = strings.ReplaceAll(e.Hours, "-", "–")
		}
		if e.Note != "" {
			h += " (" + e.Note + ")"
		}
		hv.Exceptions = append(hv.Exceptions, HoursRow{Days: days, Hours: h})
	}
	return hv
}

func (s *Server) isoDate(lang, d string, loc *time.Location) string {
	t, err := time.ParseInLocation("2006-01-02", d, loc)
	if err != nil {
		return d
	}
	return s.cat.Date(lang, t)
}

// when names a coming moment relative to now: "13:00", "i morgon 08:00",
// "måndag 08:00", or "7 januari 08:00".
func (s *Server) when(lang string, t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	clock := i18n.Clock(t)
	// Count calendar days on a zone-free calendar, so a DST night is still one day.
	y, m, d := now.Date()
	ty, tm, td := t.Date()
	days := int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days <= 0:
		return s.cat.T(lang, "when.today", clock)
	case days == 1:
		return s.cat.T(lang, "when.tomorrow", clock)
	case days < 7:
		return s.cat.T(lang, "when.weekday", s.cat.Weekday(lang, t.Weekday()), clock)
	default:
		return s.cat.T(lang, "when.date", s.cat.Date(lang, t), clock)
	}
}

var dayIndex = map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

// days turns "mon-thu" into "Måndag–torsdag".
func (s *Server) days(lang, spec string) string {
	spec = strings.ToLower(strings.TrimSpace(spec))
	if spec == "daily" || spec == "mon-sun" {
		return s.cat.T(lang, "days.daily")
	}
	var b strings.Builder
	word := strings.Builder{}
	flush := func() {
		if d, ok := dayIndex[word.String()]; ok {
			b.WriteString(s.cat.Weekday(lang, d))
		} else {
			b.WriteString(word.String())
		}
		word.Reset()
	}
	for _, r := range spec {
		switch r {
		case '-':
			flush()
			b.WriteString("–")
		case ',':
			flush()
			b.WriteString(", ")
		case ' ':
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return capitalize(b.String())
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
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
