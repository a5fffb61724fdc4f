package publishing

import (
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/content"
)

// TestFormPathNamesOnlyOtherLanguages: a file in the site's default
// language carries no language suffix; any other language does.
func TestFormPathNamesOnlyOtherLanguages(t *testing.T) {
	for _, c := range []struct{ lang, def, want string }{
		{"sv", "sv", "nyheter/julbord.md"},
		{"", "sv", "nyheter/julbord.md"},
		{"en", "sv", "nyheter/julbord.en.md"},
		{"sv", "nb", "nyheter/julbord.sv.md"},
	} {
		f := Form{Section: "/nyheter/", Slug: "julbord", Lang: c.lang}
		if got := f.Path(c.def); got != c.want {
			t.Errorf("lang %q on a %q site: %s, want %s", c.lang, c.def, got, c.want)
		}
	}
}

// TestFormRoundTrip: the fields read from an item's Markdown compose the
// same front matter and body again, with CRLF bodies made LF.
func TestFormRoundTrip(t *testing.T) {
	opts := content.Options{DefaultLang: "sv", Location: time.UTC}
	md := "---\ntitle: Julbord\ntype: news\nsummary: Mat\naudience: [employee]\nmin_auth: eid\ntags: [fest, mat]\ndate: 2026-11-23\npublish_at: 2026-11-20 08:00\n---\nVälkommen.\r\nTill bords.\n"
	f := FormOf(&Item{Path: "nyheter/2026/julbord.en.md", Version: 3}, md, opts)
	if f.Section != "nyheter/2026" || f.Slug != "julbord" || f.Lang != "en" || f.Version != 3 {
		t.Fatalf("place: %+v", f)
	}
	if f.Title != "Julbord" || f.Tags != "fest, mat" || !f.Has("employee") || f.Has("public") || f.PublishAt != "2026-11-20T08:00" {
		t.Fatalf("fields: %+v", f)
	}
	want := "---\ntitle: Julbord\ntype: news\nsummary: Mat\naudience: [employee]\nmin_auth: eid\ntags: [fest, mat]\ndate: 2026-11-23\npublish_at: 2026-11-20 08:00\n---\nVälkommen.\nTill bords.\n"
	if got := f.Markdown(); got != want {
		t.Fatalf("composed:\n%s\nwant:\n%s", got, want)
	}
	again := FormOf(&Item{Path: "nyheter/2026/julbord.en.md", Version: 3}, f.Markdown(), opts)
	if again.Markdown() != f.Markdown() {
		t.Fatalf("not stable:\n%s\n%s", again.Markdown(), f.Markdown())
	}
}
