package site

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	demo "github.com/torg-cms/torg/content"
)

func TestDemoSite(t *testing.T) {
	now := at(2026, 11, 23, 10, 0)
	src := content.NewDirSource("content", demo.Files, "", false)
	b := NewBuilder(Options{DefaultLang: "sv", Location: stockholm}, clock.NewManual(now), slog.New(slog.NewTextHandler(io.Discard, nil)), src)
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Problems) != 0 {
		t.Fatalf("the demo has problems: %v", s.Problems)
	}
	if s.Len() < 40 {
		t.Fatalf("the demo has %d pages, want at least 40", s.Len())
	}
	everyone := access.Viewer{Subject: "x", Roles: []string{"employee", "substitute", "manager", "communicator", "publisher", "admin"}, Level: "eid", Zones: []string{"office"}}
	types := map[content.Type]int{}
	langs := map[string]int{}
	for _, p := range s.List(everyone, now, Query{}) {
		types[p.Type]++
		langs[p.Lang]++
	}
	for _, typ := range content.Types {
		if types[typ] == 0 {
			t.Errorf("no visible %s in the demo", typ)
		}
	}
	for _, l := range content.Languages {
		if langs[l] == 0 {
			t.Errorf("no visible page in %s", l)
		}
	}
	if n := len(s.List(everyone, now, Query{Type: content.TypeNews})); n < 6 {
		t.Errorf("%d news visible, want at least 6", n)
	}
	if n := len(s.List(everyone, now, Query{Type: content.TypeJob})); n < 4 {
		t.Errorf("%d job ads visible, want at least 4", n)
	}
	hidden := map[string]string{
		"/nyheter/nya-ob-tillagg-2027":  "scheduled in the future",
		"/nyheter/sommarvikarier-2026":  "expired",
		"/nyheter/ny-design":            "draft",
		"/jobb/systemforvaltare-schema": "past its deadline",
	}
	for url, why := range hidden {
		if _, _, d := s.Lookup(everyone, now, url); d != access.Hidden {
			t.Errorf("%s is %s but is %v", url, why, d)
		}
	}
	faq, _, _ := s.Lookup(everyone, now, "/fragor/vanliga-fragor")
	if len(faq.Doc.FAQ) < 15 {
		t.Errorf("the FAQ has %d questions, want at least 15", len(faq.Doc.FAQ))
	}
	for _, url := range []string{"/inloggning", "/inloggning/logga-in", "/inloggning/glomt-losenord", "/inloggning/engangskod", "/inloggning/autentiseringsapp", "/inloggning/losenordsregler"} {
		if _, _, d := s.Lookup(access.Anonymous, now, url); d != access.Allow {
			t.Errorf("login help %s must be public, is %v", url, d)
		}
	}
}
