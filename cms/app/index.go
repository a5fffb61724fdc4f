package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

// IndexDir is where the search index of a configuration lives.
func IndexDir(cfg *config.Config) string { return filepath.Join(cfg.Data, "search") }

// indexSyncer keeps the search index in step with the site and the tiles:
// it subscribes to both and syncs on its own goroutine after each change,
// coalescing the changes that arrive while it works.
type indexSyncer struct {
	idx  *search.Index
	log  *slog.Logger
	kick chan struct{}

	mu    sync.Mutex
	site  *site.Site
	tiles *tiles.Set
}

func newIndexSyncer(idx *search.Index, log *slog.Logger) *indexSyncer {
	return &indexSyncer{idx: idx, log: log, kick: make(chan struct{}, 1)}
}

// siteBuilt and tilesChanged are the subscriptions; they never block.
func (ix *indexSyncer) siteBuilt(s *site.Site) {
	ix.mu.Lock()
	ix.site = s
	ix.mu.Unlock()
	ix.poke()
}

func (ix *indexSyncer) tilesChanged(set *tiles.Set) {
	ix.mu.Lock()
	ix.tiles = set
	ix.mu.Unlock()
	ix.poke()
}

func (ix *indexSyncer) poke() {
	select {
	case ix.kick <- struct{}{}:
	default: // a sync is due already and will read the latest
	}
}

// run syncs after every change until ctx ends.
func (ix *indexSyncer) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ix.kick:
			ix.sync(ctx)
		}
	}
}

func (ix *indexSyncer) sync(ctx context.Context) {
	ix.mu.Lock()
	st, set := ix.site, ix.tiles
	ix.mu.Unlock()
	docs := indexing.Docs(st, set)
	start := time.Now()
	stats, err := ix.idx.Sync(ctx, docs, nil)
	if err != nil {
		if ctx.Err() == nil {
			ix.log.Error("the search index could not be updated", "err", err)
		}
		return
	}
	if stats.Added+stats.Updated+stats.Removed > 0 {
		ix.log.Info("search index updated", "added", stats.Added, "updated", stats.Updated, "removed", stats.Removed, "kept", stats.Kept, "took", time.Since(start).Round(time.Millisecond))
	}
}

// RebuildIndex builds the search index again from all content, the
// editor's items and the tiles, compacted for the server that opens it
// next. It returns how many documents it indexed.
func (a *App) RebuildIndex(ctx context.Context, progress func(done, total int)) (int, error) {
	var set *tiles.Set
	if a.Tiles != nil {
		set, _ = a.Tiles.Current(ctx)
	}
	docs := indexing.Docs(a.Sites.Current(), set)
	if _, err := a.Index.Rebuild(ctx, docs, progress); err != nil {
		return 0, err
	}
	return len(docs), a.Index.Compact(ctx) // one segment: the fastest queries
}
