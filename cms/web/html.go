package web

import (
	"bytes"
	"cmp"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/cms/redirect"
	"github.com/torg-cms/torg/cms/site"
)

const langCookie = "torg_lang"

// htmlPage serves every page, section listing, alias and attachment.
func (s *Server) htmlPage(c *fiber.Ctx) error {
	p := requestPath(c)
	if p != c.Path() && p+"/" == c.Path() && redirect.Local(p) == p {
		return c.Redirect(p, fiber.StatusMovedPermanently)
	}
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	v, now := s.Viewer(c), s.Clock.Now()

	page, sec, d := st.Lookup(v, now, p)
	if !v.IsAnonymous() || s.signIn.Offered() {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Vary(fiber.HeaderCookie)
	}
	switch d {
	case access.StepUp:
		return s.stepUp(c, page.Access.MinAuth)
	case access.Allow:
		if c.GetRespHeader(fiber.HeaderCacheControl) == "" {
			c.Set(fiber.HeaderCacheControl, "no-cache")
		}
		if page != nil && !page.IsIndex {
			return s.renderPage(c, st, v, now, page)
		}
		return s.renderSection(c, st, v, now, sec)
	case access.SignIn:
		if target, ok := st.Alias(v, now, p); ok {
			return c.Redirect(target, fiber.StatusMovedPermanently)
		}
		if a, ok := st.Asset(v, now, p); ok {
			return s.serveAsset(c, a)
		}
		if s.SignIn != nil && wantsPage(c) {
			return c.Redirect(s.SignIn(c.OriginalURL()), fiber.StatusSeeOther)
		}
	case access.Hidden:
		if target, ok := st.Alias(v, now, p); ok {
			return c.Redirect(target, fiber.StatusMovedPermanently)
		}
		if a, ok := st.Asset(v, now, p); ok {
			return s.serveAsset(c, a)
		}
	}
	return fiber.ErrNotFound
}

func (s *Server) renderPage(c *fiber.Ctx, st *site.Site, v access.Viewer, now time.Time, p *site.Page) error {
	view := s.baseView(c, st, p.Lang)
	view.Title, view.Summary = p.Title, p.Summary
	view.Page = s.pageView(p, now, st.Location())
	// Only items written in the editor can be edited there; files cannot yet.
	if s.writing.Offered() && p.EditorID > 0 && s.policy().MayEdit(v, p.Access, p.Editors) {
		view.Page.EditURL = "/redaktion/" + strconv.FormatInt(p.EditorID, 10)
	}
	view.Crumbs = st.Breadcrumbs(v, now, p, nil)
	view.Translations = s.translationLinks(st, v, now, p)
	view.LangMenu = s.langMenu(p.Lang, p.URL)
	if s.answers.Offered() {
		view.FeedbackForm = &FeedbackFormView{Path: p.URL, Result: c.Query("feedback"), SignedIn: !v.IsAnonymous()}
	}
	return s.send(c, pageTemplate(p), view)
}

func (s *Server) renderSection(c *fiber.Ctx, st *site.Site, v access.Viewer, now time.Time, sec *site.Section) error {
	view := s.baseView(c, st, sec.Lang)
	view.Title = sec.Title
	view.Section = s.sectionView(st, v, sec, now)
	view.Summary = view.Section.Summary
	view.Crumbs = st.Breadcrumbs(v, now, nil, sec)
	view.LangMenu = s.langMenu(sec.Lang, sec.URL)
	if sec.Index != nil {
		view.Translations = s.translationLinks(st, v, now, sec.Index)
	}
	loc := st.Location()
	name := listingTemplate(sec)
	switch name {
	case "home":
		view.News = s.pageViews(st.Latest(v, now, content.TypeNews, sec.Lang, 5), now, loc)
		view.Jobs = s.pageViews(st.Latest(v, now, content.TypeJob, sec.Lang, 5), now, loc)
		view.NewsURL = st.ListingURL(v, now, sec.Lang, content.TypeNews)
		view.JobsURL = st.ListingURL(v, now, sec.Lang, content.TypeJob)
		view.Sections = append(view.Sections, view.Section.Children...)
	case "news_list":
		view.News = filterType(view.Section.Pages, content.TypeNews)
	case "job_list":
		view.Jobs = filterType(view.Section.Pages, content.TypeJob)
	case "contact_list":
		view.Contacts = filterType(view.Section.Pages, content.TypeContact)
	}
	return s.send(c, name, view)
}

func filterType(ps []*PageView, t content.Type) []*PageView {
	var out []*PageView
	for _, p := range ps {
		if p.Type == t {
			out = append(out, p)
		}
	}
	return out
}

