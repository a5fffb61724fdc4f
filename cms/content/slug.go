package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// nordic folds the letters of the Nordic languages that have no accent to strip.
var nordic = map[rune]string{'æ': "ae", 'ø': "o", 'ß': "ss", 'đ': "d", 'ł': "l", 'þ': "th", 'ð': "d"}

// Slug folds text to lower-case ASCII words joined by hyphens, for
// addresses people may type: "Glömt lösenord?" becomes "glomt-losenord".
// Accented letters lose their accents (å → a, ö → o, é → e), æ becomes
// ae and ø o; letters outside the Latin script are left out.
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
