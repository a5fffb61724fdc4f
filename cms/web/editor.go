package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/report"
	"github.com/torg-cms/torg/cms/site"
)

// EditorView is the editor's page data.
type EditorView struct {
	Items      []publishing.Item
	Item       *publishing.Item
	Form       EditorForm
	Errors     map[string]string
	Message    string
	Preview    template.HTML
	Sections   []string
	Roles      []string
	Levels     []string
	CanWrite   bool
	CanApprove bool
	IsAuthor   bool
	Uploaded   string
	Audit      []audit.Entry
	Health     *report.Report
	Feedback   *FeedbackDashboard
	seen       func(access.Rule) string
	ruleOf     func(EditorForm) access.Rule
}

// SeenBy says in plain words who may read the item as its fields stand.
func (ev *EditorView) SeenBy() string { return ev.seen(ev.ruleOf(ev.Form)) }

// Seen says in plain words who may read under rule r.
func (ev *EditorView) Seen(r access.Rule) string { return ev.seen(r) }

// EditorForm is what the editor's fields hold.
type EditorForm = publishing.Form

func readForm(c *fiber.Ctx) EditorForm {
	f := EditorForm{
		Section: c.FormValue("section"), Slug: c.FormValue("slug"), Lang: c.FormValue("lang"),
		Title: c.FormValue("title"), Summary: c.FormValue("summary"), Type: c.FormValue("type"), Body: c.FormValue("body"),
		MinAuth: c.FormValue("min_auth"), Tags: c.FormValue("tags"), Date: c.FormValue("date"),
		PublishAt: c.FormValue("publish_at"), ExpireAt: c.FormValue("expire_at"), ImportantUntil: c.FormValue("important_until"),
		ApplyBy: c.FormValue("apply_by"), Unit: c.FormValue("unit"), Extent: c.FormValue("extent"), Contact: c.FormValue("contact"),
		Note: c.FormValue("note"), Comment: c.FormValue("comment"), Reason: c.FormValue("reason"),
	}
	f.Version, _ = strconv.ParseInt(c.FormValue("version"), 10, 64)
	if args, err := c.MultipartForm(); err == nil {
		f.Audience = args.Value["audience"]
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if string(k) == "audience" {
				f.Audience = append(f.Audience, string(v))
			}
		})
	}
	switch c.FormValue("audience_mode") {
	case "signed_in":
		f.Audience, f.SignedIn = nil, true
	case "inherit":
		f.Audience = nil
	}
	return f
}

func (s *Server) editorView(c *fiber.Ctx) (*View, *EditorView) {
	lang := s.chosenLang(c)
	v := s.baseView(c, s.Sites.Current(), lang)
	viewer := s.Viewer(c)
	ev := &EditorView{
		Roles: s.audiences(s.Sites.Current()), Levels: s.levels(),
		CanWrite:   s.policy().May(viewer, access.EditContent),
		CanApprove: s.policy().May(viewer, access.Approve),
		seen:       func(r access.Rule) string { return SeenBy(s.cat, lang, r) },
		ruleOf:     s.ruleOf,
	}
	if st := s.Sites.Current(); st != nil {
		for _, dir := range st.Folders() {
			if s.writing.MayWriteIn(viewer, dir) {
				ev.Sections = append(ev.Sections, dir)
			}
		}
	}
	v.Editor = ev
	return v, ev
}

// audiences are the roles an item may be shown to: everyone, the roles
// sign-in gives, the editorial ones, and any the content already names.
func (s *Server) audiences(st *site.Site) []string {
	roles := slices.Concat(s.Roles, s.policy().Privileged())
	if st != nil {
		roles = append(roles, st.Audiences()...)
	}
	roles = slices.DeleteFunc(roles, func(r string) bool { return r == access.Public })
	slices.Sort(roles)
	return append([]string{access.Public}, slices.Compact(roles)...)
}

// levels are the sign-in levels, weakest first.
func (s *Server) levels() []string {
	if len(s.Levels) == 0 {
		return access.DefaultLevels
	}
	return s.Levels
}

