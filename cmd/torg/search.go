package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
	"github.com/torg-cms/torg/themes"
)

func indexDir(cfg *config.Config) string { return filepath.Join(cfg.Data, "search") }

// indexer keeps the search index in step with the content and the tiles.
type indexer struct {
	idx     *search.Index
	builder *site.Builder
	tiles   *tiles.Service
	log     *slog.Logger
}

func (ix *indexer) sync(ctx context.Context) {
	var set *tiles.Set
	if ix.tiles != nil {
		set, _ = ix.tiles.Current(ctx)
	}
	start := time.Now()
	st, err := ix.idx.Sync(ctx, indexing.Docs(ix.builder.Current(), set), nil)
	if err != nil {
		ix.log.Error("the search index could not be updated", "err", err)
		return
	}
	if st.Added+st.Updated+st.Removed > 0 {
		ix.log.Info("search index updated", "added", st.Added, "updated", st.Updated, "removed", st.Removed, "kept", st.Kept, "took", time.Since(start).Round(time.Millisecond))
	}
}

// startSearch opens the index, brings it up to date, and keeps it so: at
// every content reload, and every interval for tiles changed elsewhere.
func startSearch(ctx context.Context, cfg *config.Config, b *site.Builder, t *tiles.Service, log *slog.Logger) (*search.Index, error) {
	idx, err := search.Open(indexDir(cfg), cfg.AuthLevels, log.With("component", "search"))
	if err != nil {
		return nil, err
	}
	ix := &indexer{idx: idx, builder: b, tiles: t, log: log.With("component", "search")}
	ix.sync(ctx)
	b.OnBuild(func(*site.Site) { ix.sync(ctx) })
	go func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				ix.sync(ctx)
			}
		}
	}()
	return idx, nil
}

// indexCmd is `torg index --rebuild`: the index is built again from all
// content, the editor's items and the tiles, with a progress bar on a
// terminal. It refuses while a server holds the index.
func indexCmd(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	rebuild := false
	var rest []string
	for _, a := range args {
		if a == "--rebuild" || a == "-rebuild" {
			rebuild = true
		} else {
			rest = append(rest, a)
		}
	}
	if !rebuild {
		fmt.Fprintln(stderr, "usage: torg index --rebuild [flags]")
		return 2
	}
	cfg, extra, err := config.Load("torg index", rest, lookupEnv)
	if err != nil || len(extra) > 0 {
		fmt.Fprintln(stderr, "torg index:", err, extra)
		return 2
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The index first: a server using this data folder holds it, and then
	// there is nothing to do here.
	idx, err := search.Open(indexDir(cfg), cfg.AuthLevels, quiet)
	if errors.Is(err, search.ErrInUse) {
		fmt.Fprintf(stderr, "torg index: %v: a torg server is probably running on this data folder; it keeps the index up to date by itself. Stop it first to rebuild.\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	defer idx.Close()
	src, err := contentSource(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Data)
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	defer db.Close()
	// The same sources as the server: files, then the editor's items.
	b := site.NewBuilder(site.Options{DefaultLang: cfg.DefaultLang, Location: cfg.Location, Policy: access.Policy{Levels: cfg.AuthLevels}}, clock.System{}, quiet, src, publishing.NewSource(db, time.Second))
	st, err := b.Build(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	theme, _ := themes.Load(cfg.Theme)
	tileSvc := tiles.NewService(db, clock.System{}, quiet, access.Policy{Levels: cfg.AuthLevels}, cfg.Location, tileRules(cfg, theme))
	set, _ := tileSvc.Current(ctx)
	docs := indexing.Docs(st, set)
	start := time.Now()
	tty := isTerminal(stderr)
	_, err = idx.Rebuild(ctx, docs, func(done, total int) {
		if tty {
			fmt.Fprintf(stderr, "\r%s", progressBar(done, total, 30))
		}
	})
	if tty {
		fmt.Fprintln(stderr)
	}
	if err == nil {
		err = idx.Compact(ctx) // one segment: the fastest queries for the server that opens it
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	fmt.Fprintf(stdout, "indexed %d documents in %s (%s)\n", len(docs), time.Since(start).Round(time.Millisecond), indexDir(cfg))
	return 0
}

func progressBar(done, total, width int) string {
	if total == 0 {
		return "[" + strings.Repeat("=", width) + "] 100%"
	}
	n := done * width / total
	return fmt.Sprintf("[%s%s] %3d%% %d/%d", strings.Repeat("=", n), strings.Repeat(" ", width-n), done*100/total, done, total)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
