package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/redirect"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
)

const csrfCookie = "torg_csrf"

// csrfToken returns the browser's form token, setting it when missing: a
// random value in an HttpOnly cookie that forms repeat in a hidden field.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if t := c.Cookies(csrfCookie); len(t) >= 20 {
		return t
	}
	if t, ok := c.Locals(csrfCookie).(string); ok {
		return t // made earlier in this request
	}
	b := make([]byte, 24)
	rand.Read(b)
	t := base64.RawURLEncoding.EncodeToString(b)
	c.Locals(csrfCookie, t)
	secure := s.signIn.Settings().Secure
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: t, Path: "/", HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode})
	return t
}

func validCSRF(c *fiber.Ctx) bool {
	t := c.Cookies(csrfCookie)
	return len(t) >= 20 && c.FormValue("csrf") == t
}

// feedbackAnswer builds an answer for a page the viewer may see; false
// when the page does not exist for them.
func (s *Server) feedbackAnswer(c *fiber.Ctx, path string, helpful *bool, comment string, contactMe bool, contact, honeypot string) (feedback.Answer, *site.Page, bool) {
	st := s.Sites.Current()
	if st == nil {
		return feedback.Answer{}, nil, false
	}
	v := s.Viewer(c)
	p, _, d := st.Lookup(v, s.Clock.Now(), path)
	if d != access.Allow || p == nil {
		return feedback.Answer{}, nil, false
	}
	section, _, _ := strings.Cut(p.Dir, "/")
	var sender feedback.Sender
	if !v.IsAnonymous() {
		sender = feedback.Sender{Subject: v.Subject, Name: v.Name}
	}
	session := c.Cookies(s.signIn.CookieName())
	return feedback.Answer{Path: p.URL, Section: section, Revision: p.Hash[:16], Lang: p.Lang, Helpful: helpful, Comment: comment,
		ContactMe: contactMe, Contact: contact, Sender: sender, Honeypot: honeypot, ClientAddress: s.clientIP(c).String(), Session: session}, p, true
}

// postFeedback is the plain form: POST /feedback, then back to the page.
func (s *Server) postFeedback(c *fiber.Ctx) error {
	path := c.FormValue("path")
	back := func(code string) error {
		return c.Redirect(pathOnly(path)+"?feedback="+code+"#feedback", fiber.StatusSeeOther)
	}
	if !sameOrigin(c, s.BaseURL) || !validCSRF(c) {
		return back("expired")
	}
	var helpful *bool
	switch c.FormValue("helpful") {
	case "yes":
		t := true
		helpful = &t
	case "no":
		f := false
		helpful = &f
	}
	a, _, ok := s.feedbackAnswer(c, path, helpful, c.FormValue("comment"), c.FormValue("contact_me") != "", c.FormValue("contact"), c.FormValue("website"))
	if !ok {
		return fiber.ErrNotFound
	}
	_, err := s.Feedback.Submit(c.UserContext(), a)
	if err == nil {
		s.metrics.feedback.WithLabelValues(strconv.FormatBool(*a.Helpful)).Inc()
	}
	switch {
	case err == nil, errors.Is(err, feedback.ErrBot):
		return back("thanks")
	case errors.Is(err, feedback.ErrRateLimited):
		return back("later")
	case errors.Is(err, feedback.ErrInvalid):
		return back("invalid")
	}
	return err
}

func pathOnly(p string) string {
	p = redirect.Local(p)
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return p
}

