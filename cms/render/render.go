// Package render turns Markdown into HTML through one goldmark pipeline:
// GFM, heading IDs, a table of contents, FAQ entries, links between
// Markdown files rewritten to page URLs, and raw HTML escaped unless a
// source allows it, in which case it is sanitised.
package render

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
)

// Heading is one entry of a table of contents.
type Heading struct {
	Level int    `json:"level"`
	ID    string `json:"id"`
	Text  string `json:"text"`
}

// QA is one FAQ entry: a "## heading" and the text under it.
type QA struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer_html"`
	Text     string `json:"-"` // the answer as plain text, for search
}

// LinkProblem is a link or image that leads nowhere.
type LinkProblem struct {
	Line    int // the line inside the Markdown given to Render, from 1
	Message string
}

// Doc is a rendered Markdown document.
type Doc struct {
	HTML     string    // the whole body
	Intro    string    // the body before the first "## heading"
	Title    string    // the text of a "# heading" that opened the body (removed from HTML)
	TOC      []Heading // level 2 and 3 headings
	FAQ      []QA      // one per "## heading"
	Text     string    // the body as plain text, for search and summaries
	Refs     []string  // the resolved paths of local links and images
	External []string  // the http and https links and images that leave the site
	Problems []LinkProblem
}

// links resolves the links of one document as it is rendered.
type links struct {
	doc      *Doc
	resolve  Resolver
	src      []byte
	lines    lines           // where the lines of src start
	external map[string]bool // doc.External as a set
}

// Resolver maps a link or image destination written in the Markdown to the
// URL it should have. It returns the destination unchanged for external
// links, and an error for a local link that leads nowhere.
type Resolver func(dest string, image bool) (url string, local bool, err error)

// Renderer renders Markdown. It is safe for concurrent use.
type Renderer struct {
	safe   goldmark.Markdown // raw HTML escaped
	unsafe goldmark.Markdown // raw HTML kept, then sanitised
	policy *bluemonday.Policy
	limits Limits
}

// New returns a Renderer with Torg's pipeline and DefaultLimits.
func New() *Renderer { return NewWithLimits(DefaultLimits) }

// NewWithLimits returns a Renderer with Torg's pipeline and the given
// limits; a zero field means no limit of that kind.
func NewWithLimits(l Limits) *Renderer {
	opts := []goldmark.Option{
		goldmark.WithParser(newParser()),
		goldmark.WithExtensions(
			// GFM, with table alignment as attributes: style attributes would
			// need a Content-Security-Policy that allows inline styles.
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Linkify, extension.TaskList,
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	}
	safe := goldmark.New(append(opts, goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(escapeRawHTML{}, 100), util.Prioritized(taskBox{}, 100),
			util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500)),
	))...)
	unsafe := goldmark.New(append(opts, goldmark.WithRendererOptions(ghtml.WithUnsafe(),
		renderer.WithNodeRenderers(util.Prioritized(taskBox{}, 100),
			util.Prioritized(extension.NewStrikethroughHTMLRenderer(ghtml.WithUnsafe()), 500)),
	))...)
	return &Renderer{safe: safe, unsafe: unsafe, policy: sanitiser(), limits: l}
}

// newParser is goldmark's default parser plus strikethrough, with the
// parsers whose work grows with the square of what one block holds
// (emphasis, strikethrough, code spans, links, link definitions) counted
// against the Limits.
func newParser() parser.Parser {
	var inline []util.PrioritizedValue
	for _, v := range parser.DefaultInlineParsers() {
		switch p := v.Value.(parser.InlineParser); string(p.Trigger()) {
		case "*_":
			v.Value = markParser{p}
		case "![]":
			v.Value = linkParser{p}
		case "`":
			v.Value = codeParser{p}
		}
		inline = append(inline, v)
	}
	inline = append(inline, util.Prioritized(markParser{extension.NewStrikethroughParser()}, 500))
	return parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(inline...),
		parser.WithParagraphTransformers(util.Prioritized(refParser{parser.LinkReferenceParagraphTransformer}, 100)),
	)
}

