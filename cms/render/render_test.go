package render

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	r := New()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := r.Render(src, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(f, ".md") + ".golden.html"
			if *update {
				if err := os.WriteFile(golden, []byte(doc.HTML), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cms/render -update to create it)", err)
			}
			if doc.HTML != string(want) {
				t.Fatalf("HTML differs from %s:\n--- got\n%s\n--- want\n%s", golden, doc.HTML, want)
			}
		})
	}
}

func TestTitleTOCAndIDs(t *testing.T) {
	src, _ := os.ReadFile("testdata/gfm.md")
	doc, err := New().Render(src, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Titeln tas bort" || strings.Contains(doc.HTML, "Titeln tas bort") {
		t.Fatalf("the opening # heading should become the title and leave the body: %q", doc.Title)
	}
	want := []Heading{
		{2, "glomt-losenord", "Glömt lösenord?"},
		{2, "glomt-losenord-1", "Glömt lösenord?"},
		{3, "aeble-ol-och-strasse", "Æble, øl och Straße"},
	}
	if !reflect.DeepEqual(doc.TOC, want) {
		t.Fatalf("TOC = %+v\nwant %+v", doc.TOC, want)
	}
}

func TestRawHTMLEscapedByDefault(t *testing.T) {
	doc, _ := New().Render([]byte("Hej <b onclick=\"x()\">du</b>\n\n<script>alert(1)</script>\n\n[a](javascript:alert(1))"), false, nil)
	for _, bad := range []string{"<script", "<b ", "onclick=\"", `href="javascript:`} {
		if strings.Contains(doc.HTML, bad) {
			t.Errorf("output contains %q:\n%s", bad, doc.HTML)
		}
	}
	if !strings.Contains(doc.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("raw HTML should be shown as text:\n%s", doc.HTML)
	}
}

func TestRawHTMLSanitisedWhenAllowed(t *testing.T) {
	src := `<div id="x" onmouseover="steal()"><b>fet</b> <a href="javascript:alert(1)">länk</a> <img src=x onerror=alert(1)></div>

<script>alert(1)</script><iframe src="https://evil.example"></iframe>

<details><summary>Mer</summary>Dold text</details>

- [x] klar

| a | b |
|:-:|--:|
| 1 | 2 |
`
	doc, err := New().Render([]byte(src), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "onmouseover", "onerror", "javascript:", "<iframe", "steal()"} {
		if strings.Contains(doc.HTML, bad) {
			t.Errorf("sanitised output contains %q:\n%s", bad, doc.HTML)
		}
	}
	for _, good := range []string{"<b>fet</b>", "<details>", "<summary>Mer</summary>", `<span class="task-box">☑</span> klar`, `align="center"`} {
		if !strings.Contains(doc.HTML, good) {
			t.Errorf("sanitised output lost %q:\n%s", good, doc.HTML)
		}
	}
}

func TestFAQEntries(t *testing.T) {
	src, _ := os.ReadFile("testdata/faq.md")
	doc, err := New().Render(src, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.FAQ) != 2 {
		t.Fatalf("want 2 entries, got %+v", doc.FAQ)
	}
	q := doc.FAQ[0]
	if q.ID != "hur-loggar-jag-in" || q.Question != "Hur loggar jag in?" ||
		!strings.Contains(q.Answer, "<strong>lösenord</strong>") || !strings.Contains(q.Answer, "engångskod") || strings.Contains(q.Answer, "Lönewebben") {
		t.Fatalf("first entry wrong: %+v", q)
	}
	if !strings.Contains(doc.Intro, "Inledning") || strings.Contains(doc.Intro, "Hur loggar") {
		t.Fatalf("intro wrong: %q", doc.Intro)
	}
}

func TestLinksResolvedAndReported(t *testing.T) {
	src := "Se [frågor](../faq/fragor.md#konto) och [extern](https://example.org).\n\nText\n\n![bild](saknas.png)\n\n[trasig](finns-inte.md)\n"
	resolve := func(dest string, image bool) (string, bool, error) {
		switch dest {
		case "../faq/fragor.md#konto":
			return "/faq/fragor#konto", true, nil
		case "https://example.org":
			return dest, false, nil
		}
		if image {
			return "", false, errors.New("image " + dest + " does not exist")
		}
		return "", false, errors.New("link to " + dest + ": no such page")
	}
	doc, err := New().Render([]byte(src), false, resolve)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.HTML, `href="/faq/fragor#konto"`) || !strings.Contains(doc.HTML, `href="https://example.org"`) {
		t.Fatalf("links not rewritten:\n%s", doc.HTML)
	}
	want := []LinkProblem{{5, "image saknas.png does not exist"}, {7, "link to finns-inte.md: no such page"}}
	if !reflect.DeepEqual(doc.Problems, want) {
		t.Fatalf("problems = %+v, want %+v", doc.Problems, want)
	}
	if !reflect.DeepEqual(doc.Refs, []string{"/faq/fragor#konto"}) {
		t.Fatalf("refs = %v", doc.Refs)
	}
	if !reflect.DeepEqual(doc.External, []string{"https://example.org"}) {
		t.Fatalf("external = %v", doc.External)
	}
}

func TestPlainText(t *testing.T) {
	doc, _ := New().Render([]byte("# T\n\nEtt *stycke* med `kod`.\n\n| a | b |\n|---|---|\n| c | d |\n"), false, nil)
	if doc.Text != "Ett stycke med kod.\na\nb\nc\nd" {
		t.Fatalf("text = %q", doc.Text)
	}
}

// BenchmarkRender measures one 10 KB page through the whole pipeline.
// Run: go test ./cms/render -run '^$' -bench Render -benchmem
func BenchmarkRender(b *testing.B) {
	src, _ := os.ReadFile("testdata/gfm.md")
	var page []byte
	for len(page) < 10<<10 {
		page = append(page, src...)
	}
	r := New()
	b.SetBytes(int64(len(page)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Render(page, false, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTaskListsHaveNoUnlabelledControls(t *testing.T) {
	for _, allow := range []bool{false, true} {
		doc, err := New().Render([]byte("- [ ] Ta med legitimation\n- [x] Läs instruktionen\n"), allow, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(doc.HTML, "<input") || !strings.Contains(doc.HTML, `<span class="task-box">☐</span> Ta med`) || !strings.Contains(doc.HTML, `<span class="task-box">☑</span> Läs`) {
			t.Fatalf("raw HTML %v:\n%s", allow, doc.HTML)
		}
	}
}
