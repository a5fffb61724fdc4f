// Package app is Torg assembled: one constructor builds every part from
// one configuration, Run runs the background work and the web server under
// one group, and Close waits for that work before it closes the search
// index and the database. Every command and the tests build Torg here.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/feeds"
	"github.com/torg-cms/torg/cms/searchstats"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/cms/web"
	democontent "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/search"
	"github.com/torg-cms/torg/themes"
)

// Parts say which parts of Torg to build; a command builds what it uses.
type Parts uint8

const (
	// Site is the content, built once; with Store, the editor's items too.
	Site Parts = 1 << iota
	// Store is the database and the tiles kept in it.
	Store
	// Index is the search index, opened before the database, so that an
	// index another process holds is refused before anything else opens.
	Index
	// Server is sign-in, publishing, feedback, link checks and the web server.
	Server
	// All is a whole running Torg.
	All = Site | Store | Index | Server
)

// Options are what a configuration does not say.
type Options struct {
	Parts   Parts          // All when 0
	Log     *slog.Logger   // nothing is logged when nil
	Clock   clock.Clock    // the system clock when nil
	Version string         // shown by the web server
	Content content.Source // instead of the configured folder or the demo
}

// tilesEvery is how often the tiles are read for changes made by another
// instance; a change made here is heard at once.
const tilesEvery = 5 * time.Second

// App is Torg assembled. The parts not asked for are nil.
type App struct {
	Config     *config.Config
	Settings   Settings
	Log        *slog.Logger
	Clock      clock.Clock
	Theme      fs.FS
	DB         *store.DB
	Sites      *site.Builder
	Tiles      *tiles.Service
	Index      *search.Index
	Auth       *auth.Service
	Publishing *publishing.Service
	Feedback   *feedback.Service
	Links      *health.LinkChecker
	Server     *web.Server

	indexer *indexSyncer
	workers []func(context.Context) error

	mu      sync.Mutex
	running bool
	closed  bool
	stop    context.CancelFunc
	done    chan struct{}
}

