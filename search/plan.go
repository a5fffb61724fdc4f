package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2/roaring64"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// What one query may ask of the index is bounded, so that the costliest
// query one can type costs a few typical ones, not hundreds: every word
// more is one more list to walk in each of the fallbacks, and every typo
// forgiven is a walk of the dictionary. The README's Search section states
// these as rules.
const (
	// MaxWords is how many words of a query count, a quoted phrase as
	// one; words too common to search for (och, att) are not counted.
	// The rest are ignored, and the result names them.
	MaxWords = 8
	// maxTypoWords is how many words may have their typos forgiven: the
	// first ones that are in no page the reader may see.
	maxTypoWords = 3
	// maxWordLength is the longest word, in letters, that is forgiven
	// typos or split into the parts of a compound; a longer one is
	// matched as written.
	maxWordLength = 30
	// maxSpellings is how many words of the pages a typo may stand for,
	// in each field, the nearest first.
	maxSpellings = 10
)

// plan is one search's view of the index: the snapshot it reads, the docs
// the reader may see in it, the words that count, and what it has already
// looked up. Whether a word occurs, and what a typo stands for, are
// decided from the docs the reader may see only, so that a page hidden
// from them changes nothing they find.
type plan struct {
	ctx  context.Context // the search's, for the lookups
	x    *Index
	r    index.IndexReader
	seen *roaring64.Bitmap

	terms   []string // the words that count, as typed
	phrases []string
	ignored []string        // words and "phrases" past MaxWords
	typos   map[string]bool // folded words whose typos are forgiven

	known     map[string]bool // field, NUL, term: in a doc the reader may see
	spellings map[string][]spelling
	// walks counts the dictionary walks for typos, and ran keeps the
	// text queries run, for the tests.
	walks int
	ran   []query.Query
}

// spelling is a word of the pages a typo may stand for.
type spelling struct {
	term  string
	edits uint8
}

// newPlan reads a query for one reader, in the snapshot the search will
// run on. Close it when the search is done.
func (x *Index) newPlan(ctx context.Context, r Request) (*plan, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, err
	}
	rd, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	seen, err := x.visible(ctx, rd, x.idx.Mapping(), r.Viewer, r.Now)
	if err != nil {
		rd.Close()
		return nil, err
	}
	p := &plan{ctx: ctx, x: x, r: rd, seen: seen, typos: map[string]bool{}, known: map[string]bool{}, spellings: map[string][]spelling{}}
	terms, phrases := words(r.Query)
	for _, ph := range phrases {
		if len(p.phrases) < MaxWords {
			p.phrases = append(p.phrases, ph)
		} else {
			p.ignored = append(p.ignored, `"`+ph+`"`)
		}
	}
	// The words that say something come first; little words (och, jag,
	// the) fill what room is left, and go unmentioned when there is none.
	var searchable []string
	for _, w := range terms {
		if p.wordQuery(w, false, 0, false) != nil || len(r.Synonyms[w]) > 0 {
			searchable = append(searchable, w) // else too common in every language to search for
		}
	}
	room := MaxWords - len(p.phrases)
	keep := make([]bool, len(searchable))
	for _, little := range []bool{false, true} {
		for i, w := range searchable {
			if x.little(w) == little && room > 0 {
				keep[i], room = true, room-1
			}
		}
	}
	for i, w := range searchable {
		switch {
		case keep[i]:
			p.terms = append(p.terms, w)
		case !x.little(w):
			p.ignored = append(p.ignored, w)
		}
	}
	for _, w := range p.terms {
		raw := fold(w)
		if n := utf8.RuneCountInString(raw); len(p.typos) < maxTypoWords && n >= typoLength && n <= maxWordLength && !p.occurs(raw) {
			p.typos[raw] = true
		}
	}
	return p, nil
}

func (p *plan) close() error { return p.r.Close() }

// little tells a word too common to search for in one of the languages.
func (x *Index) little(w string) bool {
	for g, an := range queryAnalyzers {
		if (x.groups == nil || x.groups[g] > 0) && x.analyze(an, w) == "" {
			return true
		}
	}
	return false
}

// occurs tells whether a folded word occurs as written in a doc the reader
// may see.
func (p *plan) occurs(raw string) bool { return p.visibleIn("raw", raw) }

// visibleIn tells whether a term of a field is in a doc the reader may see.
func (p *plan) visibleIn(field, term string) bool {
	key := field + "\x00" + term
	if k, ok := p.known[key]; ok {
		return k
	}
	k := p.lookUp(field, term)
	p.known[key] = k
	return k
}

func (p *plan) lookUp(field, term string) bool {
	tfr, err := p.r.TermFieldReader(p.ctx, []byte(term), field, false, false, false)
	if err != nil {
		return false
	}
	defer tfr.Close()
	var d index.TermFieldDoc
	for {
		got, err := tfr.Next(&d)
		if err != nil || got == nil {
			return false
		}
		if p.seen.Contains(got.ID.Value()) {
			return true
		}
	}
}

// spell finds the words of the pages the reader may see that a typo may
// stand for: at most maxSpellings, the nearest first, looked up once per
// search however often the word is used. The titles' words are among them,
// since "raw" holds the title too.
func (p *plan) spell(raw string) []spelling {
	const field = "raw"
	if s, ok := p.spellings[raw]; ok {
		return s
	}
	var out []spelling
	defer func() { p.spellings[raw] = out }()
	fr, ok := p.r.(index.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	p.walks++
	_, size := utf8.DecodeRuneInString(raw) // the first letter is rarely the typo
	dict, _, err := fr.FieldDictFuzzyAutomaton(field, raw, fuzziness(utf8.RuneCountInString(raw)), raw[:size])
	if err != nil {
		return nil
	}
	defer dict.Close()
	var all []spelling
	for e, err := dict.Next(); err == nil && e != nil; e, err = dict.Next() {
		all = append(all, spelling{term: e.Term, edits: e.EditDistance})
	}
	slices.SortStableFunc(all, func(a, b spelling) int {
		if a.edits != b.edits {
			return int(a.edits) - int(b.edits)
		}
		return strings.Compare(a.term, b.term)
	})
	for _, s := range all {
		if len(out) == maxSpellings {
			break
		}
		if p.visibleIn(field, s.term) {
			out = append(out, s)
		}
	}
	return out
}