// baseView fills what every page shows: site name, home, menu.
func (s *Server) baseView(c *fiber.Ctx, st *site.Site, lang string) *View {
	v := &View{Lang: lang, Path: requestPath(c), cat: s.cat, SiteName: "Torg", Home: "/", loc: time.UTC, HasSearch: s.index.Offered()}
	if s.signIn.Offered() {
		v.AuthEnabled = true
		viewer := s.Viewer(c)
		v.SignedIn = !viewer.IsAnonymous()
		v.SignInURL = signInURL(c.OriginalURL())
		if v.SignedIn {
			v.IdleSeconds = int(s.signIn.Settings().IdleTimeout.Seconds())
		}
	}
	if st == nil {
		v.LangMenu = s.langMenu(lang, v.Path)
		return v
	}
	v.loc = st.Location()
	viewer, now := s.Viewer(c), s.Clock.Now()
	if s.writing.Offered() && s.policy().May(viewer, access.EditContent) {
		v.EditorURL = "/redaktion"
	}
	home := st.Home(lang)
	if home != nil {
		v.Home, v.SiteName = home.URL, cmp.Or(st.Name(lang), v.SiteName)
		_, subs := st.SectionListing(viewer, now, home)
		for _, sub := range subs {
			v.Nav = append(v.Nav, Link{Title: sub.Title, URL: sub.URL, Current: v.Path == sub.URL || strings.HasPrefix(v.Path, sub.URL+"/")})
		}
	}
	v.LangMenu = s.langMenu(lang, v.Path)
	return v
}

func (s *Server) translationLinks(st *site.Site, v access.Viewer, now time.Time, p *site.Page) []Link {
	var out []Link
	for _, t := range st.Translations(v, now, p) {
		out = append(out, Link{Title: s.cat.T(t.Lang, "lang."+t.Lang), URL: t.URL, Lang: t.Lang})
	}
	return out
}

// langMenu links every UI language through /_lang, which remembers the
// choice and goes to the same page in that language where there is one.
func (s *Server) langMenu(current, path string) []Link {
	var out []Link
	for _, l := range i18n.Languages {
		out = append(out, Link{
			Title:   s.cat.T(l, "lang."+l),
			URL:     "/_lang/" + l + "?return=" + url.QueryEscape(path),
			Lang:    l,
			Current: l == current,
		})
	}
	return out
}

// chooseLanguage remembers the reader's language and goes back to the page
// they came from, in that language if it exists.
func (s *Server) chooseLanguage(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if !i18n.Supported(lang) {
		return fiber.NewError(fiber.StatusNotFound, "unknown language")
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true, SameSite: "Lax"})
	target := redirect.Local(c.Query("return"))
	if st := s.Sites.Current(); st != nil {
		v, now := s.Viewer(c), s.Clock.Now()
		page, sec, d := st.Lookup(v, now, target)
		if d == access.Allow {
			if page == nil && sec != nil {
				page = sec.Index
			}
			if page != nil {
				if t := st.Translation(v, now, page, lang); t != nil {
					target = t.URL
				}
			}
			if sec != nil && sec.Dir == "" {
				if h := st.Home(lang); h != nil && st.SectionVisible(v, now, h) {
					target = h.URL
				}
			}
		}
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// chosenLang is the reader's language where no page decides it: their
// choice, then the browser's Accept-Language, then the site's default.
func (s *Server) chosenLang(c *fiber.Ctx) string {
	if l := c.Cookies(langCookie); i18n.Supported(l) {
		return l
	}
	if al := c.Get(fiber.HeaderAcceptLanguage); al != "" {
		return s.cat.Match(al)
	}
	return s.DefaultLang
}

// execute renders a page for this request's reader: the shared part from
// v, then the personal slots (see pageCache). It renders into bytes, so a
// failing template never sends half a page.
func (s *Server) execute(c *fiber.Ctx, name string, v *View) ([]byte, error) {
	pg, err := s.renderShared(name, v)
	if err != nil {
		return nil, err
	}
	if s.Viewer(c).IsAnonymous() {
		if pg, err = s.settle(c, pg); err != nil {
			return nil, err
		}
	}
	c.Locals(localPage, pg)
	return s.fill(c, pg)
}

// renderShared runs a page's template with v and cuts the result at its
// personal slots.
func (s *Server) renderShared(name string, v *View) (*sharedPage, error) {
	t, ok := s.templates[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	v.tmpl, v.mark, v.slots = t, s.pages.mark, nil
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	pg, err := cut(t, buf.Bytes(), v.mark, v.slots, v.Lang)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return pg, nil
}

func (s *Server) send(c *fiber.Ctx, name string, v *View) error {
	body, err := s.execute(c, name, v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, v.Lang)
	return c.Send(body)
}

// serveAsset sends an image or attachment with its content type.
func (s *Server) serveAsset(c *fiber.Ctx, a *site.Asset) error {
	ctype := mime.TypeByExtension(path.Ext(a.File))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	etag := `"` + strconv.FormatInt(a.ModTime.UnixNano(), 36) + "-" + strconv.FormatInt(a.Size, 36) + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, ctype)
	// An uploaded SVG or HTML file must not run script in the site's origin.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; img-src 'self'; frame-ancestors 'none'; sandbox")
	if !strings.HasPrefix(ctype, "image/") {
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("inline", map[string]string{"filename": path.Base(a.File)}))
	}
	f, err := a.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", a.File, err)
	}
	// fasthttp closes the file once it has streamed it.
	return c.SendStream(f, int(a.Size))
}

// wantsPage tells a browser navigating to a page from a request for an
// image, a script or a favicon, which must not be sent to sign in: each such
// detour would start a sign-in of its own.
func wantsPage(c *fiber.Ctx) bool {
	if mode := c.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	accept := c.Get(fiber.HeaderAccept)
	return accept == "" || strings.Contains(accept, "text/html") || strings.Contains(accept, "*/*")
}
