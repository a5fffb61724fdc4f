package render

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzRenderSanitised renders Markdown with raw HTML allowed: whatever
// comes in, no script, event handler or script URL comes out.
func FuzzRenderSanitised(f *testing.F) {
	for _, s := range []string{
		"<script>alert(1)</script>",
		`<img src=x onerror="alert(1)">`,
		`[a](javascript:alert(1))`,
		`<a href="jAvAsCrIpT:alert(1)">x</a>`,
		"<svg><script>alert(1)</script></svg>",
		"<iframe src=//evil.example></iframe>",
		"<details open ontoggle=alert(1)>",
		"# Rubrik\n\n| a | b |\n|---|---|\n| <b onmouseover=x>c</b> | d |\n",
		"<style>body{}</style><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
		"![x](\"onerror=alert(1))",
	} {
		f.Add(s)
	}
	// The worst cases for goldmark's time, small: refused or rendered, fast.
	for _, c := range worstCases {
		f.Add(c.make(4 << 10))
	}
	r := New()
	f.Fuzz(func(t *testing.T, md string) {
		for _, allow := range []bool{true, false} {
			doc, err := r.Render([]byte(md), allow, nil)
			if err != nil {
				continue
			}
			z := html.NewTokenizer(strings.NewReader(doc.HTML))
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					break
				}
				tok := z.Token()
				if tok.Type != html.StartTagToken && tok.Type != html.SelfClosingTagToken {
					continue
				}
				switch tok.Data {
				case "script", "iframe", "object", "embed", "style", "form", "base", "meta", "link":
					t.Fatalf("<%s> survived (raw HTML %v):\n%s", tok.Data, allow, doc.HTML)
				}
				for _, a := range tok.Attr {
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcdoc" ||
						((a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:text"))) {
						t.Fatalf("%s=%q survived on <%s> (raw HTML %v):\n%s", a.Key, a.Val, tok.Data, allow, doc.HTML)
					}
				}
			}
		}
	})
}