// New builds the parts of Torg that opts asks for from cfg. Nothing runs in
// the background until Run. On error, what was opened is closed again.
func New(ctx context.Context, cfg *config.Config, opts Options) (_ *App, err error) {
	parts := cmp.Or(opts.Parts, All)
	a := &App{Config: cfg, Settings: SettingsOf(cfg), Log: opts.Log, Clock: opts.Clock}
	if a.Log == nil {
		a.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if a.Clock == nil {
		a.Clock = clock.System{}
	}
	defer func() {
		if err != nil {
			a.closeParts()
		}
	}()
	if parts&(Store|Index) != 0 {
		if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
			return nil, fmt.Errorf("create the data folder %s: %w", cfg.Data, err)
		}
	}
	if parts&Index != 0 {
		if a.Index, err = search.Open(IndexDir(cfg), cfg.AuthLevels, a.Log.With("component", "search")); err != nil {
			return nil, fmt.Errorf("open the search index: %w", err)
		}
	}
	if parts&Store != 0 {
		if a.DB, err = store.Open(ctx, cfg.DatabaseURL, cfg.Data); err != nil {
			return nil, fmt.Errorf("open the database: %w", err)
		}
		a.DB.LimitConns(cfg.DatabaseConns)
	}
	if parts&(Store|Server) != 0 {
		if a.Theme, err = themes.Load(cfg.Theme); err != nil {
			return nil, err // it names the theme folder
		}
	}
	if parts&Site != 0 {
		if err := a.buildSite(ctx, opts.Content); err != nil {
			return nil, err
		}
	}
	if a.DB != nil {
		if err := a.startTiles(ctx, parts&Server != 0); err != nil {
			return nil, err
		}
	}
	if a.Index != nil && a.Sites != nil {
		a.indexer = newIndexSyncer(a.Index, a.Log.With("component", "search"))
		a.indexer.site = a.Sites.Current() // Run syncs it first
		a.Sites.Subscribe(a.indexer.siteBuilt)
		if a.Tiles != nil {
			a.indexer.tiles, _ = a.Tiles.Current(ctx)
			a.Tiles.Subscribe(a.indexer.tilesChanged)
			a.Go(func(ctx context.Context) error { a.Tiles.Watch(ctx, tilesEvery); return nil })
		}
		a.Go(a.indexer.run)
	}
	if parts&Server != 0 {
		if a.Sites == nil || a.DB == nil {
			return nil, errors.New("the web server needs the site and the store")
		}
		if err := a.startServer(opts.Version); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// buildSite builds the site from the content folder (or src) and, with a
// store, the editor's items. Files come first: when a file and an item
// claim one address, the file wins.
func (a *App) buildSite(ctx context.Context, src content.Source) error {
	if src == nil {
		var err error
		if src, err = contentSource(a.Config); err != nil {
			return fmt.Errorf("open the content: %w", err)
		}
	}
	sources := []content.Source{src}
	if a.DB != nil {
		sources = append(sources, publishing.NewSource(a.DB, time.Second))
	}
	a.Sites = site.NewBuilder(a.Settings.Site, a.Clock, a.Log, sources...)
	st, err := a.Sites.Build(ctx)
	if err != nil {
		return fmt.Errorf("load the content: %w", err)
	}
	site.LogProblems(a.Log, st.Problems)
	a.Log.Info("content loaded", "source", src.Name(), "pages", st.Len(), "problems", len(st.Problems))
	a.Go(func(ctx context.Context) error { a.Sites.Watch(ctx); return nil })
	return nil
}

// contentSource is the configured folder, or the embedded demo.
func contentSource(cfg *config.Config) (content.Source, error) {
	if cfg.Content != "" {
		return content.OpenDir(cfg.Content, cfg.ContentHTML)
	}
	return content.NewDirSource("content", democontent.Files, "", false), nil
}

// startTiles opens the tile service; a server seeds it on the first start
// and checks the tiles' health.
func (a *App) startTiles(ctx context.Context, serving bool) error {
	a.Tiles = tiles.NewService(a.DB, a.Clock, a.Log.With("component", "tiles"), a.Settings.Policy, a.Settings.Site.Location, tileRules(a.Config, a.Theme))
	if !serving {
		return nil
	}
	if err := a.seedTiles(ctx); err != nil {
		return fmt.Errorf("set up tiles: %w", err)
	}
	if !a.Config.CheckTileHealth {
		a.Log.Info("tile health checks off: the demo asks nothing outside this machine unless check-links is true")
		return nil
	}
	checker := tiles.NewChecker(a.Config.HealthInterval, a.Config.HealthTimeout, a.Config.AllowInternal, a.Log.With("component", "health"))
	a.Tiles.SetHealth(checker)
	a.Go(func(ctx context.Context) error {
		checker.Run(ctx, func(ctx context.Context) *tiles.Set { set, _ := a.Tiles.Current(ctx); return set })
		return nil
	})
	return nil
}

// startServer builds sign-in, the services behind the editor and the
// web server.
func (a *App) startServer(version string) error {
	cfg, log := a.Config, a.Log
	deps := web.Deps{
		Sites: a.Sites, Clock: a.Clock, Log: log, Theme: a.Theme,
		BaseURL: cfg.BaseURL, DefaultLang: cfg.DefaultLang, Version: version, Levels: a.Settings.Policy.Levels, Grants: a.Settings.Policy.Grants,
		Tiles: a.Tiles, ReviewMonths: cfg.ReviewMonths, MetricsToken: cfg.MetricsToken,
		SearchSettings: web.SearchSettings{Synonyms: cfg.SearchSynonyms, BestBets: cfg.SearchBestBets},
		SearchStats:    searchstats.New(a.DB), Audit: audit.New(a.DB, a.Clock), Feeds: feeds.New(a.DB, a.Clock),
		Limits: web.Limits{ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, RequestTimeout: cfg.RequestTimeout, BodyBytes: cfg.BodyLimitKB << 10,
			SignInRate: cfg.SignInRate, SearchRate: cfg.SearchRate, APIRate: cfg.APIRate},
	}
	if a.Index != nil {
		deps.Search = a.Index
	}
	if cfg.Demo && len(deps.SearchSettings.BestBets) == 0 {
		deps.SearchSettings.BestBets = demoBestBets
	}
	settings, idp, err := authSettings(cfg, a.Clock, log)
	if err != nil {
		return fmt.Errorf("set up sign-in: %w", err)
	}
	if settings != nil {
		a.Auth = auth.New(*settings, a.DB, a.Clock, log.With("component", "auth"))
		deps.Auth, deps.Roles = a.Auth, knownRoles(settings.Roles)
		if idp != nil {
			deps.DemoIdP = idp
		}
		a.Go(func(ctx context.Context) error { a.Auth.Sweep(ctx, time.Minute); return nil })
	}
	a.Feedback = feedback.New(a.DB, a.Clock, log.With("component", "feedback"), cfg.FeedbackRate, 10*time.Minute)
	deps.Feedback = a.Feedback
	a.Go(func(ctx context.Context) error {
		a.Feedback.Forget(ctx, cfg.FeedbackRetention, 6*time.Hour)
		return nil
	})
	a.Publishing = publishing.New(a.DB, a.Clock, log.With("component", "publishing"), a.Settings.Content, a.Sites).Grant(a.Settings.Policy.Grants)
	deps.Publishing = a.Publishing
	if cfg.CheckLinks {
		a.Links = &health.LinkChecker{Allow: cfg.AllowInternal, Clock: a.Clock, Log: log.With("component", "links"), Agent: "Torg link checker (" + cfg.BaseURL + ")"}
		deps.Links = a.Links
		a.Go(func(ctx context.Context) error {
			a.Links.Run(ctx, time.Hour, func() []string { return slices.Sorted(maps.Keys(a.Sites.Current().ExternalLinks())) })
			return nil
		})
	} else {
		log.Info("external link checks off; check-links=true turns them on")
	}
	if a.Server, err = web.New(deps); err != nil {
		return fmt.Errorf("set up the web server: %w", err)
	}
	a.Server.SetDatabaseCheck(func() bool {
		pctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return a.DB.Ping(pctx) == nil
	})
	return nil
}

// Go adds f to the background work that Run runs. f must return soon
// after its context ends; Close waits for it. Call Go before Run.
func (a *App) Go(f func(ctx context.Context) error) { a.workers = append(a.workers, f) }

// ErrClosed is what Run returns after Close, or when it runs already.
var ErrClosed = errors.New("torg is closed or running")

// Run runs the background work, brings the search index up to date and
// then serves, when the web server is built, until ctx ends or one of
// them fails.
// It returns when all of them have stopped.
func (a *App) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.mu.Lock()
	if a.closed || a.running {
		a.mu.Unlock()
		return ErrClosed
	}
	a.running, a.stop, a.done = true, cancel, make(chan struct{})
	a.mu.Unlock()
	defer close(a.done)

	g, gctx := errgroup.WithContext(ctx)
	for _, f := range a.workers {
		g.Go(func() error { return f(gctx) })
	}
	if a.indexer != nil {
		a.indexer.sync(gctx) // searches find everything from the first request on
	}
	if a.Server != nil {
		g.Go(func() error { return a.serve(gctx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	a.Log.Info("stopped")
	return nil
}

// serve listens until ctx ends, then shuts the server down gracefully.
func (a *App) serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.Server.App().Listen(a.Config.Listen) }()
	a.Log.Info("serving", "address", "http://"+a.Config.Listen, "base_url", a.Config.BaseURL, "version", a.Server.Version)
	select {
	case err := <-errc:
		return cmp.Or(err, errors.New("the web server stopped"))
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := a.Server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown did not finish in time: %w", err)
	}
	return <-errc
}

// Close stops the background work, waits for it, and closes the search
// index and then the database.
func (a *App) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	stop, done := a.stop, a.done
	a.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	return a.closeParts()
}

func (a *App) closeParts() error {
	var errs []error
	if a.Index != nil {
		errs = append(errs, a.Index.Close())
	}
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
	}
	return errors.Join(errs...)
}
