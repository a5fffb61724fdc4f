package render

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// worstCases are inputs on which goldmark's work grows faster than their
// size, each made to size bytes; normal is an ordinary page of that size.
var worstCases = []struct {
	name string
	make func(size int) string
}{
	{"normal", func(size int) string {
		src, _ := os.ReadFile("testdata/gfm.md")
		faq, _ := os.ReadFile("testdata/faq.md")
		return fill(size, string(src)+"\n"+string(faq)+"\n")
	}},
	{"deep-quotes", func(size int) string { return fill(size, ">") }},
	{"quotes-lines", func(size int) string { return fill(size, strings.Repeat("> ", 40)+"x\n") }},
	{"star-a-underscore", func(size int) string { return fill(size, "*a_") }},
	{"star-a-underscore-paragraphs", func(size int) string { return fill(size, strings.Repeat("*a_", 60)+"\n\n") }},
	{"repeated-headings", func(size int) string { return fill(size, "# a\n") }},
	{"repeated-h2", func(size int) string { return fill(size, "## a\n") }},
	{"repeated-setext", func(size int) string { return fill(size, "a\n=\n") }},
	{"emphasis-run", func(size int) string { return strings.Repeat("*", size/2-1) + "a" + strings.Repeat("*", size/2) }},
	{"deep-lists", func(size int) string { return fill(size, "- ") }},
	{"indented-lists", func(size int) string {
		var b strings.Builder
		for i := 0; b.Len() < size; i++ {
			b.WriteString(strings.Repeat("  ", i%40) + "- x\n")
		}
		return b.String()[:size]
	}},
	{"link-openings", func(size int) string { return fill(size, "[a](") }},
	{"link-titles", func(size int) string { return fill(size, "[a](b \"") }},
	{"link-references", func(size int) string { return fill(size, "[a]: b\n") }},
	{"brackets", func(size int) string { return fill(size, "[") }},
	{"image-brackets", func(size int) string { return fill(size, "![") }},
	{"many-links", func(size int) string { return fill(size, "[a](b) ") }},
	{"external-links", func(size int) string {
		var b strings.Builder
		for i := 0; b.Len() < size; i++ {
			fmt.Fprintf(&b, "[länk](https://example.org/%d)\n\n", i)
		}
		return b.String()[:size]
	}},
	{"backticks", func(size int) string { return fill(size, "\\``") }},
	{"code-spans", func(size int) string { return fill(size, "`a` ") }},
	{"raw-html", func(size int) string { return fill(size, "<a") }},
	{"table-rows", func(size int) string { return "|a|b|\n|-|-|\n" + fill(size, "|x|*y*|\n") }},
}

// fill repeats unit to exactly size bytes.
func fill(size int, unit string) string {
	return strings.Repeat(unit, size/len(unit)+1)[:size]
}

// BenchmarkWorstCase renders each worst case at 100 KB, beside a normal
// page of the same size: each must take well under 100 ms, and not much
// more than the normal page. cpu-ns/op is the process's CPU time.
// Run: go test ./cms/render -run '^$' -bench WorstCase -benchmem
func BenchmarkWorstCase(b *testing.B) {
	r := New()
	external := func(dest string, _ bool) (string, bool, error) { return dest, false, nil }
	for _, c := range worstCases {
		src := []byte(c.make(100 << 10))
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				_, _ = r.Render(src, false, external)
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func TestOverLimitDocumentsRefused(t *testing.T) {
	indented := func(levels int) string {
		var b strings.Builder
		for i := 0; i < levels; i++ {
			b.WriteString(strings.Repeat("  ", i) + "- x\n")
		}
		return b.String()
	}
	for _, c := range []struct {
		name, src string
		limit     string
		line      int
	}{
		{"too large", strings.Repeat("Ett stycke.\n\n", DefaultLimits.MaxBytes/13+1), LimitSize, 0},
		{"deep quotes", "Inledning\n\n" + strings.Repeat(">", 33) + " x\n", LimitDepth, 3},
		{"deep quotes with spaces", strings.Repeat("> ", 33) + "x\n", LimitDepth, 1},
		{"deep lists on one line", "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - x\n", LimitDepth, 1},
		{"deep lists by indentation", indented(33), LimitDepth, 33},
		{"quotes in lists", strings.Repeat("- > ", 17) + "x\n", LimitDepth, 1},
		{"emphasis marks", "x\n\n" + strings.Repeat("*a_", 100) + "\n", LimitMarks, 3},
		{"strikethrough marks", strings.Repeat("~a*", 100), LimitMarks, 1},
		{"code marks", strings.Repeat("\\``", 200), LimitMarks, 1},
		{"link openings", strings.Repeat("[a](", 200), LimitLinks, 1},
		{"link definitions", strings.Repeat("[a]: b\n", 200), LimitLinks, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := New().Render([]byte(c.src), false, nil)
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("rendered (%d bytes of HTML), want a %s limit error; err = %v", len(htmlOf(doc)), c.limit, err)
			}
			if le.Limit != c.limit || le.Line != c.line || !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %+v (%v), want limit %s at line %d", le, err, c.limit, c.line)
			}
		})
	}
}

func htmlOf(doc *Doc) string {
	if doc == nil {
		return ""
	}
	return doc.HTML
}

func TestWithinLimitsRenders(t *testing.T) {
	var indented strings.Builder
	for i := 0; i < 32; i++ {
		indented.WriteString(strings.Repeat("  ", i) + "- x\n")
	}
	for name, src := range map[string]string{
		"32 quotes":             strings.Repeat(">", 32) + " x\n",
		"32 lists":              indented.String(),
		"long thematic break":   strings.Repeat("* ", 80) + "\n\n" + strings.Repeat("-", 200) + "\n",
		"many marks in a page":  strings.Repeat("Ett *viktigt* ord och `kod` med [länk](/a).\n\n", 2000),
		"one long line of text": strings.Repeat("ord ", 60000),
		"quoted email":          strings.Repeat("> > > Svar\n", 500),
	} {
		if _, err := New().Render([]byte(src), false, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRepeatedHeadingIDsLinear: n equal headings make n ids with O(n)
// work; trying id-1, id-2, … from 1 for each allocated O(n²) strings.
func TestRepeatedHeadingIDsLinear(t *testing.T) {
	allocs := func(n int) float64 {
		return testing.AllocsPerRun(3, func() {
			x := newIDs()
			for i := 0; i < n; i++ {
				x.Generate([]byte("Rubrik"), 0)
			}
		})
	}
	small, large := allocs(1000), allocs(4000)
	if large > 5*small {
		t.Fatalf("4× the headings took %.0f allocations against %.0f: not linear", large, small)
	}
	x := newIDs()
	x.Put([]byte("a-2"))
	var got []string
	for i := 0; i < 4; i++ {
		got = append(got, string(x.Generate([]byte("A"), 0)))
	}
	if strings.Join(got, " ") != "a a-1 a-3 a-4" {
		t.Fatalf("ids = %v", got)
	}
}

func TestRenderDeadline(t *testing.T) {
	l := DefaultLimits
	l.MaxTime = time.Nanosecond
	src := []byte(strings.Repeat("Ett *stycke* med [länk](/a).\n\n", 500))
	_, err := NewWithLimits(l).Render(src, false, nil)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitTime {
		t.Fatalf("err = %v, want the time limit", err)
	}
}
