package content

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/testenv"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func opts() Options { return Options{DefaultLang: "sv", Location: stockholm} }

func TestParseFileFields(t *testing.T) {
	src := `---
title: Boka pass
summary: Så bokar du.
type: job
lang: sv
audience: [substitute, manager]
min_auth: otp
zones: office
tags: [pass, schema]
date: 2026-11-20
publish_at: 2026-11-20 08:00
expire_at: 2027-01-01T00:00:00+01:00
reviewed: 2026-11-02
weight: 3
aliases: [/gammal/boka]
translation_key: boka
apply_by: 2026-12-15
unit: Hemtjänsten
extent: 90 %
contact: Maja
icon: calendar
extra:
  nested: [1, 2]
---
# Ignored heading

Body.
`
	it, probs := ParseFile("vikarie/boka-pass.md", []byte(src), opts())
	if it == nil {
		t.Fatalf("no item; problems: %v", probs)
	}
	if len(probs) != 0 {
		t.Fatalf("unexpected problems: %v", probs)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("Title", it.Title, "Boka pass")
	check("URL", it.URL, "/vikarie/boka-pass")
	check("Dir", it.Dir, "vikarie")
	check("Type", it.Type, TypeJob)
	check("Audience", it.Access.Audience, []string{"substitute", "manager"})
	check("MinAuth", it.Access.MinAuth, "otp")
	check("Zones", it.Access.Zones, []string{"office"})
	check("Tags", it.Tags, []string{"pass", "schema"})
	check("PublishAt", it.Access.PublishAt, time.Date(2026, 11, 20, 8, 0, 0, 0, stockholm))
	check("Weight", it.Weight, 3)
	check("Aliases", it.Aliases, []string{"/gammal/boka"})
	check("TranslationKey", it.TranslationKey, "boka")
	check("Job.Unit", it.Job.Unit, "Hemtjänsten")
	check("Params.icon", it.Params["icon"], "calendar")
	check("Params.extra", it.Params["extra"], map[string]any{"nested": []any{1, 2}})
	check("BodyLine", it.BodyLine, 25)
	// A job ad closes at the end of its apply_by day, before its expire_at.
	check("ExpireAt", it.Access.ExpireAt, time.Date(2026, 12, 16, 0, 0, 0, 0, stockholm))
	check("Inherit audience", it.Inherit["audience"], false)
	check("Inherit min_auth", it.Inherit["min_auth"], false)
}

func TestParseFileDefaults(t *testing.T) {
	tests := []struct {
		name, file, src       string
		title, url, lang, typ string
	}{
		{"no front matter, title from heading", "faq/fragor.md", "# Vanliga frågor\n\ntext", "Vanliga frågor", "/faq/fragor", "sv", "page"},
		{"no front matter, no heading", "om/vart-uppdrag.md", "Bara text.", "Vart uppdrag", "/om/vart-uppdrag", "sv", "page"},
		{"language from the file name", "inloggning/logga-in.en.md", "---\ntitle: Sign in\n---\n", "Sign in", "/en/inloggning/logga-in", "en", "page"},
		{"language from front matter", "om/x.md", "---\nlang: nn\n---\n# Om oss\n", "Om oss", "/nn/om/x", "nn", "page"},
		{"section index", "vikarie/_index.md", "Intro.", "Vikarie", "/vikarie", "sv", "page"},
		{"home index", "_index.md", "---\ntitle: Start\n---\n", "Start", "/", "sv", "page"},
		{"slug", "nyheter/2026-11-20-inloggning.md", "---\nslug: inloggning\ntype: news\ndate: 2026-11-20\n---\n", "2026 11 20 inloggning", "/nyheter/inloggning", "sv", "news"},
		{"byte order mark and CRLF", "a.md", "\ufeff---\r\ntitle: A\r\n---\r\nText\r\n", "A", "/a", "sv", "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, probs := ParseFile(tt.file, []byte(tt.src), opts())
			if it == nil {
				t.Fatalf("no item: %v", probs)
			}
			if it.Title != tt.title || it.URL != tt.url || it.Lang != tt.lang || string(it.Type) != tt.typ {
				t.Fatalf("got title %q url %q lang %q type %q; want %q %q %q %q", it.Title, it.URL, it.Lang, it.Type, tt.title, tt.url, tt.lang, tt.typ)
			}
		})
	}
}

