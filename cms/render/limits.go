package render

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Limits bound the work of rendering one document. goldmark takes time
// that grows with the square of some inputs (deeply nested quotes, many
// emphasis marks or link openings in one paragraph); within these limits
// every document renders in time linear in its size, and a document
// beyond them is refused rather than rendered differently.
type Limits struct {
	MaxBytes int           // the Markdown itself
	MaxDepth int           // quotes and lists nested in one another
	MaxMarks int           // emphasis, strikethrough and code marks in one paragraph, heading or table cell
	MaxLinks int           // link destinations ("](", "][") and link definitions in one paragraph
	MaxTime  time.Duration // a backstop: no document should come near it
}

// DefaultLimits are far above what a page of an intranet needs: the
// largest pages are tens of KB, nest two or three levels and have a few
// marks a paragraph.
var DefaultLimits = Limits{
	MaxBytes: 512 << 10,
	MaxDepth: 32,
	MaxMarks: 128,
	MaxLinks: 128,
	MaxTime:  2 * time.Second,
}

// What a LimitError is about.
const (
	LimitSize  = "size"
	LimitDepth = "depth"
	LimitMarks = "marks"
	LimitLinks = "links"
	LimitTime  = "time"
)

// ErrLimit matches every LimitError with errors.Is.
var ErrLimit = errors.New("the Markdown is beyond what Torg renders")

// LimitError says which limit a document broke, and where.
type LimitError struct {
	Limit string // LimitSize, LimitDepth, …
	Max   int    // the limit (bytes, levels or marks; milliseconds for LimitTime)
	Line  int    // the line inside the Markdown given to Render, from 1; 0 for the whole document
}

func (e *LimitError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.What())
	}
	return e.What()
}

// What says which limit was broken, without the line.
func (e *LimitError) What() string {
	var what string
	switch e.Limit {
	case LimitSize:
		what = fmt.Sprintf("the Markdown is larger than %d KB", e.Max>>10)
	case LimitDepth:
		what = fmt.Sprintf("quotes and lists are nested more than %d deep", e.Max)
	case LimitMarks:
		what = fmt.Sprintf("more than %d emphasis or code marks in one paragraph", e.Max)
	case LimitLinks:
		what = fmt.Sprintf("more than %d links in one paragraph", e.Max)
	default:
		what = fmt.Sprintf("rendering took longer than %d ms", e.Max)
	}
	return what
}

func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// prescan refuses, before parsing, a document that is too large or whose
// lines open more nested quotes and lists than allowed. Both are checked
// in one pass, so the check itself is linear.
func (l Limits) prescan(src []byte) *LimitError {
	if l.MaxBytes > 0 && len(src) > l.MaxBytes {
		return &LimitError{Limit: LimitSize, Max: l.MaxBytes}
	}
	if l.MaxDepth <= 0 {
		return nil
	}
	var sc depthScan
	line := 1
	for len(src) > 0 {
		end := bytes.IndexByte(src, '\n')
		if end < 0 {
			end = len(src)
		}
		if sc.line(src[:end]) > l.MaxDepth {
			return &LimitError{Limit: LimitDepth, Max: l.MaxDepth, Line: line}
		}
		if end < len(src) {
			end++
		}
		src = src[end:]
		line++
	}
	return nil
}

// depthScan estimates, line by line and from above, how deep quotes and
// lists are nested: the quote markers that open a line, plus the list
// items whose content column a list marker reaches. It never counts less
// than goldmark nests, so goldmark never parses deeper than the limit.
type depthScan struct {
	items []int // content columns of the list items that may be open
	// The last thematic-break test failed for char notC at offset notAt,
	// so a later test of the same line and char can fail at once.
	notC  byte
	notAt int
}

func (d *depthScan) line(line []byte) int {
	quotes, i, col := 0, 0, 0
	d.notC = 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			if line[i] == '\t' {
				col += 4 - col%4
			} else {
				col++
			}
			i++
		}
		if i >= len(line) {
			return quotes + len(d.items)
		}
		width := 0
		switch c := line[i]; {
		case c == '>':
			quotes++
			i++
			col++
			continue
		case c == '-' || c == '+' || c == '*':
			if i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' && line[i+1] != '\r' {
				return quotes + len(d.items)
			}
			if d.thematicBreak(line, i) {
				return quotes + len(d.items)
			}
			width = 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 10 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j >= len(line) || (line[j] != '.' && line[j] != ')') || (j+1 < len(line) && line[j+1] != ' ' && line[j+1] != '\t') {
				return quotes + len(d.items)
			}
			width = j + 1 - i
		default:
			return quotes + len(d.items)
		}
		// A marker left of an item's content ends that item.
		for len(d.items) > 0 && d.items[len(d.items)-1] > col {
			d.items = d.items[:len(d.items)-1]
		}
		i += width
		col += width
		d.items = append(d.items, col+1)
	}
}

