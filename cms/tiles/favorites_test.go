package tiles

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestMoveFavoriteStepByStep: pin adds last, up and down swap with the
// neighbour and stop at the ends, unpin removes; a hidden tile or an
// unknown move changes nothing.
func TestMoveFavoriteStepByStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, at(2026, 11, 23, 9, 0))
		for _, step := range []struct {
			id, move string
			want     []string
		}{
			{"passportalen", "pin", []string{"passportalen"}},
			{"anmal-tillbud", "pin", []string{"passportalen", "anmal-tillbud"}},
			{"anmal-tillbud", "pin", []string{"passportalen", "anmal-tillbud"}},
			{"anmal-tillbud", "up", []string{"anmal-tillbud", "passportalen"}},
			{"anmal-tillbud", "up", []string{"anmal-tillbud", "passportalen"}},
			{"passportalen", "down", []string{"anmal-tillbud", "passportalen"}},
			{"anmal-tillbud", "down", []string{"passportalen", "anmal-tillbud"}},
			{"passportalen", "unpin", []string{"anmal-tillbud"}},
			{"passportalen", "unpin", []string{"anmal-tillbud"}},
		} {
			if err := svc.MoveFavorite(ctx, subOTP, step.id, step.move); err != nil {
				t.Fatalf("%s %s: %v", step.move, step.id, err)
			}
			if got, _ := svc.Favorites(ctx, subOTP); !slices.Equal(got, step.want) {
				t.Fatalf("after %s %s: %v, want %v", step.move, step.id, got, step.want)
			}
		}
		var fe FieldErrors
		if err := svc.MoveFavorite(ctx, subOTP, "webbmejl", "pin"); !errors.As(err, &fe) {
			t.Fatalf("pinning a hidden tile: %v", err)
		}
		if err := svc.MoveFavorite(ctx, subOTP, "anmal-tillbud", "top"); !errors.Is(err, ErrBadMove) {
			t.Fatalf("an unknown move: %v", err)
		}
		if got, _ := svc.Favorites(ctx, subOTP); !slices.Equal(got, []string{"anmal-tillbud"}) {
			t.Fatalf("refused moves changed the favourites: %v", got)
		}
	})
}

// TestCreateAndReplaceKnowWhatExists: a new tile may not take a used id,
// and only an existing tile can be replaced.
func TestCreateAndReplaceKnowWhatExists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db, at(2026, 11, 23, 9, 0))
		a := audit.Actor{Viewer: admin}
		tl := &Tile{ID: "nytt-system", Title: Text{"sv": "Nytt system"}, URL: "https://nytt.example/", Category: "stod", Audience: []string{"employee"}}
		if err := svc.Replace(ctx, a, tl); !errors.Is(err, ErrNotFound) {
			t.Fatalf("replacing a tile that does not exist: %v", err)
		}
		if err := svc.Create(ctx, a, tl); err != nil {
			t.Fatal(err)
		}
		if err := svc.Create(ctx, a, tl); !errors.Is(err, ErrExists) {
			t.Fatalf("creating it twice: %v", err)
		}
		tl.Title = Text{"sv": "Bytt namn"}
		if err := svc.Replace(ctx, a, tl); err != nil {
			t.Fatal(err)
		}
		set, _ := svc.Current(ctx)
		if got, _ := set.Tile("nytt-system"); got.Title["sv"] != "Bytt namn" {
			t.Fatalf("replaced: %+v", got)
		}
	})
}
