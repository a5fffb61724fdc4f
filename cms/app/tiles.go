package app

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/tiles"
	democontent "github.com/torg-cms/torg/content"
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

// seedTiles imports the tiles file on the first start.
func (a *App) seedTiles(ctx context.Context) error {
	data, name, err := tilesFile(a.Config)
	if err != nil {
		return fmt.Errorf("tiles file: %w", err)
	}
	if data == nil {
		return nil
	}
	seeded, err := a.Tiles.Seed(ctx, data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if seeded {
		a.Log.Info("tiles imported on first start; from now on the database wins", "file", name)
	}
	return nil
}

// ImportTiles replaces the stored tiles with those of a tiles.yaml and
// returns what is stored now.
func (a *App) ImportTiles(ctx context.Context, data []byte) (*tiles.Set, error) {
	if err := a.Tiles.Import(ctx, data); err != nil {
		return nil, err
	}
	set, _ := a.Tiles.Current(ctx)
	return set, nil
}
