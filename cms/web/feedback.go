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

	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/redirect"
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

// feedbackAnswer completes an answer about the page at path as the
// viewer sees it; false when the page does not exist for them.
func (s *Server) feedbackAnswer(c *fiber.Ctx, a feedback.Answer, path string) (feedback.Answer, bool) {
	a.ClientAddress, a.Session = s.clientIP(c).String(), c.Cookies(s.signIn.CookieName())
	return a, a.About(s.Sites.Current(), s.Viewer(c), s.Clock.Now(), path)
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
	a, ok := s.feedbackAnswer(c, feedback.Answer{Helpful: helpful, Comment: c.FormValue("comment"), ContactMe: c.FormValue("contact_me") != "",
		Contact: c.FormValue("contact"), Honeypot: c.FormValue("website")}, path)
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
	a, ok := s.feedbackAnswer(c, feedback.Answer{Helpful: in.Helpful, Comment: in.Comment, ContactMe: in.ContactMe, Contact: in.Contact, Honeypot: in.Website}, in.Path)
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
func (s *Server) feedbackFilter(c *fiber.Ctx) (feedback.Filter, error) {
	f := feedback.Filter{Section: c.Query("section"), Lang: c.Query("lang"), Status: c.Query("status")}
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
	if f.Status != "" && !feedback.ValidStatus(f.Status) {
		return f, fieldErr(map[string]string{"status": "new, handled or archived"})
	}
	return f, nil
}

// feedbackReader is who reads answers in this request, by the current site's rule.
func (s *Server) feedbackReader(c *fiber.Ctx) feedback.Reader {
	return feedback.Reader{Viewer: s.Viewer(c), Site: s.Sites.Current()}
}

// apiFeedbackList is GET /api/v1/admin/feedback: the comments inbox.
func (s *Server) apiFeedbackList(c *fiber.Ctx) error {
	f, err := s.feedbackFilter(c)
	if err != nil {
		return err
	}
	items, err := s.Feedback.List(c.UserContext(), s.feedbackReader(c), f, 500)
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
	for _, it := range items {
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
	switch err := s.Feedback.File(c.UserContext(), s.actor(c), s.Sites.Current(), id, in.Status, in.Note); {
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

// apiFeedbackStats is GET /api/v1/admin/feedback/stats.
func (s *Server) apiFeedbackStats(c *fiber.Ctx) error {
	f, err := s.feedbackFilter(c)
	if err != nil {
		return err
	}
	stats, err := s.Feedback.Stats(c.UserContext(), s.feedbackReader(c), f)
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
	err = s.Feedback.Export(c.UserContext(), s.feedbackReader(c), f, func(fb feedback.Record) error {
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
	Stats                          []feedback.PageStat
	Inbox                          []feedback.Record
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
		Statuses: feedback.Statuses}
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
	r := s.feedbackReader(c)
	all := f
	all.Status = ""
	if d.Stats, err = s.Feedback.Stats(c.UserContext(), r, all); err != nil {
		return err
	}
	f.OnlyWithComment = true
	if d.Inbox, err = s.Feedback.List(c.UserContext(), r, f, 200); err != nil {
		return err
	}
	return s.send(c, "editor_feedback", v)
}

// editorFeedbackUpdate is POST /redaktion/synpunkter/{id}: status and note.
func (s *Server) editorFeedbackUpdate(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	switch err := s.Feedback.File(c.UserContext(), s.actor(c), s.Sites.Current(), id, c.FormValue("status"), c.FormValue("note")); {
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
