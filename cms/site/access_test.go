package site

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	demo "github.com/torg-cms/torg/content"
)

// translated has sections with translated _index files in nb, nn and en
// that set nothing about access: each language must be exactly as
// restricted as the default language.
const translated = `
-- _index.md --
---
title: Start
audience: public
---
-- _index.nb.md --
---
title: Start
---
-- _index.nn.md --
---
title: Start
---
-- vikarie/_index.md --
---
title: Vikarie
audience: [substitute, manager]
---
-- vikarie/_index.nb.md --
---
title: Vikar
---
-- vikarie/_index.nn.md --
---
title: Vikar
weight: 2
---
-- vikarie/_index.en.md --
---
title: Substitutes
---
-- vikarie/boka-pass.md --
---
title: Boka pass
---
-- vikarie/boka-pass.nb.md --
---
title: Book vakter
---
-- vikarie/boka-pass.nn.md --
---
title: Bok vakter
---
-- vikarie/boka-pass.en.md --
---
title: Book shifts
---
-- vikarie/djup/sida.md --
---
title: Djup sida
---
-- vikarie/djup/sida.nb.md --
---
title: Dyp side
---
-- vikarie/djup/annan.nb.md --
---
title: Bare på bokmål
---
-- personal/_index.md --
---
title: Personal
min_auth: otp
zones: [office]
---
-- personal/_index.nn.md --
---
title: Tilsette
---
-- personal/lon.md --
---
title: Lön
---
-- personal/lon.nn.md --
---
title: Løn
---
-- personal/lon.en.md --
---
title: Pay
---
-- personal/chef/_index.md --
---
title: Chefer
audience: [manager]
min_auth: eid
---
-- personal/chef/_index.en.md --
---
title: Managers
---
-- personal/chef/plan.md --
---
title: Plan
---
-- personal/chef/plan.en.md --
---
title: Plan
---
-- personal/chef/plan.nb.md --
---
title: Plan
---
-- hjalp/_index.md --
---
title: Hjälp
audience: public
---
-- hjalp/_index.nb.md --
---
title: Hjelp
---
-- hjalp/logga-in.md --
---
title: Logga in
---
-- hjalp/logga-in.nb.md --
---
title: Logg inn
---
-- hjalp/logga-in.en.md --
---
title: Sign in
---
`

// viewers covers every distinction the access rule makes.
var viewers = []access.Viewer{
	access.Anonymous,
	{Subject: "e", Roles: []string{"employee"}, Level: "password"},
	{Subject: "e2", Roles: []string{"employee"}, Level: "otp", Zones: []string{"office"}},
	{Subject: "s", Roles: []string{"substitute"}, Level: "password"},
	{Subject: "s2", Roles: []string{"substitute"}, Level: "eid", Zones: []string{"office"}},
	{Subject: "m", Roles: []string{"manager"}, Level: "otp", Zones: []string{"office"}},
	{Subject: "m2", Roles: []string{"manager"}, Level: "eid", Zones: []string{"office"}},
	{Subject: "m3", Roles: []string{"manager"}, Level: "eid"},
	{Subject: "a", Roles: []string{"employee", "substitute", "manager", "communicator", "publisher", "admin"}, Level: "eid", Zones: []string{"office"}},
}

// defaultTwin is the default-language page a translated page answers to:
// its own translation, else a page of its folder that sets no access.
func defaultTwin(s *Site, p *Page) *Page {
	def := s.DefaultLang()
	for _, t := range p.translations {
		if t.Lang == def {
			return t
		}
	}
	if p.IsIndex {
		if sec := s.sections[content.SectionURL(p.Dir, def, def)]; sec != nil {
			return sec.Index
		}
		return nil
	}
	if sec := s.sections[content.SectionURL(p.Dir, def, def)]; sec != nil {
		for _, q := range sec.Pages {
			if setsNoAccess(q) {
				return q
			}
		}
	}
	return nil
}

