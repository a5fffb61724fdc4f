package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/testenv"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stockholm)
}

var (
	anon       = access.Anonymous
	substitute = access.Viewer{Subject: "s", Roles: []string{"substitute", "employee"}, Level: "password"}
	employee   = access.Viewer{Subject: "e", Roles: []string{"employee"}, Level: "password"}
)

// writeTree writes a txtar archive into a new folder and returns it.
func writeTree(t *testing.T, archive string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newBuilder(t *testing.T, dir string, clk clock.Clock) *Builder {
	t.Helper()
	src, err := content.OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return NewBuilder(Options{DefaultLang: "sv", Location: stockholm}, clk, discardLog(), src)
}

func build(t *testing.T, archive string, now time.Time) (*Site, *Builder, string) {
	t.Helper()
	dir := writeTree(t, archive)
	b := newBuilder(t, dir, clock.NewManual(now))
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, b, dir
}

func urls(ps []*Page) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.URL)
	}
	return out
}

const small = `
-- _index.md --
---
title: Start
audience: public
---
-- hjalp/_index.md --
---
title: Hjälp
audience: public
---
-- hjalp/logga-in.md --
---
title: Logga in
weight: 1
aliases: [/inloggning]
translation_key: login
---
Se [lösenord](losenord.md#regler) och ![bild](bild.png).
-- hjalp/logga-in.en.md --
---
title: Sign in
translation_key: login
---
-- hjalp/losenord.md --
---
title: Lösenord
weight: 2
---
## Regler
-- hjalp/bild.png --
PNG
-- hjalp/oanvand.pdf --
PDF
-- vikarie/_index.md --
---
title: Vikarie
audience: [substitute]
---
-- vikarie/boka.md --
---
title: Boka pass
---
-- vikarie/oppen.md --
---
title: Öppen för alla inloggade
audience: []
---
-- vikarie/djup/sida.md --
---
title: Djup sida
---
`

func TestSiteStructure(t *testing.T) {
	s, _, _ := build(t, small, at(2026, 11, 23, 9, 0))
	if len(s.Problems) != 0 {
		t.Fatalf("problems: %v", s.Problems)
	}
	now := at(2026, 11, 23, 9, 0)
	p, _, d := s.Lookup(anon, now, "/hjalp/logga-in")
	if d != access.Allow || p.Title != "Logga in" {
		t.Fatalf("lookup: %v %v", p, d)
	}
	if !strings.Contains(p.Doc.HTML, `href="/hjalp/losenord#regler"`) || !strings.Contains(p.Doc.HTML, `src="/hjalp/bild.png"`) {
		t.Fatalf("links not rewritten: %s", p.Doc.HTML)
	}
	if got := s.Breadcrumbs(anon, now, p, nil); len(got) != 2 || got[0].Path != "/" || got[1].Title != "Hjälp" {
		t.Fatalf("breadcrumbs = %+v", got)
	}
	if tr := s.Translations(anon, now, p); len(tr) != 1 || tr[0].URL != "/en/hjalp/logga-in" {
		t.Fatalf("translations = %v", urls(tr))
	}
	if target, ok := s.Alias(anon, now, "/inloggning"); !ok || target != "/hjalp/logga-in" {
		t.Fatalf("alias = %q %v", target, ok)
	}
	_, sec, d := s.Lookup(anon, now, "/hjalp")
	if d != access.Allow || sec == nil {
		t.Fatalf("section lookup: %v", d)
	}
	pages, _ := s.SectionListing(anon, now, sec)
	if got := urls(pages); !slices.Equal(got, []string{"/hjalp/logga-in", "/hjalp/losenord"}) {
		t.Fatalf("listing by weight = %v", got)
	}
	// The English page has a section of its own language.
	if _, sec, d := s.Lookup(anon, now, "/en/hjalp"); d != access.Allow || sec.Title != "Hjälp" {
		t.Fatalf("English section: %v", d)
	}
}

