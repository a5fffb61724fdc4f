// Command torg serves a Torg site and checks content.
//
//	torg serve [flags]     serve the site (the embedded demo unless --content is given)
//	torg check DIR         report every problem in a content folder; exit 1 on errors
//	torg version           print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"
	"time"

	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
	cmscontent "github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/feeds"
	"github.com/torg-cms/torg/cms/health"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/searchstats"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/web"
	democontent "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}

const usage = `torg — intranet content and link hub

Usage:
  torg serve [flags]   serve the site (see torg serve -h for every flag)
  torg check DIR       check a content folder; exits 1 when any problem is an error
  torg tiles import F  replace the stored tiles with those of a tiles.yaml
  torg index --rebuild build the search index again
  torg backup FILE     copy the SQLite database while it is in use
  torg version         print the version
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr, lookupEnv)
	case "check":
		return check(ctx, args[1:], stdout, stderr, lookupEnv)
	case "tiles":
		return tilesCmd(ctx, args[1:], stdout, stderr, lookupEnv)
	case "index":
		return indexCmd(ctx, args[1:], stdout, stderr, lookupEnv)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr, lookupEnv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "torg", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "torg: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// contentSource is the configured folder, or the embedded demo.
func contentSource(cfg *config.Config) (cmscontent.Source, error) {
	if cfg.Content != "" {
		return cmscontent.OpenDir(cfg.Content, cfg.ContentHTML)
	}
	return cmscontent.NewDirSource("content", democontent.Files, "", false), nil
}

func serve(ctx context.Context, args []string, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	cfg, rest, err := config.Load("torg serve", args, lookupEnv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "torg:", err)
		return 2
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "torg serve: unexpected argument %q\n", rest[0])
		return 2
	}
	log := newLogger(cfg, stderr)
	src, err := contentSource(cfg)
	if err != nil {
		log.Error("cannot open content", "err", err)
		return 1
	}
	theme, err := themes.Load(cfg.Theme)
	if err != nil {
		log.Error("cannot open theme", "err", err)
		return 1
	}
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		log.Error("cannot create the data folder", "dir", cfg.Data, "err", err)
		return 1
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	clk := clock.System{}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Data)
	if err != nil {
		log.Error("cannot open the database", "err", err)
		return 1
	}
	defer db.Close()
	db.LimitConns(cfg.DatabaseConns)
	// Files first: when a file and an editor item claim one address, the file wins.
	ss := siteSettingsOf(cfg)
	builder := site.NewBuilder(ss.Site, clk, log, src, publishing.NewSource(db, time.Second))
	st, err := builder.Build(ctx)
	if err != nil {
		log.Error("cannot load content", "err", err)
		return 1
	}
	site.LogProblems(log, st.Problems)
	log.Info("content loaded", "source", src.Name(), "pages", st.Len(), "problems", len(st.Problems))

	deps := web.Deps{
		Sites: builder, Clock: clk, Log: log, Theme: theme,
		BaseURL: cfg.BaseURL, DefaultLang: cfg.DefaultLang, Version: versionString(), Levels: ss.Policy.Levels,
	}
	settings, idp, err := authSettings(cfg, clk, log)
	if err != nil {
		log.Error("cannot set up sign-in", "err", err)
		return 1
	}
	if settings != nil {
		deps.Auth = startAuth(settings, db, clk, log)
		deps.Roles = knownRoles(settings.Roles)
		deps.DefaultRoles = settings.Roles.Default
		go deps.Auth.Sweep(ctx, time.Minute)
		if idp != nil {
			deps.DemoIdP = idp
		}
	}
	tileSvc, err := startTiles(ctx, cfg, ss, db, clk, log, theme)
	if err != nil {
		log.Error("cannot set up tiles", "err", err)
		return 1
	}
	deps.Tiles = tileSvc
	idx, err := startSearch(ctx, cfg, builder, tileSvc, log)
	if err != nil {
		log.Error("cannot open the search index", "err", err)
		return 1
	}
	defer idx.Close()
	deps.Search, deps.SearchStats, deps.Audit = idx, searchstats.New(db), audit.New(db, clk)
	deps.Feedback = feedback.New(db, clk, log.With("component", "feedback"), cfg.FeedbackRate, 10*time.Minute)
	go deps.Feedback.Forget(ctx, cfg.FeedbackRetention, 6*time.Hour)
	deps.Publishing = publishing.New(db, clk, log.With("component", "publishing"), ss.Content, builder)
	deps.Feeds = feeds.New(db, clk)
	deps.SearchSettings = web.SearchSettings{Synonyms: cfg.SearchSynonyms, BestBets: cfg.SearchBestBets}
	if cfg.Demo && len(deps.SearchSettings.BestBets) == 0 {
		deps.SearchSettings.BestBets = demoBestBets
	}
	deps.ReviewMonths = cfg.ReviewMonths
	deps.Limits = web.Limits{ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, RequestTimeout: cfg.RequestTimeout, BodyBytes: cfg.BodyLimitKB << 10,
		SignInRate: cfg.SignInRate, SearchRate: cfg.SearchRate, APIRate: cfg.APIRate}
	deps.MetricsToken = cfg.MetricsToken
	if cfg.CheckLinks {
		deps.Links = &health.LinkChecker{Allow: cfg.AllowInternal, Clock: clk, Log: log.With("component", "links"), Agent: "Torg link checker (" + cfg.BaseURL + ")"}
		go deps.Links.Run(ctx, time.Hour, func() []string { return slices.Sorted(maps.Keys(builder.Current().ExternalLinks())) })
	} else {
		log.Info("external link checks off; check-links=true turns them on")
	}
	srv, err := web.New(deps)
	if err != nil {
		log.Error("cannot start the web server", "err", err)
		return 1
	}
	builder.Watch(ctx)
	srv.SetDatabaseCheck(func() bool {
		pctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return db.Ping(pctx) == nil
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.App().Listen(cfg.Listen) }()
	log.Info("serving", "address", "http://"+cfg.Listen, "base_url", cfg.BaseURL, "version", versionString())

	select {
	case err := <-errc:
		if err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown did not finish in time", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// check loads a content folder the way serve would and prints every problem.
func check(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	cfg, rest, err := config.Load("torg check", args, lookupEnv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "torg:", err)
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: torg check DIR")
		return 2
	}
	dir := rest[0]
	src, err := cmscontent.OpenDir(dir, cfg.ContentHTML)
	if err != nil {
		fmt.Fprintln(stderr, "torg check:", err)
		return 2
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := site.NewBuilder(siteSettingsOf(cfg).Site, clock.System{}, quiet, src)
	st, err := b.Build(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "torg check:", err)
		return 2
	}
	errs, warns := 0, 0
	for _, p := range st.Problems {
		p.File = filepath.ToSlash(p.File)
		fmt.Fprintln(stdout, p)
		if p.Severity == cmscontent.Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(stdout, "%s: %d pages, %d errors, %d warnings\n", dir, st.Len(), errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}