func setsNoAccess(p *Page) bool {
	return p.Inherit["audience"] && p.Inherit["min_auth"] && p.Inherit["zones"]
}

// translationsNarrow reports whether a translated section index at or
// above p's folder, in p's language, sets access of its own.
func translationsNarrow(s *Site, p *Page) bool {
	for dir := p.Dir; ; dir = parentDir(dir) {
		if sec := s.sections[content.SectionURL(dir, p.Lang, s.DefaultLang())]; sec != nil && sec.Index != nil && !setsNoAccess(sec.Index) {
			return true
		}
		if dir == "" {
			return false
		}
	}
}

// checkTranslationsAsRestricted walks every page and section of every
// language: a translated page that sets no access of its own answers every
// reader exactly as its default-language twin does (never more openly,
// where a translated section narrows on purpose).
func checkTranslationsAsRestricted(t *testing.T, s *Site, now time.Time) {
	t.Helper()
	def := s.DefaultLang()
	checked := 0
	for _, p := range s.pages {
		if p.Lang == def || p.Access.Draft || !setsNoAccess(p) {
			continue
		}
		twin := defaultTwin(s, p)
		if twin == nil {
			t.Errorf("%s has no page in %s to compare with", p.File, def)
			continue
		}
		narrowed := translationsNarrow(s, p)
		for _, v := range viewers {
			got, want := s.decide(v, p, now), s.decide(v, twin, now)
			_, _, gotURL := s.Lookup(v, now, p.URL)
			_, _, wantURL := s.Lookup(v, now, twin.URL)
			if narrowed {
				if got == access.Allow && want != access.Allow || gotURL == access.Allow && wantURL != access.Allow {
					t.Errorf("%s lets %q in (%v, %s %v) where %s keeps them out (%v, %v)", p.File, v.Subject, got, p.URL, gotURL, twin.File, want, wantURL)
				}
				continue
			}
			if got != want || gotURL != wantURL {
				t.Errorf("%s answers %q %v (%s: %v); %s answers %v (%s: %v)", p.File, v.Subject, got, p.URL, gotURL, twin.File, want, twin.URL, wantURL)
			}
		}
		checked++
	}
	for _, sec := range s.sections {
		if sec.Lang == def || (sec.Index != nil && !setsNoAccess(sec.Index)) {
			continue
		}
		twin := s.sections[content.SectionURL(sec.Dir, def, def)]
		if twin == nil || twin.Index == nil || sec.Index == nil {
			continue // a folder without an _index is as visible as what is in it, checked above
		}
		for _, v := range viewers {
			if got, want := s.SectionVisible(v, now, sec), s.SectionVisible(v, now, twin); got && !want {
				t.Errorf("section %s is open to %q, %s is not", sec.URL, v.Subject, twin.URL)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no translated page was checked")
	}
}

func TestTranslatedSectionIndexKeepsTheFoldersAccess(t *testing.T) {
	now := at(2026, 11, 23, 9, 0)
	s, _, _ := build(t, translated, now)
	if len(s.Problems) != 0 {
		t.Fatalf("problems: %v", s.Problems)
	}
	checkTranslationsAsRestricted(t, s, now)

	// The case that was found: an employee opening the Norwegian page of a
	// section for substitutes.
	employee := viewers[1]
	for _, url := range []string{"/nb/vikarie/boka-pass", "/nb/vikarie", "/nn/vikarie/boka-pass", "/en/vikarie/boka-pass", "/nb/vikarie/djup/annan"} {
		if _, _, d := s.Lookup(employee, now, url); d != access.Hidden {
			t.Errorf("%s for an employee: %v, want hidden", url, d)
		}
	}
	if _, _, d := s.Lookup(viewers[3], now, "/nb/vikarie/boka-pass"); d != access.Allow {
		t.Errorf("/nb/vikarie/boka-pass for a substitute: %v, want allow", d)
	}
	// Level and zone come through a translated index too.
	if _, _, d := s.Lookup(employee, now, "/nn/personal/lon"); d != access.Hidden {
		t.Errorf("/nn/personal/lon outside the office: %v, want hidden", d)
	}
	if _, _, d := s.Lookup(viewers[7], now, "/en/personal/chef/plan"); d != access.Hidden {
		t.Errorf("/en/personal/chef/plan outside the office: %v, want hidden", d)
	}
	if _, _, d := s.Lookup(viewers[5], now, "/en/personal/chef/plan"); d != access.StepUp {
		t.Errorf("/en/personal/chef/plan at otp: %v, want step-up", d)
	}
	// A translated home index takes the home page's own rule.
	if _, _, d := s.Lookup(access.Anonymous, now, "/nb"); d != access.Allow {
		t.Errorf("/nb for anonymous: %v, want allow", d)
	}
}

func TestTranslatedSectionIndexMayNarrowNotWiden(t *testing.T) {
	archive := translated + `
-- vikarie/_index.en.md --
---
title: Substitutes
audience: [manager]
---
-- personal/chef/_index.en.md --
---
title: Managers
audience: public
zones: []
min_auth: eid
---
`
	now := at(2026, 11, 23, 9, 0)
	s, _, dir := build(t, archive, now)
	var got []string
	for _, p := range s.Problems {
		got = append(got, strings.TrimPrefix(p.String(), filepath.ToSlash(dir)+"/"))
	}
	want := []string{
		"personal/chef/_index.en.md:3: error: audience is wider than the folder's own in the default language (sv); a translation may narrow who sees a section, never widen it, so the default language's applies",
		"personal/chef/_index.en.md:4: error: zones is wider than the folder's own in the default language (sv); a translation may narrow who sees a section, never widen it, so the default language's applies",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkTranslationsAsRestricted(t, s, now)
	// The narrowing holds; the widening does not.
	if _, _, d := s.Lookup(viewers[3], now, "/en/vikarie/boka-pass"); d != access.Hidden {
		t.Errorf("/en/vikarie/boka-pass for a substitute under an English index for managers: %v, want hidden", d)
	}
	if _, _, d := s.Lookup(viewers[6], now, "/en/vikarie/boka-pass"); d != access.Allow {
		t.Errorf("/en/vikarie/boka-pass for a manager: %v, want allow", d)
	}
	for _, url := range []string{"/en/personal/chef", "/en/personal/chef/plan"} {
		if _, _, d := s.Lookup(access.Anonymous, now, url); d != access.SignIn {
			t.Errorf("%s for anonymous: %v, want sign-in", url, d)
		}
		if _, _, d := s.Lookup(viewers[7], now, url); d != access.Hidden {
			t.Errorf("%s for a manager outside the office: %v, want hidden", url, d)
		}
		if _, _, d := s.Lookup(viewers[6], now, url); d != access.Allow {
			t.Errorf("%s for a manager in the office: %v, want allow", url, d)
		}
	}
}

func TestDemoTranslationsAsRestrictedAsTheirSections(t *testing.T) {
	now := at(2026, 11, 23, 10, 0)
	src := content.NewDirSource("content", demo.Files, "", false)
	s, err := NewBuilder(Options{DefaultLang: "sv", Location: stockholm}, clock.NewManual(now), discardLog(), src).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkTranslationsAsRestricted(t, s, now)
}

// folders is a content folder with attachments in a public and a
// restricted section, and editor is a second source, as the editor's
// database is, whose public pages link those attachments.
const folders = `
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
-- hjalp/guide.md --
Se [guiden](guide.pdf).
-- hjalp/guide.pdf --
PDF
-- hjalp/blankett.pdf --
PDF
-- vikarie/_index.md --
---
title: Vikarie
audience: [substitute]
---
-- vikarie/boka.md --
Se [schemat](schema.pdf).
-- vikarie/schema.pdf --
PDF
-- vikarie/plan.pdf --
PDF
-- vikarie/lista.pdf --
PDF
-- vikarie/oppen.md --
---
audience: []
---
Se [listan](lista.pdf).
-- vikarie/djup/sida.md --
Se [planen](../plan.pdf).
-- nyheter/_index.md --
---
title: Nyheter
audience: public
---
-- nyheter/oppen.md --
Se [schemat](/vikarie/schema.pdf).
`

const editor = `
-- nyheter/fran-redaktionen.md --
---
title: Från redaktionen
audience: public
---
Se [planen](/vikarie/plan.pdf), [schemat](/vikarie/schema.pdf) och [blanketten](/hjalp/blankett.pdf).
`

func TestAttachmentNeverMoreVisibleThanItsFolder(t *testing.T) {
	now := at(2026, 11, 23, 9, 0)
	files, err := content.OpenDir(writeTree(t, folders), false)
	if err != nil {
		t.Fatal(err)
	}
	db, err := content.OpenDir(writeTree(t, editor), false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewBuilder(Options{DefaultLang: "sv", Location: stockholm}, clock.NewManual(now), discardLog(), files, db).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Problems) != 0 {
		t.Fatalf("problems: %v", s.Problems)
	}
	sub := access.Viewer{Subject: "s", Roles: []string{"substitute"}, Level: "password"}
	emp := access.Viewer{Subject: "e", Roles: []string{"employee"}, Level: "password"}
	for _, c := range []struct {
		v    access.Viewer
		url  string
		want bool
	}{
		// Linked from a public page of another source: the folder decides.
		{anon, "/vikarie/plan.pdf", false},
		{emp, "/vikarie/plan.pdf", false},
		{sub, "/vikarie/plan.pdf", true},
		{anon, "/hjalp/blankett.pdf", true},
		// Linked from a public page of another folder: the same.
		{anon, "/vikarie/schema.pdf", false},
		{emp, "/vikarie/schema.pdf", false},
		{sub, "/vikarie/schema.pdf", true},
		// Linked from a page of its own folder: that page decides.
		{anon, "/hjalp/guide.pdf", true},
		{emp, "/vikarie/lista.pdf", true},
		{anon, "/vikarie/lista.pdf", false},
		// Missing stays missing.
		{sub, "/vikarie/finns-inte.pdf", false},
	} {
		if _, ok := s.Asset(c.v, now, c.url); ok != c.want {
			t.Errorf("%s for %q: %v, want %v", c.url, c.v.Subject, ok, c.want)
		}
	}
}

func TestUploadVisibleThroughThePagesThatShowIt(t *testing.T) {
	archive := `
-- _index.md --
---
audience: public
---
-- oppen.md --
---
audience: public
---
![bild](/media/aaa/oppen.png)
-- stangd.md --
---
audience: [admin]
---
![bild](/media/bbb/stangd.png?v=2) ![bild](/media/aaa/oppen.png)
-- senare.md --
---
audience: public
publish_at: 2027-01-01
---
![bild](/media/ccc/senare.png)
`
	now := at(2026, 11, 23, 9, 0)
	s, _, _ := build(t, archive, now)
	admin := access.Viewer{Subject: "a", Roles: []string{"admin"}}
	for _, c := range []struct {
		v    access.Viewer
		url  string
		want Media
	}{
		{anon, "/media/aaa/oppen.png", Media{Shown: true, Visible: true, Public: true}},
		{anon, "/media/bbb/stangd.png", Media{Shown: true}},
		{employee, "/media/bbb/stangd.png", Media{Shown: true}},
		{admin, "/media/bbb/stangd.png", Media{Shown: true, Visible: true}},
		{admin, "/media/ccc/senare.png", Media{}},
		{admin, "/media/ddd/ingen.png", Media{}},
	} {
		if got := s.Media(c.v, now, c.url); got != c.want {
			t.Errorf("%s for %q: %+v, want %+v", c.url, c.v.Subject, got, c.want)
		}
	}
}
