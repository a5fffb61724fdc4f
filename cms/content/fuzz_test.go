package content

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	demo "github.com/torg-cms/torg/content"
)

// FuzzParseFile feeds front matter and bodies of every shape to the parser:
// it never panics, and every problem points at a line of the file.
func FuzzParseFile(f *testing.F) {
	fs.WalkDir(demo.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".md") {
			b, _ := fs.ReadFile(demo.Files, p)
			f.Add(b)
		}
		return nil
	})
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Add([]byte("---\npublish: 2026-13-45\nexpire: igår\naudience: 7\n---\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, probs := ParseFile("a/b.md", data, Options{DefaultLang: "sv"})
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range probs {
			if p.Line < 0 || p.Line > lines {
				t.Fatalf("problem on line %d of a %d-line file: %s", p.Line, lines, p)
			}
		}
		if it == nil && len(probs) == 0 {
			t.Fatal("a file refused without a reason")
		}
	})
}