func TestParseFileProblems(t *testing.T) {
	tests := []struct {
		name, file, src string
		want            string // "line: message part"
	}{
		{"bad YAML: a colon in an unquoted value", "a.md", "---\ntitle: A\nsummary: Obs: viktigt\n---\n", "3: front matter is not valid YAML: mapping values are not allowed"},
		{"bad YAML: unclosed quote", "a.md", "---\ntitle: \"A\nsummary: b\n---\n", "0: front matter is not valid YAML"},
		{"unclosed front matter", "a.md", "---\ntitle: A\n", "1: front matter starts with --- on line 1 but has no closing ---"},
		{"unknown type", "a.md", "---\ntitle: A\ntype: blog\n---\n", `3: unknown type "blog"`},
		{"unknown language", "a.md", "---\nlang: de\n---\n", `2: unknown language "de"`},
		{"unknown language suffix", "a.de.md", "text", `0: "de" is not a known language`},
		{"language contradicts file name", "a.en.md", "---\nlang: sv\n---\n", `2: lang "sv" contradicts the file name`},
		{"unparsable date", "a.md", "---\ntitle: A\n\ndate: 20 nov\n---\n", `4: date: "20 nov" is not a date`},
		{"expire before publish", "a.md", "---\npublish_at: 2026-12-01\nexpire_at: 2026-11-01\n---\n", "3: expire_at (2026-11-01 00:00:00) is not after publish_at"},
		{"unknown sign-in level", "a.md", "---\nmin_auth: bankid\n---\n", `2: unknown sign-in level "bankid"`},
		{"alias not a path", "a.md", "---\naliases: [gammal]\n---\n", `2: alias "gammal" must be a path`},
		{"field twice", "a.md", "---\ntitle: A\ntitle: B\n---\n", `3: field "title" is given twice`},
		{"weight not a number", "a.md", "---\nweight: tung\n---\n", "2: weight must be a whole number"},
		{"bad opening hours", "k.md", "---\ntype: contact\nopening_hours:\n  weekly:\n    - days: mån\n      hours: 8-16\n---\n", `3: opening_hours: weekly[0]: unknown day "mån"`},
		{"front matter is a list", "a.md", "---\n- a\n- b\n---\n", "2: front matter must be a list of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, probs := ParseFile(tt.file, []byte(tt.src), opts())
			if it != nil {
				t.Fatalf("expected no item, got %+v", it)
			}
			var lines []string
			for _, p := range probs {
				lines = append(lines, strings.TrimPrefix(p.String(), tt.file+":"))
			}
			joined := strings.Join(lines, "\n")
			line, msg, _ := strings.Cut(tt.want, ": ")
			found := false
			for _, p := range probs {
				if p.Severity == Error && strings.Contains(p.Message, msg) && (line == "0" || line == itoa(p.Line)) {
					found = true
				}
			}
			if !found {
				t.Fatalf("want an error at line %s containing %q; got:\n%s", line, msg, joined)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseFileWarnings(t *testing.T) {
	it, probs := ParseFile("jobb/x.md", []byte("---\ntype: job\n---\n"), opts())
	if it == nil || len(probs) != 1 || probs[0].Severity != Warning || !strings.Contains(probs[0].Message, "apply_by") {
		t.Fatalf("want one warning about apply_by, got %v", probs)
	}
	it, probs = ParseFile("a.md", []byte("---\nphone: 123\n---\n"), opts())
	if it == nil || len(probs) != 1 || !strings.Contains(probs[0].Message, "belong to contact cards") {
		t.Fatalf("want one warning about contact fields, got %v", probs)
	}
}

// The real municipal pages have no front matter, odd headings and OCR
// noise; every one must load with defaults.
func TestCorpusLoads(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "municipal")
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, fmt.Sprintf("the shared corpus is not beside the checkout (%v)", err))
	}
	src, err := OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Load(t.Context(), opts())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Problems.HasErrors() {
		t.Fatalf("problems: %v", snap.Problems)
	}
	langs := map[string]string{}
	for _, it := range snap.Items {
		if it.File == "README.md" {
			continue
		}
		langs[it.File] = it.Lang
		if it.Title == "" || len(it.Body) == 0 {
			t.Errorf("%s: empty title or body", it.File)
		}
	}
	if len(langs) != 5 {
		t.Fatalf("loaded %d items, want 5: %v", len(snap.Items), langs)
	}
	if langs["osteroy-visma-meg-sjolv.nn.md"] != "nn" || langs["orebro-e-signering.sv.md"] != "sv" {
		t.Fatalf("languages from file names: %v", langs)
	}
}
