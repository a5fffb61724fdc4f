package feedback

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	demo "github.com/torg-cms/torg/content"
)

// TestDashboardKeepsToThePagesTheReaderLooksAfter reads the inbox, the
// figures and the export as three editors: each gets the answers about
// pages they look after (the editorial rule), and about pages that are
// gone, and nothing else; filing an answer about another page is as if it
// did not exist.
func TestDashboardKeepsToThePagesTheReaderLooksAfter(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, stockholm)
	clk := clock.NewManual(now)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quiet, content.NewDirSource("content", demo.Files, "", false))
	st, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(db, clk, quiet, 1000, time.Minute)
	yes, no := true, false
	answers := map[string]*bool{"/vikarie/boka-pass": &no, "/personal/inloggningsadministration": &yes, "/borttagen/sida": &no}
	ids := map[string]int64{}
	for p, h := range answers {
		for range 2 {
			clk.Advance(time.Hour)
			r, err := svc.Submit(ctx, Answer{Path: p, Section: "x", Lang: "sv", Helpful: h, Comment: "om " + p, ClientAddress: "10.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			ids[p] = r.ID
		}
	}
	klara := access.Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "password"}
	pia := access.Viewer{Subject: "pia", Roles: []string{"publisher", "employee"}, Level: "eid"}
	anna := access.Viewer{Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}}
	for _, c := range []struct {
		name string
		v    access.Viewer
		want []string
	}{
		{"klara", klara, []string{"/borttagen/sida", "/vikarie/boka-pass"}},
		{"pia", pia, []string{"/borttagen/sida"}},
		{"anna", anna, []string{"/borttagen/sida", "/personal/inloggningsadministration"}},
	} {
		r := Reader{Viewer: c.v, Site: st}
		list, err := svc.List(ctx, r, Filter{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var exported []Record
		if err := svc.Export(ctx, r, Filter{OnlyWithComment: true}, func(rec Record) error { exported = append(exported, rec); return nil }); err != nil {
			t.Fatal(err)
		}
		stats, err := svc.Stats(ctx, r, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		paths := func(recs []Record) []string {
			var out []string
			for _, rec := range recs {
				if !slices.Contains(out, rec.Path) {
					out = append(out, rec.Path)
				}
			}
			slices.Sort(out)
			return out
		}
		var statPaths []string
		for _, ps := range stats {
			statPaths = append(statPaths, ps.Path)
			if ps.Total != 2 || ps.Trend[7] != 2 || (ps.Share == 100) != *answers[ps.Path] {
				t.Errorf("%s: figures for %s: %+v", c.name, ps.Path, ps)
			}
		}
		if got := paths(list); !slices.Equal(got, c.want) || len(list) != 2*len(c.want) {
			t.Errorf("%s: the inbox has %v (%d answers), want %v", c.name, got, len(list), c.want)
		}
		if got := paths(exported); !slices.Equal(got, c.want) {
			t.Errorf("%s: the export has %v, want %v", c.name, got, c.want)
		}
		if !slices.Equal(statPaths, c.want) {
			t.Errorf("%s: the figures cover %v, want %v", c.name, statPaths, c.want)
		}
	}
	if err := svc.File(ctx, audit.Actor{Viewer: pia}, st, ids["/vikarie/boka-pass"], StatusHandled, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("pia files an answer about a page she does not look after: %v", err)
	}
	if err := svc.File(ctx, audit.Actor{Viewer: klara}, st, ids["/vikarie/boka-pass"], StatusHandled, "klart"); err != nil {
		t.Errorf("klara cannot file an answer about her own page: %v", err)
	}
	handled, err := svc.List(ctx, Reader{Viewer: klara, Site: st}, Filter{Status: StatusHandled}, 0)
	if err != nil || len(handled) != 1 || handled[0].Note != "klart" {
		t.Errorf("filed answers: %+v, %v", handled, err)
	}
}
