package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPageBeyondRenderingLimits: a published file that goldmark would
// chew on for minutes is reported with its file and line, the build
// finishes, and the page keeps its last good version or says it cannot
// be shown.
func TestPageBeyondRenderingLimits(t *testing.T) {
	deep := "Inledning\n\n" + strings.Repeat(">", 40<<10) + "\n"
	s, b, dir := build(t, `
-- _index.md --
---
title: Start
audience: public
---
-- djup.md --
---
title: Djup
---
`+deep+`
-- bra.md --
---
title: Bra
---
Första *versionen*.
`, at(2026, 11, 23, 10, 0))

	problemFor := func(s *Site, file string) string {
		for _, p := range s.Problems {
			if strings.HasSuffix(p.File, file) {
				return p.String()
			}
		}
		return ""
	}
	p := s.pages[slicesIndex(s, "/djup")]
	if got := problemFor(s, "djup.md"); !strings.Contains(got, "djup.md:6") || !strings.Contains(got, "nested more than 32") {
		t.Fatalf("problem = %q, want one at djup.md:6 about nesting; all: %v", got, s.Problems)
	}
	if !p.Unrendered || p.Doc == nil || p.Doc.HTML != "" {
		t.Fatalf("the page should be marked as not rendered: %+v", p.Doc)
	}
	good := s.pages[slicesIndex(s, "/bra")].Doc.HTML
	if !strings.Contains(good, "<em>versionen</em>") {
		t.Fatalf("bra.md: %q", good)
	}

	// A good page broken by an edit keeps the version that rendered.
	if err := os.WriteFile(filepath.Join(dir, "bra.md"), []byte("---\ntitle: Bra\n---\n"+strings.Repeat("*a_", 400)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bra := s.pages[slicesIndex(s, "/bra")]
	if bra.Unrendered || bra.Doc.HTML != good {
		t.Fatalf("bra.md should keep its last good version, has %q", bra.Doc.HTML)
	}
	if got := problemFor(s, "bra.md"); !strings.Contains(got, "bra.md:4") || !strings.Contains(got, "last good version") {
		t.Fatalf("problem = %q", got)
	}
	// Built again unchanged, the problem is still reported.
	if s, _ = b.Build(context.Background()); problemFor(s, "bra.md") == "" || problemFor(s, "djup.md") == "" {
		t.Fatalf("a rebuild forgot the problems: %v", s.Problems)
	}
}

func slicesIndex(s *Site, url string) int {
	for i, p := range s.pages {
		if p.URL == url {
			return i
		}
	}
	panic("no page " + url)
}
