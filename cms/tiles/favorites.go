package tiles

import (
	"context"
	"errors"
	"slices"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
)

// ErrBadMove is a change of favourites other than pin, unpin, up or down.
var ErrBadMove = errors.New("a favourite is pinned, unpinned, or moved up or down")

// ErrExists is a new tile whose id another tile has.
var ErrExists = errors.New("a tile with this id exists")

// MoveFavorite changes v's favourites by one step: "pin" adds tile id
// last, "unpin" removes it, "up" and "down" swap it with its neighbour.
// A step that changes nothing (pinning a pinned tile) is no error.
func (s *Service) MoveFavorite(ctx context.Context, v access.Viewer, id, move string) error {
	favs, err := s.Favorites(ctx, v)
	if err != nil {
		return err
	}
	i := slices.Index(favs, id)
	switch move {
	case "pin":
		if i < 0 {
			favs = append(favs, id)
		}
	case "unpin":
		if i >= 0 {
			favs = slices.Delete(favs, i, i+1)
		}
	case "up":
		if i > 0 {
			favs[i-1], favs[i] = favs[i], favs[i-1]
		}
	case "down":
		if i >= 0 && i < len(favs)-1 {
			favs[i+1], favs[i] = favs[i], favs[i+1]
		}
	default:
		return ErrBadMove
	}
	return s.SetFavorites(ctx, v, favs)
}

// Create stores a new tile for a; ErrExists when its id is taken.
func (s *Service) Create(ctx context.Context, a audit.Actor, t *Tile) error {
	if set, _ := s.Current(ctx); set != nil {
		if _, ok := set.Tile(t.ID); ok {
			return ErrExists
		}
	}
	return s.Save(ctx, a, t)
}

// Replace stores t over the tile with its id; ErrNotFound when there is none.
func (s *Service) Replace(ctx context.Context, a audit.Actor, t *Tile) error {
	set, _ := s.Current(ctx)
	if _, ok := set.Tile(t.ID); !ok {
		return ErrNotFound
	}
	return s.Save(ctx, a, t)
}
