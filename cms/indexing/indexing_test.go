package indexing_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/indexing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/tiles"
	"github.com/torg-cms/torg/search"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// build makes a site of the given Markdown files.
func build(t *testing.T, files map[string]string, allowHTML bool) *site.Site {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: time.UTC}, clock.NewManual(now), quiet(),
		content.NewDirSource("content", fsys, "", allowHTML))
	st, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func docByID(t *testing.T, docs []search.Doc, id string) search.Doc {
	t.Helper()
	for _, d := range docs {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no doc %s", id)
	return search.Doc{}
}

// The text indexed for an FAQ answer is what a reader sees: words that
// markup splits or joins stay whole, escapes and entities become their
// characters, and the blocks of a table stay apart.
func TestFAQAnswerIndexedAsReadersSeeIt(t *testing.T) {
	const page = "---\ntitle: Frågor\ntype: faq\n---\n## Hur jämför jag?\n\n" +
		"Om a < b > c gäller, skriv `<code>` och \\*stjärna\\*; Smith &amp; Wesson &ndash; klart.\n" +
		"Läs [reglerna för **sem**ester](https://example.se/x) och **semester**ansökan.\n\n" +
		"| Dag | Tid |\n|---|---|\n| måndag | 08–17 |\n\n" +
		"![karta över kontoret](/k.png)\n"
	want := []string{"a < b > c", "<code>", "*stjärna*", "Smith & Wesson – klart", "reglerna för semester",
		"semesteransökan", "måndag", "08–17", "karta över kontoret"}
	for _, allowHTML := range []bool{false, true} {
		docs := indexing.Docs(build(t, map[string]string{"fragor.md": page}, allowHTML), nil)
		body := docByID(t, docs, "faq:/fragor#hur-jamfor-jag").Body
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("allowHTML=%v: the answer's text lacks %q:\n%s", allowHTML, w, body)
			}
		}
		if strings.Contains(body, "&") && !strings.Contains(body, "Smith & Wesson") || strings.Contains(body, "&amp;") || strings.Contains(body, "\\*") {
			t.Errorf("allowHTML=%v: escapes left in the text:\n%s", allowHTML, body)
		}
		if body := docByID(t, docs, "page:/fragor").Body; !strings.Contains(body, "Smith & Wesson – klart") || !strings.Contains(body, "*stjärna*") {
			t.Errorf("allowHTML=%v: the page's text is:\n%s", allowHTML, body)
		}
	}
}

// A raw HTML block in a source that allows HTML is indexed by the text
// between its tags, without its script.
func TestFAQAnswerHTMLBlockIndexedByItsText(t *testing.T) {
	const page = "---\ntitle: Frågor\ntype: faq\n---\n## Var?\n\n<div class=\"x\">\n<p>Plan 3 &amp; plan 4</p>\n<script>nothing()</script>\n</div>\n"
	docs := indexing.Docs(build(t, map[string]string{"fragor.md": page}, true), nil)
	body := docByID(t, docs, "faq:/fragor#var").Body
	if !strings.Contains(body, "Plan 3 & plan 4") || strings.Contains(body, "nothing") || strings.Contains(body, "<") {
		t.Errorf("the block's text is %q", body)
	}
}

// A tile is found by the words of each of its languages, through that
// language's analysis, and is filed under its own category.
func TestTileFoundInItsLanguagesUnderItsCategory(t *testing.T) {
	const yaml = `categories:
  - id: schema
    title: {sv: "Schema och pass", nb: "Turnus og vakter"}
tiles:
  - id: passportalen
    category: schema
    title: {sv: "Passportalen", nb: "Vaktbytte", en: "Shift booking"}
    description: {sv: "Boka och avboka pass som timvikarie.", nb: "Bestill og avbestill vakter i turnusen.", en: "Book and cancel shifts as a substitute."}
    url: https://pass.example.se/
    audience: [public]
`
	set, err := tiles.ParseYAML([]byte(yaml), tiles.Rules{Levels: access.DefaultLevels})
	if err != nil {
		t.Fatal(err)
	}
	x, err := search.Open("", access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(context.Background(), indexing.Docs(nil, set), nil); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	// The bokmål and English words are in no Swedish text; "substitutes"
	// finds "substitute" through the English stemmer.
	for _, q := range []string{"avbestill", "turnusen", "substitutes", "Vaktbytte", "avboka"} {
		res, err := x.Search(context.Background(), search.Request{Query: q, Viewer: access.Viewer{}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].ID != "tile:passportalen" {
			t.Errorf("%q: hits %+v", q, res.Hits)
			continue
		}
		if h := res.Hits[0]; h.Section != "schema" || h.Lang != "sv" || h.Title != "Passportalen" {
			t.Errorf("%q: the hit is filed as section %q, language %q, title %q", q, h.Section, h.Lang, h.Title)
		}
	}
}
