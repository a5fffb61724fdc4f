package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/tiles"
	democontent "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// tilesFile reads the tiles.yaml that seeds the store: --tiles, else the
// content folder's, else the demo's. An empty result means there is none.
func tilesFile(cfg *config.Config) ([]byte, string, error) {
	switch {
	case cfg.Tiles != "":
		b, err := os.ReadFile(cfg.Tiles)
		return b, cfg.Tiles, err
	case cfg.Content != "":
		p := filepath.Join(cfg.Content, "tiles.yaml")
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return nil, "", nil
		}
		return b, p, err
	default:
		b, err := fs.ReadFile(democontent.Files, "tiles.yaml")
		return b, "the demo's tiles.yaml", err
	}
}

func tileRules(cfg *config.Config, theme fs.FS) tiles.Rules {
	return tiles.Rules{Levels: cfg.AuthLevels, Icon: func(name string) bool {
		_, err := fs.Stat(theme, "static/icons/"+name+".svg")
		return err == nil
	}}
}

// startTiles opens the tile service, seeds it on the first start and
// starts the health checks.
func startTiles(ctx context.Context, cfg *config.Config, db *store.DB, clk clock.Clock, log *slog.Logger, theme fs.FS) (*tiles.Service, error) {
	svc := tiles.NewService(db, clk, log.With("component", "tiles"), access.Policy{Levels: cfg.AuthLevels}, cfg.Location, tileRules(cfg, theme))
	data, name, err := tilesFile(cfg)
	if err != nil {
		return nil, fmt.Errorf("tiles file: %w", err)
	}
	if data != nil {
		seeded, err := svc.Seed(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if seeded {
			log.Info("tiles imported on first start; from now on the database wins", "file", name)
		}
	}
	if !cfg.CheckTileHealth {
		log.Info("tile health checks off: the demo asks nothing outside this machine unless check-links is true")
		return svc, nil
	}
	checker := tiles.NewChecker(cfg.HealthInterval, cfg.HealthTimeout, cfg.AllowInternal, log.With("component", "health"))
	svc.SetHealth(checker)
	go checker.Run(ctx, func(ctx context.Context) *tiles.Set { set, _ := svc.Current(ctx); return set })
	return svc, nil
}

// tilesCmd is `torg tiles import FILE`: the file replaces the stored tiles.
func tilesCmd(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, "usage: torg tiles import [flags] FILE")
		return 2
	}
	cfg, rest, err := config.Load("torg tiles import", args[1:], lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "torg:", err)
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: torg tiles import [flags] FILE")
		return 2
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		fmt.Fprintln(stderr, "torg tiles import:", err)
		return 1
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Data)
	if err != nil {
		fmt.Fprintln(stderr, "torg tiles import:", err)
		return 1
	}
	defer db.Close()
	theme, err := themes.Load(cfg.Theme)
	if err != nil {
		fmt.Fprintln(stderr, "torg tiles import:", err)
		return 1
	}
	svc := tiles.NewService(db, clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)), access.Policy{Levels: cfg.AuthLevels}, cfg.Location, tileRules(cfg, theme))
	if err := svc.Import(ctx, data); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", rest[0], err)
		return 1
	}
	set, _ := svc.Current(ctx)
	fmt.Fprintf(stdout, "%s: %d tiles in %d categories imported\n", rest[0], len(set.Tiles), len(set.Categories))
	return 0
}
