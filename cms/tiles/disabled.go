package tiles

import (
	"context"

	"github.com/torg-cms/torg/cms/access"
)

// Disabled is the link hub switched off: it shows nobody any tile, and no
// tile fails.
type Disabled struct{}

// For returns no tiles.
func (Disabled) For(context.Context, access.Viewer) ([]View, *Set) { return nil, &Set{} }

// FailingCount is 0.
func (Disabled) FailingCount() int { return 0 }
