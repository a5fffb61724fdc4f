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
type ids struct{ used map[string]bool }

func newIDs() *ids { return &ids{used: map[string]bool{}} }

var letters = strings.NewReplacer("æ", "ae", "ø", "o", "ß", "ss", "Æ", "ae", "Ø", "o", "đ", "d", "ł", "l")

// Slug folds text to lower-case ASCII words joined by hyphens.
func Slug(s string) string {
	s = letters.Replace(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if folded, _, err := transform.String(t, s); err == nil {
		s = folded
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func (x *ids) Generate(value []byte, _ ast.NodeKind) []byte {
	base := Slug(string(value))
	if base == "" {
		base = "avsnitt"
	}
	id := base
	for i := 1; x.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	x.used[id] = true
	return []byte(id)
}

func (x *ids) Put(value []byte) { x.used[string(value)] = true }
