package web

import (
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/feeds"
	"github.com/torg-cms/torg/cms/searchstats"
	"github.com/torg-cms/torg/cms/store"
)

// withStore gives d the services kept in db that a fixture does not set
// itself: search statistics, the audit log and feed addresses.
func withStore(db *store.DB, d Deps) Deps {
	clk := d.Clock
	if clk == nil {
		clk = clock.System{}
	}
	if d.SearchStats == nil {
		d.SearchStats = searchstats.New(db)
	}
	if d.Audit == nil {
		d.Audit = audit.New(db, clk)
	}
	if d.Feeds == nil {
		d.Feeds = feeds.New(db, clk)
	}
	return d
}
