// Package web is Torg's HTTP layer: the HTML site, the JSON API, static
// files and health checks, on fiber. It is the only package that knows fiber.
package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/feeds"
	"github.com/torg-cms/torg/cms/finder"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/render"
	"github.com/torg-cms/torg/cms/report"
	"github.com/torg-cms/torg/cms/searchstats"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

// SiteProvider hands out the current site; a reload swaps it.
type SiteProvider interface {
	Current() *site.Site
}

// Deps is what the HTTP layer needs from the rest of Torg.
type Deps struct {
	Sites       SiteProvider
	Clock       clock.Clock
	Log         *slog.Logger
	Theme       fs.FS
	BaseURL     string
	DefaultLang string
	Version     string
	// Viewer tells who is asking. Without it every request is anonymous.
	Viewer func(c *fiber.Ctx) access.Viewer
	// SignIn returns where to send an anonymous browser that must sign in
	// to see returnPath. Without it such requests answer 404, like any
	// page that does not exist. It is set when Auth is.
	SignIn func(returnPath string) string
	// Auth signs people in; nil serves everyone as anonymous.
	Auth *auth.Service
	// DemoIdP, when set, is the built-in demo provider, served under /demo-idp.
	DemoIdP http.Handler
	// Tiles is the link hub; nil shows no tiles.
	Tiles *tiles.Service
	// Search is the index; nil offers no search.
	Search *search.Index
	// SearchSettings are synonyms and best bets.
	SearchSettings SearchSettings
	// SearchStats counts what readers search for; nil counts nothing.
	SearchStats *searchstats.Service
	// Audit is the audit log, read by admins.
	Audit *audit.Log
	// Publishing is the editorial workflow; nil offers no editor.
	Publishing *publishing.Service
	// Feedback takes "Was this page helpful?"; nil shows no form.
	Feedback *feedback.Service
	// Feeds keeps the secret addresses of personal news feeds.
	Feeds *feeds.Service
	// Links knows which external links fail; nil checks none.
	Links *health.LinkChecker
	// Roles are the roles sign-in gives, offered as audiences in the editor.
	Roles []string
	// Levels are the sign-in levels, weakest first; access.DefaultLevels when nil.
	Levels []string
	// ReviewMonths is how long a page may go unreviewed; 12 when 0.
	ReviewMonths int
	// Limits are timeouts, sizes and request rates.
	Limits Limits
	// MetricsToken guards /metrics; without it only this machine may ask.
	MetricsToken string
	// Grants says which roles hold which permission; access.DefaultGrants when nil.
	Grants access.Grants
}

// Server holds the fiber app and what its handlers share.
type Server struct {
	Deps
	app       *fiber.App
	cat       *i18n.Catalog
	templates map[string]*template.Template
	pages     *pageCache
	static    sync.Map // name → *staticFile
	renderer  *render.Renderer
	openapi   []byte
	ready     func() bool
	metrics   *metrics
	reports   *report.Service
	finder    *finder.Service
	features
}

var templateNames = []string{
	"home", "section", "page", "news", "news_list", "job", "job_list",
	"faq", "contact", "contact_list", "404", "error",
	"signout", "signin_problem", "stepup", "tile_closed", "search", "editor_list", "editor_item", "editor_audit", "editor_feedback", "editor_health",
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	s := &Server{pages: newPageCache()}
	switch {
	case d.Viewer != nil:
	case d.Auth != nil:
		d.Viewer = s.viewerFromLocals
		if d.SignIn == nil {
			d.SignIn = signInURL
		}
	default:
		d.Viewer = func(*fiber.Ctx) access.Viewer { return access.Anonymous }
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.DefaultLang == "" {
		d.DefaultLang = "sv"
	}
	cat, err := i18n.Load(d.Theme, "i18n", d.DefaultLang)
	if err != nil {
		return nil, err
	}
	s.Deps, s.cat, s.templates, s.renderer = d, cat, map[string]*template.Template{}, render.New()
	s.features = featuresOf(d)
	s.metrics = s.newMetrics()
	s.reports = &report.Service{Sites: d.Sites, Publishing: d.Publishing, Feedback: d.Feedback, Links: d.Links, Tiles: d.Tiles,
		ReviewMonths: d.ReviewMonths, DefaultLang: d.DefaultLang}
	s.finder = &finder.Service{Index: d.Search, Settings: d.SearchSettings, Stats: d.SearchStats, Clock: d.Clock, DefaultLang: d.DefaultLang}
	if d.SearchStats != nil {
		s.reports.Misses = s.finder.Misses
	}
	funcs := template.FuncMap{
		"t":      cat.T,
		"static": s.staticURL,
		"tel":    telURI,
		"icon":   s.icon,
		"list":   func(xs ...string) []string { return xs },
		"label":  label(cat),
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
	for _, name := range templateNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(d.Theme,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("theme template %s: %w", name, err)
		}
		s.templates[name] = t
	}
	if s.openapi, err = openAPIJSON(); err != nil {
		return nil, err
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "torg",
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           cmp.Or(d.Limits.ReadTimeout, 30*time.Second),
		WriteTimeout:          cmp.Or(d.Limits.WriteTimeout, 30*time.Second),
		IdleTimeout:           cmp.Or(d.Limits.IdleTimeout, 120*time.Second),
		BodyLimit:             MaxUpload + 1<<20, // image uploads; other requests are held to 1 MB below
		StrictRouting:         true,              // so /api/v1/pages/ (the home page) is not /api/v1/pages (the list)
		CaseSensitive:         true,              // so /API/v1/… is not the API, whose checks look for /api/
		// A page (4–20 KB) and its headers leave in one write, not two.
		WriteBufferSize: 32 << 10,
	})
	s.routes()
	return s, nil
}