// apiFeedback is POST /api/v1/feedback.
func (s *Server) apiFeedback(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	var in struct {
		Path      string `json:"path"`
		Helpful   *bool  `json:"helpful"`
		Comment   string `json:"comment"`
		ContactMe bool   `json:"contact_me"`
		Contact   string `json:"contact"`
		Website   string `json:"website"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	a, _, ok := s.feedbackAnswer(c, in.Path, in.Helpful, in.Comment, in.ContactMe, in.Contact, in.Website)
	if !ok {
		return apiErr(fiber.StatusNotFound, "not_found", "there is no page at "+in.Path)
	}
	f, err := s.Feedback.Submit(c.UserContext(), a)
	if err == nil {
		s.metrics.feedback.WithLabelValues(strconv.FormatBool(*a.Helpful)).Inc()
	}
	switch {
	case errors.Is(err, feedback.ErrBot):
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "thanks"})
	case errors.Is(err, feedback.ErrRateLimited):
		return apiErr(fiber.StatusTooManyRequests, "too_many_requests", "too many answers from here; try again in a few minutes")
	case errors.Is(err, feedback.ErrInvalid):
		return apiErr(fiber.StatusBadRequest, "bad_request", strings.TrimPrefix(err.Error(), "invalid feedback: "))
	case err != nil:
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "thanks", "id": f.ID})
}

// feedbackFilter reads the dashboard's filters.
func (s *Server) feedbackFilter(c *fiber.Ctx) (store.FeedbackFilter, error) {
	f := store.FeedbackFilter{Section: c.Query("section"), Lang: c.Query("lang"), Status: c.Query("status")}
	loc := s.location()
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if q := c.Query(name); q != "" {
			t, err := time.ParseInLocation(time.DateOnly, q, loc)
			if err != nil {
				return f, fieldErr(map[string]string{name: "write a date like 2026-11-01"})
			}
			if name == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	if f.Status != "" && f.Status != store.FeedbackNew && f.Status != store.FeedbackHandled && f.Status != store.FeedbackArchived {
		return f, fieldErr(map[string]string{"status": "new, handled or archived"})
	}
	return f, nil
}

// apiFeedbackList is GET /api/v1/admin/feedback: the comments inbox.
func (s *Server) apiFeedbackList(c *fiber.Ctx) error {
	f, err := s.feedbackFilter(c)
	if err != nil {
		return err
	}
	items, err := s.Store.FeedbackList(c.UserContext(), f, 500)
	if err != nil {
		return err
	}
	type row struct {
		ID        int64     `json:"id"`
		Path      string    `json:"path"`
		Lang      string    `json:"lang"`
		Helpful   bool      `json:"helpful"`
		Comment   string    `json:"comment"`
		Contact   string    `json:"contact,omitempty"`
		Status    string    `json:"status"`
		Note      string    `json:"note,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := []row{}
	st, now, viewer := s.Sites.Current(), s.Clock.Now(), s.Viewer(c)
	for _, it := range items {
		if !s.mayReport(st, viewer, now, it.Path) {
			continue
		}
		out = append(out, row{it.ID, it.Path, it.Lang, it.Helpful, it.Comment, it.Contact, it.Status, it.Note, it.CreatedAt})
	}
	return c.JSON(fiber.Map{"items": out})
}

// apiFeedbackUpdate is PATCH /api/v1/admin/feedback/{id}: status and note.
func (s *Server) apiFeedbackUpdate(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apiErr(fiber.StatusNotFound, "not_found", "no such answer")
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	switch err := s.fileAnswer(c, id, in.Status, in.Note); {
	case errors.Is(err, feedback.ErrBadStatus):
		return fieldErr(map[string]string{"status": "new, handled or archived"})
	case errors.Is(err, feedback.ErrLongNote):
		return fieldErr(map[string]string{"note": "at most 2,000 characters"})
	case errors.Is(err, feedback.ErrNotFound):
		return apiErr(fiber.StatusNotFound, "not_found", "no such answer")
	case err != nil:
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// fileAnswer sets an answer's inbox status and internal note, for the
// dashboard's form and the API alike. An answer about a page the caller
// may not see is feedback.ErrNotFound, like one that does not exist.
func (s *Server) fileAnswer(c *fiber.Ctx, id int64, status, note string) error {
	st, v, now := s.Sites.Current(), s.Viewer(c), s.Clock.Now()
	return s.Feedback.File(c.UserContext(), s.actor(c), id, status, note, func(path string) bool { return s.mayReport(st, v, now, path) })
}

// PageStatView is one page's helpfulness, with its trend.
type PageStatView struct {
	store.PageStat
	Share int     `json:"share_yes"` // per cent
	Total int64   `json:"total"`
	Trend []int64 `json:"trend"` // answers per week, oldest first, last 8 weeks
	Title string  `json:"title,omitempty"`
}

// feedbackStats computes per-page figures for the dashboard and the report.
func (s *Server) feedbackStats(c *fiber.Ctx, f store.FeedbackFilter) ([]PageStatView, error) {
	stats, err := s.Store.FeedbackStats(c.UserContext(), f)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	weeks := map[string][]int64{}
	err = s.Store.EachFeedback(c.UserContext(), store.FeedbackFilter{Section: f.Section, Lang: f.Lang, From: now.AddDate(0, 0, -56)}, func(fb *store.Feedback) error {
		w := int(now.Sub(fb.CreatedAt).Hours() / (24 * 7))
		if w >= 0 && w < 8 {
			if weeks[fb.Path] == nil {
				weeks[fb.Path] = make([]int64, 8)
			}
			weeks[fb.Path][7-w]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st, viewer := s.Sites.Current(), s.Viewer(c)
	out := make([]PageStatView, 0, len(stats))
	for _, p := range stats {
		if !s.mayReport(st, viewer, now, p.Path) {
			continue
		}
		v := PageStatView{PageStat: p, Total: p.Yes + p.No, Trend: weeks[p.Path]}
		if v.Trend == nil {
			v.Trend = make([]int64, 8)
		}
		if v.Total > 0 {
			v.Share = int(p.Yes * 100 / v.Total)
		}
		if st != nil {
			if pg, ok := st.ForEditor(viewer, p.Path); ok {
				v.Title = pg.Title
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// apiFeedbackStats is GET /api/v1/admin/feedback/stats.
func (s *Server) apiFeedbackStats(c *fiber.Ctx) error {
	f, err := s.feedbackFilter(c)
	if err != nil {
		return err
	}
	stats, err := s.feedbackStats(c, f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": stats})
}

// apiFeedbackCSV is GET /api/v1/admin/feedback.csv: every answer, streamed
// row by row, with formula-looking cells neutralised.
func (s *Server) apiFeedbackCSV(c *fiber.Ctx) error {
	f, err := s.feedbackFilter(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="torg-feedback.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	w.Write([]string{"created_at", "path", "lang", "helpful", "comment", "contact", "status", "note"})
	st, now, viewer := s.Sites.Current(), s.Clock.Now(), s.Viewer(c)
	err = s.Store.EachFeedback(c.UserContext(), f, func(fb *store.Feedback) error {
		if !s.mayReport(st, viewer, now, fb.Path) {
			return nil
		}
		yes := "no"
		if fb.Helpful {
			yes = "yes"
		}
		return w.Write([]string{fb.CreatedAt.UTC().Format(time.RFC3339), csvCell(fb.Path), fb.Lang, yes, csvCell(fb.Comment), csvCell(fb.Contact), fb.Status, csvCell(fb.Note)})
	})
	w.Flush()
	if err != nil {
		return err
	}
	return w.Error()
}

// FeedbackDashboard is the communicators' view of what readers said.
type FeedbackDashboard struct {
	Stats                          []PageStatView
	Inbox                          []store.Feedback
	Section, Lang, From, To, State string
	Query                          string       // the filters, for the forms
	CSV                            template.URL // the export with the same filters
	Error                          string
	Statuses                       []string
}

// editorFeedback is /redaktion/synpunkter: per-page figures and the inbox.
func (s *Server) editorFeedback(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	v.Title = s.cat.T(v.Lang, "fbdash.title")
	d := &FeedbackDashboard{Section: c.Query("section"), Lang: c.Query("lang"), From: c.Query("from"), To: c.Query("to"), State: c.Query("status"),
		Statuses: []string{store.FeedbackNew, store.FeedbackHandled, store.FeedbackArchived}}
	ev.Feedback = d
	f, err := s.feedbackFilter(c)
	if err != nil {
		d.Error = s.cat.T(v.Lang, "fbdash.bad_filter")
		c.Status(fiber.StatusBadRequest)
		return s.send(c, "editor_feedback", v)
	}
	q := url.Values{}
	for k, val := range map[string]string{"section": d.Section, "lang": d.Lang, "from": d.From, "to": d.To, "status": d.State} {
		if val != "" {
			q.Set(k, val)
		}
	}
	d.Query = q.Encode()
	d.CSV = template.URL("/api/v1/admin/feedback.csv")
	if d.Query != "" {
		d.CSV += template.URL("?" + d.Query) // encoded above
	}
	all := f
	all.Status = ""
	if d.Stats, err = s.feedbackStats(c, all); err != nil {
		return err
	}
	f.OnlyWithComment = true
	inbox, err := s.Store.FeedbackList(c.UserContext(), f, 200)
	if err != nil {
		return err
	}
	st, now, viewer := s.Sites.Current(), s.Clock.Now(), s.Viewer(c)
	for _, fb := range inbox {
		if s.mayReport(st, viewer, now, fb.Path) {
			d.Inbox = append(d.Inbox, fb)
		}
	}
	return s.send(c, "editor_feedback", v)
}

// editorFeedbackUpdate is POST /redaktion/synpunkter/{id}: status and note.
func (s *Server) editorFeedbackUpdate(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	switch err := s.fileAnswer(c, id, c.FormValue("status"), c.FormValue("note")); {
	case errors.Is(err, feedback.ErrBadStatus), errors.Is(err, feedback.ErrLongNote):
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	case errors.Is(err, feedback.ErrNotFound):
		return fiber.ErrNotFound
	case err != nil:
		return err
	}
	back := "/redaktion/synpunkter"
	if q := c.FormValue("back"); q != "" {
		if vals, err := url.ParseQuery(q); err == nil {
			back += "?" + vals.Encode()
		}
	}
	return c.Redirect(back+"#fb-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// mayReport tells whether answers about path may be shown to v: when v may
// look after the page (the editorial rule: its readers and the editors
// responsible for its section), or when the page no longer exists.
func (s *Server) mayReport(st *site.Site, v access.Viewer, now time.Time, path string) bool {
	if st == nil {
		return true
	}
	if _, ok := st.ForEditor(v, path); ok {
		return true
	}
	return !st.Has(path)
}
