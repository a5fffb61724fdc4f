// Package redirect decides where Torg may send a browser: only to a path on
// its own site, whatever a request asked for.
package redirect

import (
	"net/url"
	"path"
	"strings"
)

// Local returns target as a path on this site, cleaned ("/a/./b/" becomes
// "/a/b") with its query and fragment kept, or "/" when target could lead
// anywhere else: it must start with one slash, and neither it nor its
// percent-decoded path may hold a backslash or a control character, or
// start with "//" (a browser reads "//host", "/\host" and "/\t/host" as
// another site). Every redirect to a place a request named goes through it.
func Local(target string) string {
	if !strings.HasPrefix(target, "/") || unsafeText(target) {
		return "/"
	}
	p, rest := target, ""
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		p, rest = target[:i], target[i:]
	}
	// Decode until nothing changes (a few rounds at most): whatever a
	// later step decodes must be as harmless as what was sent.
	for d, round := p, 0; ; round++ {
		if strings.HasPrefix(d, "//") || unsafeText(d) || round == 4 {
			return "/"
		}
		next, err := url.PathUnescape(d)
		if err != nil {
			return "/"
		}
		if next == d {
			break
		}
		d = next
	}
	p = path.Clean(p)
	if strings.HasPrefix(p, "//") {
		return "/"
	}
	u, err := url.Parse(p + rest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return p + rest
}

// unsafeText tells whether s holds a backslash or a control character,
// which browsers drop or read as a slash.
func unsafeText(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r == '\\' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
	})
}
