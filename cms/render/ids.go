package render

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ids makes heading anchors that survive being typed in a URL: lower case
// ASCII, so "Glömt lösenord?" becomes "glomt-losenord".
type ids struct {
	used map[string]bool
	next map[string]int // the suffix to try next for a repeated base
}

func newIDs() *ids { return &ids{used: map[string]bool{}, next: map[string]int{}} }

// nordic folds the letters of the Nordic languages that have no accent to strip.
var nordic = map[rune]string{'æ': "ae", 'ø': "o", 'ß': "ss", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d"}

// Slug folds text to lower-case ASCII words joined by hyphens.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	word := func(w string) {
		if w == "" {
			return
		}
		b.WriteString(w)
		dash = false
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			word(string(r))
		case r >= 128 && unicode.IsLetter(r):
			if f, ok := nordic[r]; ok {
				word(f)
			} else {
				word(stripMarks(r))
			}
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// stripMarks returns the ASCII base letter of an accented letter (å → a),
// or nothing for letters outside the Latin script.
func stripMarks(r rune) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)))
	folded, _, err := transform.String(t, string(r))
	if err != nil || folded == "" || folded[0] >= 128 {
		return ""
	}
	return folded
}

func (x *ids) Generate(value []byte, _ ast.NodeKind) []byte {
	base := Slug(string(value))
	if base == "" {
		base = "avsnitt"
	}
	id := base
	// Each base remembers its last suffix, so n equal headings take O(n)
	// probes in all rather than O(n²).
	i := x.next[base]
	for x.used[id] {
		i++
		id = base + "-" + strconv.Itoa(i)
	}
	x.next[base] = i
	x.used[id] = true
	return []byte(id)
}

func (x *ids) Put(value []byte) { x.used[string(value)] = true }