// editorGate keeps the editor's forms to this site and its pages out of
// caches; its routes declare the permission they need.
func (s *Server) editorGate(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodPost && !sameOrigin(c, s.BaseURL) {
		return fiber.NewError(fiber.StatusForbidden, "the form must come from this site")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// editorList is /redaktion: every item and its state.
func (s *Server) editorList(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	items, err := s.Publishing.Items(c.UserContext(), s.Viewer(c))
	if err != nil {
		return err
	}
	ev.Items = items
	v.Title = s.cat.T(v.Lang, "editor.title")
	return s.send(c, "editor_list", v)
}

// editorNew is GET /redaktion/ny.
func (s *Server) editorNew(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	ev.Form = EditorForm{Type: c.Query("type", "news"), Section: c.Query("section", "nyheter"), Lang: s.DefaultLang, Date: s.Clock.Now().In(s.location()).Format("2006-01-02")}
	// News and job ads are for everyone signed in; other pages read as
	// their section does.
	ev.Form.SignedIn = ev.Form.Type == string(content.TypeNews) || ev.Form.Type == string(content.TypeJob)
	v.Title = s.cat.T(v.Lang, "editor.new")
	return s.send(c, "editor_item", v)
}

// editorCreate is POST /redaktion/ny.
func (s *Server) editorCreate(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	ev.Form = readForm(c)
	v.Title = s.cat.T(v.Lang, "editor.new")
	if c.FormValue("action") == "preview" {
		return s.editorPreview(c, v, ev)
	}
	if err := s.checkBody(ev.Form.Body); s.editorLimit(c, v, ev, err) {
		return s.send(c, "editor_item", v)
	}
	it, err := s.Publishing.Create(c.UserContext(), s.actor(c), ev.Form.Path(s.DefaultLang), ev.Form.Markdown())
	if err != nil {
		return s.editorRefused(c, v, ev, err)
	}
	return c.Redirect(fmt.Sprintf("/redaktion/%d?saved=1", it.ID), fiber.StatusSeeOther)
}

func (s *Server) editorPreview(c *fiber.Ctx, v *View, ev *EditorView) error {
	doc, err := s.renderer.Render([]byte(ev.Form.Body), false, nil)
	if err == nil {
		ev.Preview = template.HTML(doc.HTML) //nolint:gosec // the renderer escapes raw HTML
	}
	s.editorLimit(c, v, ev, err)
	return s.send(c, "editor_item", v)
}

func (s *Server) editorRefused(c *fiber.Ctx, v *View, ev *EditorView, err error) error {
	var fe publishing.FieldErrors
	var r *publishing.Refusal
	switch {
	case errors.Is(err, publishing.ErrNotFound):
		return fiber.ErrNotFound
	case errors.As(err, &fe):
		ev.Errors = fe
		ev.Message = s.cat.T(v.Lang, "editor.invalid")
		c.Status(fiber.StatusUnprocessableEntity)
	case errors.As(err, &r):
		ev.Message = r.Reason
		c.Status(fiber.StatusConflict)
		if errors.Is(err, publishing.ErrForbidden) {
			c.Status(fiber.StatusForbidden)
		}
	default:
		return err
	}
	return s.send(c, "editor_item", v)
}

func (s *Server) loadEditorItem(c *fiber.Ctx, v *View, ev *EditorView) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	it, draft, published, err := s.Publishing.Item(c.UserContext(), s.Viewer(c), id)
	if errors.Is(err, publishing.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	md := draft
	if md == "" {
		md = published
	}
	ev.Item = it
	ev.Form = publishing.FormOf(it, md, content.Options{DefaultLang: s.DefaultLang, Location: s.location(), Levels: s.Levels})
	ev.IsAuthor = it.AuthorID == s.Viewer(c).Subject
	v.Title = s.cat.T(v.Lang, "editor.edit", it.Path)
	return nil
}

// editorItem is GET /redaktion/{id}.
func (s *Server) editorItem(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	if err := s.loadEditorItem(c, v, ev); err != nil {
		return err
	}
	if c.Query("saved") != "" {
		ev.Message = s.cat.T(v.Lang, "editor.saved")
	}
	ev.Uploaded = c.Query("uploaded")
	return s.send(c, "editor_item", v)
}

// editorAct is POST /redaktion/{id}: save, preview, or a step of the review.
func (s *Server) editorAct(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	if err := s.loadEditorItem(c, v, ev); err != nil {
		return err
	}
	form := readForm(c)
	form.Section, form.Slug, form.Lang = ev.Form.Section, ev.Form.Slug, ev.Form.Lang
	a, ctx, id := s.actor(c), c.UserContext(), ev.Item.ID
	var err error
	switch c.FormValue("action") {
	case "preview":
		ev.Form = form
		return s.editorPreview(c, v, ev)
	case "save":
		ev.Form = form
		if err := s.checkBody(form.Body); s.editorLimit(c, v, ev, err) {
			return s.send(c, "editor_item", v)
		}
		_, err = s.Publishing.Save(ctx, a, id, form.Version, form.Markdown(), form.Note)
	case "unpublish":
		_, err = s.Publishing.Step(ctx, a, id, form.Version, "unpublish", form.Reason)
	default:
		_, err = s.Publishing.Step(ctx, a, id, form.Version, c.FormValue("action"), form.Comment)
		if errors.Is(err, publishing.ErrUnknownStep) {
			return fiber.NewError(fiber.StatusBadRequest, "unknown action")
		}
	}
	if err != nil {
		return s.editorRefused(c, v, ev, err)
	}
	return c.Redirect(fmt.Sprintf("/redaktion/%d?saved=1", id), fiber.StatusSeeOther)
}

// editorUpload is POST /redaktion/media: an image from the editor's form.
func (s *Server) editorUpload(c *fiber.Ctx) error {
	back := "/redaktion"
	if id := c.FormValue("item"); id != "" {
		if _, err := strconv.Atoi(id); err == nil {
			back = "/redaktion/" + id
		}
	}
	res := c.Response()
	if err := s.upload(c); err != nil {
		return err
	}
	var out struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(res.Body(), &out); err != nil || out.URL == "" {
		return fiber.NewError(fiber.StatusBadRequest, "the image could not be stored")
	}
	res.ResetBody()
	return c.Redirect(back+"?uploaded="+url.QueryEscape(out.URL), fiber.StatusSeeOther)
}

// editorAudit is /redaktion/logg: the audit log (access.ViewAudit).
func (s *Server) editorAudit(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	entries, err := s.Audit.Entries(c.UserContext(), 500)
	if err != nil {
		return err
	}
	ev.Audit = entries
	v.Title = s.cat.T(v.Lang, "editor.audit")
	return s.send(c, "editor_audit", v)
}

// label names a configured value (a role, a level) in lang from the
// theme's catalog key prefix+value, or by the value itself when the theme
// has no name for it.
func label(cat *i18n.Catalog) func(lang, prefix, value string) string {
	return func(lang, prefix, value string) string {
		if t := cat.T(lang, prefix+value); t != prefix+value {
			return t
		}
		return value
	}
}