// thematicBreak reports whether line holds only line[i] and spaces from
// i on ("* * *"); a failed test is remembered, so a line of many markers
// is tested in linear time.
func (d *depthScan) thematicBreak(line []byte, i int) bool {
	c := line[i]
	if c == d.notC && i < d.notAt {
		return false
	}
	for k := i; k < len(line); k++ {
		if b := line[k]; b != c && b != ' ' && b != '\t' && b != '\r' {
			d.notC, d.notAt = c, k
			return false
		}
	}
	return true
}

var budgetKey = parser.NewContextKey()

// budget counts, per block, the inline constructs whose cost in goldmark
// grows with the number of them in the same block, and watches the clock.
type budget struct {
	limits   Limits
	src      []byte
	deadline time.Time
	block    ast.Node
	marks    int
	code     int
	links    int
	calls    int
	err      *LimitError
}

func budgetOf(pc parser.Context) *budget {
	b, _ := pc.Get(budgetKey).(*budget)
	return b
}

// allow reports whether one more construct of the kind may be parsed in
// block parent at the reader's position; once a limit is broken, nothing is.
func (b *budget) allow(parent ast.Node, reader text.Reader, limit string) bool {
	if b.err != nil {
		return false
	}
	if parent != b.block {
		b.block, b.marks, b.code, b.links = parent, 0, 0, 0
	}
	b.calls++
	if b.calls%64 == 0 && !b.deadline.IsZero() && time.Now().After(b.deadline) {
		b.fail(LimitTime, int(b.limits.MaxTime/time.Millisecond), reader)
		return false
	}
	switch limit {
	case LimitMarks:
		if b.limits.MaxMarks > 0 && (b.marks >= b.limits.MaxMarks || b.code >= b.limits.MaxMarks) {
			b.fail(LimitMarks, b.limits.MaxMarks, reader)
			return false
		}
	case LimitLinks:
		if b.limits.MaxLinks > 0 && b.links >= b.limits.MaxLinks {
			b.fail(LimitLinks, b.limits.MaxLinks, reader)
			return false
		}
	}
	return true
}

func (b *budget) fail(limit string, max int, reader text.Reader) {
	_, seg := reader.Position()
	b.err = &LimitError{Limit: limit, Max: max, Line: lineAt(b.src, seg.Start)}
}

// late reports, between steps after parsing, whether the deadline passed.
func (b *budget) late() *LimitError {
	if b.err == nil && !b.deadline.IsZero() && time.Now().After(b.deadline) {
		b.err = &LimitError{Limit: LimitTime, Max: int(b.limits.MaxTime / time.Millisecond)}
	}
	return b.err
}

// markParser bounds the emphasis and strikethrough marks of a block:
// goldmark matches each closing mark against every opening mark before it.
type markParser struct{ parser.InlineParser }

func (p markParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b != nil && !b.allow(parent, block, LimitMarks) {
		return nil
	}
	n := p.InlineParser.Parse(parent, block, pc)
	if n != nil && b != nil {
		b.marks++
	}
	return n
}

// codeParser bounds the code spans of a block: goldmark looks for the
// closing backticks of each opening run up to the end of the block.
type codeParser struct{ parser.InlineParser }

func (p codeParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b != nil {
		if !b.allow(parent, block, LimitMarks) {
			return nil
		}
		b.code++
	}
	return p.InlineParser.Parse(parent, block, pc)
}

// refParser bounds the link reference definitions of a paragraph:
// goldmark takes each one out of the paragraph by copying the rest.
type refParser struct{ parser.ParagraphTransformer }

func (p refParser) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	if b := budgetOf(pc); b != nil && b.limits.MaxLinks > 0 {
		lines, defs := node.Lines(), 0
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			if v := bytes.TrimLeft(seg.Value(reader.Source()), " \t"); len(v) > 0 && v[0] == '[' {
				defs++
			}
		}
		if defs > b.limits.MaxLinks {
			if b.err == nil {
				b.err = &LimitError{Limit: LimitLinks, Max: b.limits.MaxLinks, Line: lineAt(b.src, lines.At(0).Start)}
			}
			return
		}
	}
	p.ParagraphTransformer.Transform(node, reader, pc)
}

// linkParser bounds the link destinations of a block: goldmark looks for
// the end of each destination or title up to the end of the line or block.
type linkParser struct{ parser.InlineParser }

func (p linkParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b != nil {
		line, _ := block.PeekLine()
		opens := len(line) > 0 && line[0] == ']'
		if opens && !b.allow(parent, block, LimitLinks) {
			return nil
		}
		if opens {
			b.links++
		}
	}
	return p.InlineParser.Parse(parent, block, pc)
}

func (p linkParser) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	if cb, ok := p.InlineParser.(parser.CloseBlocker); ok {
		cb.CloseBlock(parent, block, pc)
	}
}

// lineAt is the line of byte offset off in src, from 1.
func lineAt(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		return 0
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}