// sanitiser allows what Markdown itself produces plus ordinary formatting,
// and nothing that runs: no script, no event handlers, no javascript: URLs.
func sanitiser() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("id").OnElements("h1", "h2", "h3", "h4", "h5", "h6", "section", "div", "span", "a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^task-box$`)).OnElements("span")
	p.AllowElements("details", "summary", "figure", "figcaption", "mark", "abbr")
	p.AllowAttrs("type").Matching(bluemonday.SpaceSeparatedTokens).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowAttrs("align").OnElements("td", "th")
	p.RequireNoFollowOnLinks(false)
	return p
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render renders src. allowHTML keeps raw HTML, sanitised; otherwise it is
// escaped and shown as text. A document beyond the Renderer's Limits is
// refused with a *LimitError.
func (r *Renderer) Render(src []byte, allowHTML bool, resolve Resolver) (*Doc, error) {
	if err := r.limits.prescan(src); err != nil {
		return nil, err
	}
	md := r.safe
	if allowHTML {
		md = r.unsafe
	}
	pctx := parser.NewContext(parser.WithIDs(newIDs()))
	b := &budget{limits: r.limits, src: src}
	if r.limits.MaxTime > 0 {
		b.deadline = time.Now().Add(r.limits.MaxTime)
	}
	pctx.Set(budgetKey, b)
	root := md.Parser().Parse(text.NewReader(src), parser.WithContext(pctx))
	if err := b.late(); err != nil {
		return nil, err
	}
	doc := &Doc{}
	ls := &links{doc: doc, resolve: resolve, src: src, lines: newLines(src), external: map[string]bool{}}

	// A "# heading" that opens the document is its title, shown by the template.
	if first := root.FirstChild(); first != nil {
		if h, ok := first.(*ast.Heading); ok && h.Level == 1 {
			doc.Title = plainText(h, src)
			root.RemoveChild(root, h)
		}
	}

	depth := 0
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Kind() == ast.KindBlockquote || n.Kind() == ast.KindList {
			if !entering {
				depth--
				return ast.WalkContinue, nil
			}
			// The prescan estimates the nesting; this is what goldmark made.
			if depth++; r.limits.MaxDepth > 0 && depth > r.limits.MaxDepth {
				return ast.WalkStop, &LimitError{Limit: LimitDepth, Max: r.limits.MaxDepth, Line: ls.lines.at(blockStart(n))}
			}
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 2 || n.Level == 3 {
				doc.TOC = append(doc.TOC, Heading{Level: n.Level, ID: attr(n, "id"), Text: plainText(n, src)})
			}
		case *ast.Link:
			n.Destination = ls.rewrite(n, n.Destination, false)
		case *ast.Image:
			n.Destination = ls.rewrite(n, n.Destination, true)
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, err
	}

	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	// goldmark wraps any writer that is not buffered in a new bufio.Writer per
	// call; one writer for all blocks avoids that.
	w := bufio.NewWriter(buf)
	var all, intro strings.Builder
	var qa *QA
	var answer, answerText strings.Builder
	flush := func() {
		if qa != nil {
			qa.Answer = r.clean(answer.String(), allowHTML)
			qa.Text = strings.TrimSpace(answerText.String())
			doc.FAQ = append(doc.FAQ, *qa)
			qa = nil
		}
		answer.Reset()
		answerText.Reset()
	}
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if err := b.late(); err != nil {
			return nil, err
		}
		buf.Reset()
		if err := md.Renderer().Render(w, src, n); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		all.Write(buf.Bytes())
		if h, ok := n.(*ast.Heading); ok && h.Level <= 2 {
			flush()
			if h.Level == 2 {
				qa = &QA{ID: attr(h, "id"), Question: plainText(h, src)}
			}
			continue
		}
		if qa != nil {
			answer.Write(buf.Bytes())
			writeText(&answerText, n, src)
		} else if len(doc.FAQ) == 0 {
			intro.Write(buf.Bytes())
		}
	}
	flush()
	doc.HTML = r.clean(all.String(), allowHTML)
	doc.Intro = r.clean(intro.String(), allowHTML)
	var allText strings.Builder
	writeText(&allText, root, src)
	doc.Text = strings.TrimSpace(allText.String())
	if err := b.late(); err != nil {
		return nil, err
	}
	return doc, nil
}

func (r *Renderer) clean(s string, allowHTML bool) string {
	if !allowHTML {
		return s
	}
	return r.policy.Sanitize(s)
}

// rewrite resolves the destination of link or image n, and notes a local
// reference, an external link or a link that leads nowhere.
func (ls *links) rewrite(n ast.Node, dest []byte, image bool) []byte {
	if ls.resolve == nil || len(dest) == 0 {
		return dest
	}
	doc := ls.doc
	url, local, err := ls.resolve(string(dest), image)
	if err != nil {
		doc.Problems = append(doc.Problems, LinkProblem{Line: ls.lines.at(n.Pos()), Message: err.Error()})
		return dest
	}
	if local {
		doc.Refs = append(doc.Refs, url)
	} else if (strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) && !ls.external[url] {
		ls.external[url] = true
		doc.External = append(doc.External, url)
	}
	return []byte(url)
}

