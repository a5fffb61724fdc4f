package render

import (
	"strconv"

	"github.com/yuin/goldmark/ast"

	"github.com/torg-cms/torg/cms/content"
)

// ids makes heading anchors that survive being typed in a URL: lower case
// ASCII, so "Glömt lösenord?" becomes "glomt-losenord".
type ids struct {
	used map[string]bool
	next map[string]int // the suffix to try next for a repeated base
}

func newIDs() *ids { return &ids{used: map[string]bool{}, next: map[string]int{}} }

func (x *ids) Generate(value []byte, _ ast.NodeKind) []byte {
	base := content.Slug(string(value))
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