func TestAccessInheritedFromSection(t *testing.T) {
	s, _, _ := build(t, small, at(2026, 11, 23, 9, 0))
	now := at(2026, 11, 23, 9, 0)
	tests := []struct {
		viewer access.Viewer
		url    string
		want   access.Decision
	}{
		{anon, "/hjalp/losenord", access.Allow},     // inherits public from hjalp/_index
		{anon, "/vikarie/boka", access.SignIn},      // inherits substitute
		{employee, "/vikarie/boka", access.Hidden},  // wrong role: as if it did not exist
		{substitute, "/vikarie/boka", access.Allow}, //
		{substitute, "/vikarie/djup/sida", access.Allow},
		{employee, "/vikarie/djup/sida", access.Hidden}, // inherits through two levels
		{employee, "/vikarie/oppen", access.Allow},      // sets its own (empty) audience
		{anon, "/vikarie/oppen", access.SignIn},
		{employee, "/finns/inte", access.Hidden},
		{anon, "/finns/inte", access.SignIn}, // unknown and restricted look the same to anonymous
	}
	for _, tt := range tests {
		if _, _, d := s.Lookup(tt.viewer, now, tt.url); d != tt.want {
			t.Errorf("%s as %q: %v, want %v", tt.url, tt.viewer.Subject, d, tt.want)
		}
	}
	// The section the employee may not open is not listed, but the page
	// inside it that the employee may see keeps the section visible.
	if _, sec, d := s.Lookup(employee, now, "/vikarie"); d != access.Hidden || sec != nil {
		t.Fatalf("the vikarie section has an _index for substitutes only: %v", d)
	}
}

func TestScheduleTurnsAtTheMinute(t *testing.T) {
	archive := `
-- _index.md --
---
audience: public
---
-- nyheter/_index.md --
---
type: news
audience: public
---
-- nyheter/kommande.md --
---
type: news
date: 2026-12-01
publish_at: 2026-12-01 08:00
---
-- nyheter/gammal.md --
---
type: news
date: 2026-01-01
expire_at: 2026-11-23 12:00
---
-- nyheter/utkast.md --
---
type: news
date: 2026-11-01
draft: true
---
-- jobb/annons.md --
---
type: job
audience: public
apply_by: 2026-11-30
---
`
	s, _, _ := build(t, archive, at(2026, 11, 23, 9, 0))
	visible := func(now time.Time) []string {
		return urls(s.List(anon, now, Query{}))
	}
	cases := []struct {
		now  time.Time
		want []string
	}{
		{at(2026, 11, 23, 11, 59), []string{"/jobb/annons", "/nyheter/gammal"}},
		{at(2026, 11, 23, 12, 0), []string{"/jobb/annons"}},
		{at(2026, 11, 30, 23, 59), []string{"/jobb/annons"}},
		{at(2026, 12, 1, 0, 0), nil}, // the ad closes at the end of its apply_by day
		{at(2026, 12, 1, 7, 59), nil},
		{at(2026, 12, 1, 8, 0), []string{"/nyheter/kommande"}},
	}
	for _, c := range cases {
		got := visible(c.now)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("at %v: %v, want %v", c.now, got, c.want)
		}
	}
	if _, _, d := s.Lookup(employee, at(2026, 11, 23, 9, 0), "/nyheter/utkast"); d != access.Hidden {
		t.Errorf("a draft must be hidden, got %v", d)
	}
}