// lines are the offsets where the lines of a source start, to find the
// line of an offset in logarithmic time.
type lines []int

func newLines(src []byte) lines {
	ls := lines{0}
	for i, c := range src {
		if c == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

// at is the line, from 1, of byte offset off; 0 for an unknown offset.
func (ls lines) at(off int) int {
	if off < 0 {
		return 0
	}
	line, _ := slices.BinarySearch(ls, off+1)
	return line
}

// blockStart is the offset where block n begins, or -1.
func blockStart(n ast.Node) int {
	if n.Pos() >= 0 {
		return n.Pos()
	}
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			return c.Lines().At(0).Start
		}
	}
	return -1
}

func attr(n ast.Node, name string) string {
	v, ok := n.AttributeString(name)
	if !ok {
		return ""
	}
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// plainText is the text of an inline tree, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			if c.IsRaw() {
				b.Write(c.Segment.Value(src))
			} else {
				b.Write(unescape(c.Segment.Value(src)))
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			if c.IsCode() || c.IsRaw() {
				b.Write(c.Value)
			} else {
				b.Write(unescape(c.Value))
			}
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			b.Write(c.URL(src))
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// writeText writes the text of block n and the blocks in it to b, one
// block a line: what a reader sees, without markup.
func writeText(b *strings.Builder, n ast.Node, src []byte) {
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock:
			if t := plainText(n, src); t != "" {
				b.WriteString(t)
				b.WriteByte('\n')
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			writeHTMLText(b, n, src)
			return ast.WalkSkipChildren, nil
		}
		if n.Kind() == east.KindTableCell {
			if t := plainText(n, src); t != "" {
				b.WriteString(t)
				b.WriteByte('\n')
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// writeHTMLText writes the text between the tags of a raw HTML block, one
// line, leaving out scripts and styles.
func writeHTMLText(b *strings.Builder, n *ast.HTMLBlock, src []byte) {
	var raw bytes.Buffer
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		raw.Write(seg.Value(src))
	}
	if n.HasClosure() {
		raw.Write(n.ClosureLine.Value(src))
	}
	z := xhtml.NewTokenizer(&raw)
	var words []string
	skip := false
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if len(words) > 0 {
				b.WriteString(strings.Join(words, " "))
				b.WriteByte('\n')
			}
			return
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			skip = string(name) == "script" || string(name) == "style"
		case xhtml.EndTagToken:
			skip = false
		case xhtml.TextToken:
			if t := strings.Join(strings.Fields(string(z.Text())), " "); t != "" && !skip {
				words = append(words, t)
			}
		}
	}
}

// unescape turns Markdown's backslash escapes and HTML character
// references in text into the characters they stand for.
func unescape(v []byte) []byte {
	var out []byte
	start := 0
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && util.IsPunct(v[i+1]) {
			out = append(out, util.ResolveNumericReferences(util.ResolveEntityNames(v[start:i]))...)
			out = append(out, v[i+1])
			i++
			start = i + 1
		}
	}
	return append(out, util.ResolveNumericReferences(util.ResolveEntityNames(v[start:]))...)
}

// escapeRawHTML shows raw HTML in Markdown as text, so that an author's
// markup can neither run nor break the page.
// taskBox renders "- [ ]" and "- [x]" as ballot-box characters rather
// than disabled checkboxes: a form control needs a label, and a list item
// cannot be one; screen readers name the characters, state included.
type taskBox struct{}

func (taskBox) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			box := "☐"
			if n.(*east.TaskCheckBox).IsChecked {
				box = "☑"
			}
			_, _ = w.WriteString(`<span class="task-box">` + box + "</span> ")
		}
		return ast.WalkContinue, nil
	})
}

type escapeRawHTML struct{}

func (escapeRawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := 0; i < segs.Len(); i++ {
				seg := segs.At(i)
				_, _ = w.WriteString(html.EscapeString(string(seg.Value(src))))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		var raw strings.Builder
		for i := 0; i < b.Lines().Len(); i++ {
			seg := b.Lines().At(i)
			raw.Write(seg.Value(src))
		}
		if b.HasClosure() {
			cl := b.ClosureLine
			raw.Write(cl.Value(src))
		}
		_, _ = w.WriteString("<p>" + html.EscapeString(strings.TrimRight(raw.String(), "\n")) + "</p>\n")
		return ast.WalkSkipChildren, nil
	})
}