// telURI makes a tel: address of a phone number as people write it.
func telURI(number string) template.URL {
	var b strings.Builder
	for _, r := range number {
		if r == '+' || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return template.URL("tel:" + b.String())
}

// App is the fiber application, for serving and for tests.
func (s *Server) App() *fiber.App { return s.app }

// SetDatabaseCheck sets the database check /readyz reports.
func (s *Server) SetDatabaseCheck(f func() bool) { s.ready = f }

// Shutdown stops accepting requests and waits for those in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

// routes binds middleware in order and lists every route.
func (s *Server) routes() {
	app := s.app
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		s.Log.Error("panic in handler", "path", c.Path(), "panic", e, "request_id", c.Locals("requestid"))
	}}))
	app.Use(requestid.New())
	app.Use(s.requestDeadline)
	app.Use(s.logRequests)
	app.Use(s.securityHeaders())
	app.Use(s.limitBody)
	if s.DemoIdP != nil {
		// The demo provider is its own application; it skips Torg's sign-in.
		idp := netHTTP(http.StripPrefix("/demo-idp", s.DemoIdP))
		app.All("/demo-idp", idp)
		app.All("/demo-idp/*", idp)
	}
	s.rateLimits(app)
	if s.Auth != nil {
		app.Use(s.identify)
	}
	app.Use(s.countWrites)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.serveMetrics())
	// Theme files are public and fixed, so compressing them leaks nothing.
	app.Get("/static/*", compress.New(compress.Config{Level: compress.LevelBestSpeed}), s.serveStatic)
	app.Get("/api/openapi.json", s.serveOpenAPI)

	api := app.Group("/api/v1", s.privateAnswers, etag.New())
	api.Get("/pages", s.apiPages)
	api.Get("/pages/*", s.apiPage)
	api.Get("/sections", s.apiSections)
	api.Get("/news", s.apiNews)
	api.Get("/jobs", s.apiJobs)
	api.Get("/contacts", s.apiContacts)
	if s.Auth != nil {
		api.Get("/me", s.me)
		app.Get("/auth/login", s.login)
		app.Get("/auth/callback", s.callback)
		app.Get("/auth/logout", s.logoutPage)
		app.Post("/auth/logout", s.logout)
	}
	if s.Tiles != nil {
		api.Get("/tiles", s.apiTiles)
		api.Put("/me/favorites", s.putFavorites)
		notices := s.guard(api, access.PostNotice, refuseAPI)
		notices.Post("/tiles/:id/notices", s.addNotice)
		notices.Delete("/tiles/:id/notices/:nid", s.removeNotice)
		tileAdmin := s.guard(api, access.ManageTiles, refuseAPI)
		tileAdmin.Get("/admin/tiles", s.adminTiles)
		tileAdmin.Post("/admin/tiles", s.adminSaveTile)
		tileAdmin.Get("/admin/tiles/clicks", s.adminClicks)
		tileAdmin.Get("/admin/tiles/:id", s.adminTile)
		tileAdmin.Put("/admin/tiles/:id", s.adminSaveTile)
		tileAdmin.Put("/admin/tiles/:id/icon", s.adminPutIcon)
		tileAdmin.Delete("/admin/tiles/:id", s.adminDeleteTile)
		app.Get("/go/:id", s.goTile)
		app.Post("/tiles/:id/favorite", s.pinTile)
		app.Get("/tiles/:id/icon", s.tileIconImage)
	}
	if s.Search != nil {
		api.Get("/search", s.apiSearch)
		api.Get("/search/suggest", s.apiSuggest)
		if s.SearchStats != nil {
			s.guard(api, access.ViewReports, refuseHidden).Get("/admin/search/misses", s.apiMisses)
		}
		app.Get("/sok", s.searchPage)
		app.Get("/sok/go", s.searchClick)
	}
	// The editor's pages; those with a fixed name come before /redaktion/{id}.
	ed := s.guardGroup(app, "/redaktion", access.EditContent, refusePage, s.editorGate)
	reports := s.guard(api, access.ViewReports, refuseAPI)
	edReports := ed.also(access.ViewReports, refusePage)
	if s.Feedback != nil {
		api.Post("/feedback", s.apiFeedback)
		reports.Get("/admin/feedback", s.apiFeedbackList)
		reports.Get("/admin/feedback.csv", s.apiFeedbackCSV)
		reports.Get("/admin/feedback/stats", s.apiFeedbackStats)
		reports.Patch("/admin/feedback/:id", s.apiFeedbackUpdate)
		app.Post("/feedback", s.postFeedback)
		edReports.Get("/synpunkter", s.editorFeedback)
		edReports.Post("/synpunkter/:id", s.editorFeedbackUpdate)
	}
	reports.Get("/admin/health", s.apiHealth)
	edReports.Get("/halsa", s.editorHealth)
	if s.Publishing != nil {
		// Which items a writer may work on is the editorial rule, asked per item.
		writers := s.guard(api, access.EditContent, refuseAPI)
		writers.Get("/admin/items", s.listItems)
		writers.Post("/admin/items", s.createItem)
		writers.Get("/admin/items/:id", s.getItem)
		writers.Put("/admin/items/:id", s.saveItem)
		writers.Get("/admin/items/:id/revisions", s.itemRevisions)
		writers.Post("/admin/items/:id/:action", s.itemAction)
		writers.Post("/admin/preview", s.preview)
		writers.Post("/admin/media", s.upload)
		app.Get("/media/:key/:name", s.media)
		api.Post("/me/feed", s.createFeedToken)
		api.Delete("/me/feed", s.revokeFeedTokens)
		auditors := s.guard(api, access.ViewAudit, refuseAPI)
		auditors.Get("/admin/audit", s.auditLog)
		auditors.Get("/admin/audit.csv", s.auditCSV)
		app.Get("/feeds/nyheter.atom", s.publicFeed)
		app.Get("/feeds/nyheter/:token", s.personalFeed)
		ed.Get("", s.editorList)
		ed.Get("/ny", s.editorNew)
		ed.Post("/ny", s.editorCreate)
		ed.Post("/media", s.editorUpload)
		ed.also(access.ViewAudit, refusePage).Get("/logg", s.editorAudit)
		ed.Get("/:id", s.editorItem)
		ed.Post("/:id", s.editorAct)
	}
	app.All("/api/*", func(c *fiber.Ctx) error {
		return apiErr(fiber.StatusNotFound, "not_found", "there is no API endpoint at "+c.Path())
	})

	app.Get("/_lang/:lang", s.chooseLanguage)
	app.Get("/*", s.cachedPages, s.htmlPage)
}

// logRequests writes one line per request.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the answer now so the status is logged right.
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	s.metrics.observe(c, took)
	s.Log.Info("request",
		"method", c.Method(),
		"path", c.Path(),
		"status", c.Response().StatusCode(),
		"bytes", len(c.Response().Body()),
		"duration_ms", float64(took.Microseconds())/1000,
		"request_id", c.Locals("requestid"),
	)
	return nil
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	// An instance without its database stays ready: pages, search and known
	// sessions are served from memory, and writes answer 503 on their own.
	// Were readiness to follow the database, which every instance shares,
	// the balancer would take all of them out at once.
	database := "ok"
	if s.ready != nil && !s.ready() {
		database = "unavailable"
	}
	if !s.operator(c) {
		// The page count includes pages the caller may not know of.
		return c.JSON(fiber.Map{"status": "ready"})
	}
	return c.JSON(fiber.Map{"status": "ready", "pages": st.Len(), "problems": len(st.Problems), "built": st.Built, "database": database})
}

// requestPath is the decoded path of the request, without a trailing slash.
func requestPath(c *fiber.Ctx) string {
	p, err := url.PathUnescape(c.Path())
	if err != nil {
		p = c.Path()
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		p = "/"
	}
	return p
}