func TestProblemsNameFileAndLine(t *testing.T) {
	archive := `
-- a.md --
---
title: A
aliases: [/b]
---
Text.

[trasig](finns-inte.md) och [ok](b.md)

![saknas](bild.png) [ute](https://example.org/a)
-- b.md --
---
title: B
---
-- dubbel/_index.md --
---
title: Dubbel
---
-- dubbel.md --
---
title: Krock
---
-- c.md --
---
title: C
aliases: [/x]
---
-- d.md --
---
title: D
aliases: [/x]
---
[absolut](/finns/inte) [ute](https://example.org/a) [post](mailto:a@example.org)
`
	s, _, dir := build(t, archive, at(2026, 11, 23, 9, 0))
	var broken []string
	for _, b := range s.BrokenLinks {
		broken = append(broken, fmt.Sprintf("%s:%d %s", b.Page.URL, b.Line, b.Message))
	}
	if want := []string{"/a:7 link to finns-inte.md: no such page or file", "/a:9 image bild.png does not exist", "/d:5 link to /finns/inte: no such page or file"}; !slices.Equal(broken, want) {
		t.Errorf("broken links %q, want %q", broken, want)
	}
	ext := s.ExternalLinks()
	if len(ext) != 1 || len(ext["https://example.org/a"]) != 2 {
		t.Errorf("external links %v, want one address linked from two pages", ext)
	}
	var got []string
	for _, p := range s.Problems {
		got = append(got, strings.ReplaceAll(p.String(), dir+"/", ""))
	}
	want := []string{
		"a.md:3: error: alias /b is the URL of b.md",
		"a.md:7: error: link to finns-inte.md: no such page or file",
		"a.md:9: error: image bild.png does not exist",
		"d.md:3: error: alias /x is already an alias of /c",
		"d.md:5: error: link to /finns/inte: no such page or file",
		"dubbel/_index.md: error: URL /dubbel is already used by dubbel.md",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAssetsServedOnlyThroughVisiblePages(t *testing.T) {
	archive := `
-- oppen.md --
---
audience: public
---
![bild](bild.png)
-- stangd.md --
---
audience: [admin]
---
[bilaga](hemlig.pdf)
-- bild.png --
PNG
-- hemlig.pdf --
PDF
-- oanvand.txt --
TXT
`
	s, _, _ := build(t, archive, at(2026, 11, 23, 9, 0))
	now := at(2026, 11, 23, 9, 0)
	admin := access.Viewer{Subject: "a", Roles: []string{"admin"}}
	for _, c := range []struct {
		v    access.Viewer
		url  string
		want bool
	}{
		{anon, "/bild.png", true},
		{anon, "/hemlig.pdf", false},
		{employee, "/hemlig.pdf", false},
		{admin, "/hemlig.pdf", true},
		{admin, "/oanvand.txt", false},
	} {
		if _, ok := s.Asset(c.v, now, c.url); ok != c.want {
			t.Errorf("%s for %q: %v, want %v", c.url, c.v.Subject, ok, c.want)
		}
	}
}

func TestBrokenEditKeepsLastGoodVersion(t *testing.T) {
	s, b, dir := build(t, small, at(2026, 11, 23, 9, 0))
	now := at(2026, 11, 23, 9, 0)
	before, _, _ := s.Lookup(anon, now, "/hjalp/losenord")
	file := filepath.Join(dir, "hjalp", "losenord.md")
	if err := os.WriteFile(file, []byte("---\ntitle: [oavslutad\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, _, d := s2.Lookup(anon, now, "/hjalp/losenord")
	if d != access.Allow || p.Title != "Lösenord" {
		t.Fatalf("the last good version should still be served, got %v %v", p, d)
	}
	if len(s2.Problems) == 0 || !strings.Contains(s2.Problems[0].String(), "losenord.md:2: error: front matter is not valid YAML") {
		t.Fatalf("the broken edit should be reported with its line: %v", s2.Problems)
	}
	if p.Doc != before.Doc {
		t.Fatalf("the kept page should reuse its rendered body")
	}
	// Unchanged pages are not rendered again.
	a1, _, _ := s.Lookup(anon, now, "/hjalp/logga-in")
	a2, _, _ := s2.Lookup(anon, now, "/hjalp/logga-in")
	if a1.Doc != a2.Doc {
		t.Fatalf("an unchanged page was rendered again")
	}
	if err := os.WriteFile(file, []byte("---\ntitle: Nytt lösenord\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s3, _ := b.Build(context.Background())
	if p, _, _ := s3.Lookup(anon, now, "/hjalp/losenord"); p.Title != "Nytt lösenord" || len(s3.Problems) != 0 {
		t.Fatalf("the fixed file should be served: %v %v", p.Title, s3.Problems)
	}
	// A removed file is gone, and its old version is not kept.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	s4, _ := b.Build(context.Background())
	if _, _, d := s4.Lookup(anon, now, "/hjalp/losenord"); d == access.Allow {
		t.Fatal("a removed file should disappear")
	}
}

func TestWatchServesSavedChange(t *testing.T) {
	dir := writeTree(t, small)
	b := newBuilder(t, dir, clock.NewManual(at(2026, 11, 23, 9, 0)))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Watch(ctx)
	time.Sleep(100 * time.Millisecond) // let the watcher subscribe
	if err := os.MkdirAll(filepath.Join(dir, "ny"), 0o755); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a new folder is watched once it is seen
	if err := os.WriteFile(filepath.Join(dir, "ny", "sida.md"), []byte("---\ntitle: Ny sida\naudience: public\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Not a speed test: the deadline is only there so a broken watcher fails.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if p, _, d := b.Current().Lookup(anon, at(2026, 11, 23, 9, 0), "/ny/sida"); d == access.Allow && p.Title == "Ny sida" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the saved file was never served")
}

// TestBuildTellsSubscribers: every build, the watcher's or anyone's,
// hands the new current site to each subscriber.
func TestBuildTellsSubscribers(t *testing.T) {
	b := newBuilder(t, writeTree(t, small), clock.NewManual(at(2026, 11, 23, 9, 0)))
	var got []*Site
	b.Subscribe(func(s *Site) { got = append(got, s) })
	s1, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := b.Build(context.Background())
	if len(got) != 2 || got[0] != s1 || got[1] != s2 || b.Current() != s2 {
		t.Fatalf("subscriber got %d sites, want the two built in order", len(got))
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The five real municipal pages load and render as a site of their own.
func TestCorpusRenders(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "municipal")
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, fmt.Sprintf("the shared corpus is not beside the checkout (%v)", err))
	}
	b := newBuilder(t, dir, clock.NewManual(at(2026, 11, 23, 9, 0)))
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Problems.HasErrors() {
		t.Fatalf("problems: %v", s.Problems)
	}
	everyone := access.Viewer{Subject: "x"}
	n := 0
	for _, p := range s.List(everyone, at(2026, 11, 23, 9, 0), Query{}) {
		if p.File == "README.md" {
			continue
		}
		n++
		if len(p.Doc.HTML) < 500 || len(p.Doc.Text) < 500 {
			t.Errorf("%s rendered to %d bytes of HTML, %d of text", p.File, len(p.Doc.HTML), len(p.Doc.Text))
		}
	}
	if n != 5 {
		t.Fatalf("rendered %d corpus pages, want 5", n)
	}
}

// A section's editors reach the pages below it, like access; a page
// cannot name its own; a draft outside the site inherits them as a page would.
func TestEditorsInheritedFromSection(t *testing.T) {
	archive := `
-- _index.md --
---
title: Start
---
-- vikarie/_index.md --
---
title: Vikarie
audience: [substitute]
editors: [communicator]
---
-- vikarie/djup/sida.md --
---
title: Djup sida
---
-- vikarie/egen.md --
---
title: Sätter egna redaktörer
editors: [employee]
---
-- vikarie/chefer/_index.md --
---
title: Chefer
audience: [manager]
editors: []
---
-- vikarie/chefer/rutin.md --
---
title: Rutin
---
`
	now := at(2026, 11, 23, 9, 0)
	s, _, _ := build(t, archive, now)
	klara := access.Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "password"}
	for url, want := range map[string]bool{
		"/vikarie/djup/sida":    true,  // two levels down
		"/vikarie/egen":         true,  // its own editors: are ignored
		"/vikarie/chefer/rutin": false, // the subsection names nobody
	} {
		p, ok := s.byURL[url]
		if !ok {
			t.Fatalf("no page %s", url)
		}
		if got := s.Editable(klara, p); got != want {
			t.Errorf("%s editable by a communicator: %v, want %v (editors %v)", url, got, want, p.Editors)
		}
	}
	if p := s.byURL["/vikarie/egen"]; !slices.Equal(p.Editors, []string{"communicator"}) {
		t.Errorf("a page named its own editors: %v", p.Editors)
	}
	warned := false
	for _, pr := range s.Problems {
		warned = warned || (strings.Contains(pr.File, "vikarie/egen.md") && strings.Contains(pr.Message, "editors is read only from a section's _index.md"))
	}
	if !warned {
		t.Errorf("no warning for editors in a page: %v", s.Problems)
	}
	draft, _ := content.ParseFile("vikarie/djup/utkast.md", []byte("---\ntitle: Utkast\nmin_auth: eid\n---\n"), content.Options{DefaultLang: "sv"})
	s.Inherit(draft)
	if !slices.Equal(draft.Access.Audience, []string{"substitute"}) || draft.Access.MinAuth != "eid" || !slices.Equal(draft.Editors, []string{"communicator"}) {
		t.Errorf("a draft inherits %+v, editors %v", draft.Access, draft.Editors)
	}
}
