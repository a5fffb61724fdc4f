package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckReportsMarkdownBeyondLimits: a file goldmark would chew on for
// minutes is reported at once with its file and line.
func TestCheckReportsMarkdownBeyondLimits(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"_index.md": "---\ntitle: Start\naudience: public\n---\nVälkommen.\n",
		"djup.md":   "---\ntitle: Djup\n---\nInledning\n\n" + strings.Repeat(">", 40<<10) + "\n",
		"marks.md":  "---\ntitle: Tecken\n---\n" + strings.Repeat("*a_", 300) + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := runCmd(t, nil, "check", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"djup.md:6: error: cannot render: quotes and lists are nested more than 32 deep",
		"marks.md:4: error: cannot render: more than 128 emphasis or code marks in one paragraph",
		"2 errors, 0 warnings",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}
