package web

import (
	"context"
	"net/netip"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

// What pages, middleware and metrics ask of the features a site may
// switch off. Each is the feature's service, or its disabled
// implementation, which answers "nothing here"; the routes of a feature
// that is off are not registered at all.
type (
	signIns interface {
		Offered() bool
		Settings() auth.Settings
		CookieName() string
		ClientIP(peer netip.Addr, xff ...string) netip.Addr
	}
	tileBoard interface {
		For(ctx context.Context, v access.Viewer) ([]tiles.View, *tiles.Set)
		FailingCount() int
	}
	searchIndex interface {
		Offered() bool
		Len() int
	}
	answerForm interface{ Offered() bool }
	newItems   interface {
		Offered() bool
		MayWriteIn(v access.Viewer, dir string) bool
	}
)

// features are the switchable services as pages ask them.
type features struct {
	signIn  signIns
	board   tileBoard
	index   searchIndex
	answers answerForm
	writing newItems
}

// featuresOf decides once which features are on.
func featuresOf(d Deps) features {
	f := features{signIn: auth.Disabled{}, board: tiles.Disabled{}, index: search.Disabled{}, answers: feedback.Disabled{}, writing: publishing.Disabled{}}
	if d.Auth != nil {
		f.signIn = d.Auth
	}
	if d.Tiles != nil {
		f.board = d.Tiles
	}
	if d.Search != nil {
		f.index = d.Search
	}
	if d.Feedback != nil {
		f.answers = d.Feedback
	}
	if d.Publishing != nil {
		f.writing = d.Publishing
	}
	return f
}
