package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/torg-cms/torg/cms/access"
)

// MaxQueryLength bounds a query, in characters.
const MaxQueryLength = 200

// ErrBadQuery is a query that cannot be run; its message says why.
var ErrBadQuery = errors.New("bad query")

// Request is one search.
type Request struct {
	Query   string
	Viewer  access.Viewer
	Now     time.Time
	Type    string
	Section string
	Tag     string
	Lang    string
	Sort    string // "relevance" (default) or "date"
	Limit   int
	Cursor  string
	// Synonyms expand words of the query: {"lönespec": ["lönebesked"]}.
	Synonyms map[string][]string
	// NoFacets leaves out the counts per type, section and language, for
	// callers that do not show them; they cost a look at every hit.
	NoFacets bool
}

// Hit is one result.
type Hit struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Type    string    `json:"type"`
	URL     string    `json:"url"`
	Title   string    `json:"title"`
	Summary string    `json:"summary,omitempty"`
	Snippet string    `json:"snippet,omitempty"` // HTML with <mark>, escaped otherwise
	Lang    string    `json:"lang"`
	Section string    `json:"section,omitempty"`
	Date    time.Time `json:"date,omitzero"`
	Score   float64   `json:"score"`
}

// FacetValue is a term and how many hits have it.
type FacetValue struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Result is one page of hits, with totals and facets over everything the
// viewer may see that matches.
type Result struct {
	Total      uint64                  `json:"total"`
	Hits       []Hit                   `json:"hits"`
	Facets     map[string][]FacetValue `json:"facets"`
	NextCursor string                  `json:"next_cursor,omitempty"`
	// Ignored are the words and "phrases" past the ones that count.
	Ignored []string      `json:"ignored,omitempty"`
	Took    time.Duration `json:"-"`
}

// Validate checks a request and fills defaults.
func (r *Request) Validate() error {
	r.Query = strings.TrimSpace(r.Query)
	switch {
	case r.Query == "":
		return fmt.Errorf("%w: type something to search for", ErrBadQuery)
	case utf8.RuneCountInString(r.Query) > MaxQueryLength:
		return fmt.Errorf("%w: the query is longer than %d characters", ErrBadQuery, MaxQueryLength)
	case r.Sort != "" && r.Sort != "relevance" && r.Sort != "date":
		return fmt.Errorf("%w: sort must be relevance or date", ErrBadQuery)
	case r.Limit < 0 || r.Limit > 50:
		return fmt.Errorf("%w: limit must be from 1 to 50", ErrBadQuery)
	}
	if r.Limit == 0 {
		r.Limit = 10
	}
	return nil
}

// hyphenated returns the words of q written with a hyphen (e-portal).
func hyphenated(q string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(q)) {
		f = strings.Trim(f, `"'.,;:!?()`)
		if strings.Contains(f, "-") && !strings.HasPrefix(f, "-") && !strings.HasSuffix(f, "-") {
			out = append(out, f)
		}
	}
	return out
}

// words splits a query into words and "quoted phrases".
func words(q string) (terms []string, phrases []string) {
	for {
		i := strings.IndexByte(q, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(q[i+1:], '"')
		if j < 0 {
			q = q[:i] + " " + q[i+1:]
			break
		}
		if p := strings.TrimSpace(q[i+1 : i+1+j]); p != "" {
			phrases = append(phrases, p)
		}
		q = q[:i] + " " + q[i+1+j+1:]
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		// Single letters (the e of e-post) say nothing on their own.
		if utf8.RuneCountInString(w) > 1 {
			terms = append(terms, w)
		}
	}
	return terms, phrases
}

// analyze runs one word through an analyzer; "" when it is a stop word.
func (x *Index) analyze(analyzer, word string) string {
	a := x.idx.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return word
	}
	toks := a.Analyze([]byte(word))
	if len(toks) == 0 {
		return ""
	}
	return string(toks[0].Term)
}

var queryAnalyzers = map[string]string{"sv": analyzerSVQuery, "no": analyzerNOQuery, "en": analyzerEN}

// bodyAnalyzers analyse a query word for the body fields, which fold diacritics.
var bodyAnalyzers = map[string]string{"sv": analyzerSVBodyQuery, "no": analyzerNOBodyQuery, "en": analyzerEN}

// wordQuery finds one word in any language: the exact stemmed form ranks
// highest, then the form without diacritics, then a typo (in the words the
// plan forgives typos), and, for the last word typed, words it begins.
func (p *plan) wordQuery(word string, last bool, depth int, fuzzy bool) query.Query {
	x := p.x
	var alts []query.Query
	add := func(q query.Query) { alts = append(alts, q) }
	term := func(field, t string, boost float64) {
		q := query.NewTermQuery(t)
		q.SetField(field)
		q.SetBoost(boost)
		add(q)
	}
	for g, an := range queryAnalyzers {
		if x.groups != nil && x.groups[g] == 0 {
			continue // no doc in this language
		}
		t := x.analyze(an, word)
		if t == "" {
			continue
		}
		// The body holds the summary too.
		term("title_"+g, t, 6)
		if bt := x.analyze(bodyAnalyzers[g], word); bt != "" {
			term("body_"+g, bt, 1.5)
		}
	}
	if depth > 0 {
		// A part of a compound: its title and body are enough to find it
		// (the body holds the summary and is folded), and each field more
		// is one more list to walk for every part.
		if len(alts) == 0 {
			return nil
		}
		return query.NewDisjunctionQuery(alts)
	}
	if ft := x.analyze(analyzerFoldQ, fold(word)); ft != "" {
		term("fold_title", ft, 4)
		term("fold_kw", ft, 8)
		// The last word may be one still being typed, when it is short and
		// occurs nowhere as written: it finds the titles it begins too.
		if n := utf8.RuneCountInString(ft); last && n >= 3 && n <= 6 && !p.occurs(fold(word)) {
			pq := query.NewPrefixQuery(fold(word))
			pq.SetField("fold_title")
			pq.SetBoost(0.8)
			add(pq)
		}
	}
	// Typos, on the words as written, in the words the plan chose: the
	// words of the pages the reader may see that are one or two letters
	// away, nearer ones higher.
	if raw := fold(word); fuzzy && p.typos[raw] {
		for _, f := range []struct {
			name  string
			boost float64
		}{{"raw_title", 1.2}, {"raw", 0.4}} {
			var near []query.Query
			for _, s := range p.spell(raw) {
				if f.name != "raw" && !p.visibleIn(f.name, s.term) {
					continue
				}
				t := query.NewTermQuery(s.term)
				t.SetField(f.name)
				t.SetBoost(f.boost / float64(s.edits+1))
				near = append(near, t)
			}
			if len(near) > 0 {
				add(query.NewDisjunctionQuery(near))
			}
		}
	}
	// A compound typed whole also finds its parts, together, a little lower.
	if ps := parts(fold(word)); len(ps) > 1 && depth == 0 && utf8.RuneCountInString(word) <= maxWordLength {
		var each []query.Query
		for _, part := range ps {
			if q := p.wordQuery(part, false, 1, fuzzy); q != nil {
				each = append(each, q)
			}
		}
		if len(each) == len(ps) {
			c := query.NewConjunctionQuery(each)
			c.SetBoost(0.5)
			add(c)
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return query.NewDisjunctionQuery(alts)
}

// fuzziness forgives one typo in words of five to seven letters, two in
// longer ones (a swap of two letters is two edits).
func fuzziness(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// pass is how forgiving one run of a query is. The first asks for every
// word; a query of three words or more that found nothing asks again for
// all words but one; typos are forgiven last.
type pass struct{ allButOne, typos bool }

// textQuery is the user's query: every word that counts (or one of its
// synonyms) should match, and every quoted phrase must.
func (pl *plan) textQuery(q string, synonyms map[string][]string, p pass) (query.Query, error) {
	fuzzy := p.typos
	terms, phrases := pl.terms, pl.phrases
	var must []query.Query
	var should []query.Query
	for i, w := range terms {
		alts := []query.Query{}
		if wq := pl.wordQuery(w, i == len(terms)-1 && len(phrases) == 0 && len(pl.ignored) == 0, 0, fuzzy); wq != nil {
			alts = append(alts, wq)
		}
		for _, syn := range synonyms[w] {
			for _, sw := range strings.Fields(strings.ToLower(syn)) {
				if sq := pl.wordQuery(sw, false, 0, fuzzy); sq != nil {
					alts = append(alts, sq)
				}
			}
		}
		if len(alts) == 0 {
			continue
		}
		should = append(should, query.NewDisjunctionQuery(alts))
	}
	for _, p := range phrases {
		var alts []query.Query
		for g, an := range queryAnalyzers {
			for field, a := range map[string]string{"title_" + g: an, "body_" + g: bodyAnalyzers[g]} {
				mp := query.NewMatchPhraseQuery(p)
				mp.SetField(field)
				mp.Analyzer = a
				alts = append(alts, mp)
			}
		}
		must = append(must, query.NewDisjunctionQuery(alts))
	}
	if len(should) == 0 && len(must) == 0 {
		return nil, fmt.Errorf("%w: the query has only very common words; try more specific ones", ErrBadQuery)
	}
	var bonus []query.Query
	hy := hyphenated(q)
	if len(hy) > MaxWords {
		hy = hy[:MaxWords]
	}
	for _, h := range hy {
		for g, an := range queryAnalyzers {
			mp := query.NewMatchPhraseQuery(h)
			mp.SetField("title_" + g)
			mp.Analyzer = an
			mp.SetBoost(3)
			bonus = append(bonus, mp)
		}
	}
	switch {
	case p.allButOne && len(should) >= 3:
		// Each way of leaving one word out is a conjunction, which skips
		// ahead on its rarest word, instead of walking every page that has
		// any of the words.
		var ways []query.Query
		for i := range should {
			ways = append(ways, query.NewConjunctionQuery(slices.Concat(should[:i], should[i+1:])))
		}
		must = append(must, query.NewDisjunctionQuery(ways))
	default:
		// Every word: a conjunction skips ahead on its rarest word.
		must = append(must, should...)
	}
	if len(bonus) > 0 {
		return query.NewBooleanQuery(must, bonus, nil), nil
	}
	return query.NewConjunctionQuery(must), nil
}

// Filter is the access rule as a query: audience, zones, sign-in level and
// schedule, so that nothing the viewer may not see is ever counted. It
// walks the docs the viewer's class may see, worked out once per index
// snapshot (see filter.go).
func (x *Index) Filter(v access.Viewer, now time.Time) query.Query {
	return &accessQuery{x: x, v: v, now: now}
}

// facetFields are the facets every search returns.
var facetFields = []string{"type", "section", "tags", "lang"}

// Search runs a request.
func (x *Index) Search(ctx context.Context, r Request) (*Result, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	pl, err := x.newPlan(ctx, r)
	if err != nil {
		return nil, err
	}
	defer pl.close()
	return x.run(ctx, r, pl)
}

// run runs a request's passes, as its plan allows.
func (x *Index) run(ctx context.Context, r Request, pl *plan) (*Result, error) {
	res, err := x.search(ctx, r, pl, pass{})
	if err == nil && res.Total == 0 && len(pl.terms) >= 3 {
		// Long queries may miss one word.
		res, err = x.search(ctx, r, pl, pass{allButOne: true})
	}
	if err == nil && res.Total == 0 && len(pl.typos) > 0 {
		// Nothing as typed: forgive typos. Fuzzy matching costs more, so it
		// runs only when it can help: when a word is in no page the reader
		// may see. Words that are there are not typos: when they find
		// nothing together, correcting them would only find pages about
		// something else.
		res, err = x.search(ctx, r, pl, pass{allButOne: true, typos: true})
	}
	if err == nil {
		res.Ignored = pl.ignored
	}
	return res, err
}

// typoLength is the shortest word in which a typo is forgiven.
const typoLength = 5

func (x *Index) search(ctx context.Context, r Request, pl *plan, p pass) (*Result, error) {
	tq, err := pl.textQuery(r.Query, r.Synonyms, p)
	if err != nil {
		return nil, err
	}
	pl.ran = append(pl.ran, tq)
	parts := []query.Query{tq, x.Filter(r.Viewer, r.Now)}
	for field, v := range map[string]string{"type": r.Type, "section": r.Section, "tags": r.Tag, "lang": r.Lang} {
		if v != "" {
			q := query.NewTermQuery(v)
			q.SetField(field)
			q.SetBoost(0.0001)
			parts = append(parts, q)
		}
	}
	offset := 0
	if r.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(r.Cursor)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > 10000 {
			return nil, fmt.Errorf("%w: the cursor is not one this search gave out", ErrBadQuery)
		}
		offset = n
	}
	var q query.Query = query.NewConjunctionQuery(parts)
	if r.Sort != "date" {
		// News of this month and the last ranks a little higher.
		var recent []query.Query
		for _, m := range []time.Time{r.Now, r.Now.AddDate(0, -1, 0)} {
			t := query.NewTermQuery(m.UTC().Format("2006-01"))
			t.SetField("news_month")
			t.SetBoost(0.5)
			recent = append(recent, t)
		}
		q = query.NewBooleanQuery([]query.Query{q}, recent, nil)
	}
	req := bleve.NewSearchRequestOptions(q, r.Limit, offset, false)
	req.Fields = []string{"title", "summary", "url", "type", "lang", "section", "kind", "date"}
	req.Highlight = bleve.NewHighlightWithStyle(html.Name)
	for _, g := range []string{"sv", "no", "en"} {
		if x.groups == nil || x.groups[g] > 0 {
			req.Highlight.Fields = append(req.Highlight.Fields, "body_"+g)
		}
	}
	if r.Sort == "date" {
		req.SortBy([]string{"-date", "-_score", "_id"})
	} else {
		req.SortBy([]string{"-_score", "_id"})
	}
	if !r.NoFacets {
		for _, f := range facetFields {
			req.AddFacet(f, bleve.NewFacetRequest(f, 10))
		}
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Total: res.Total, Hits: []Hit{}, Facets: map[string][]FacetValue{}, Took: res.Took}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hitOf(h))
	}
	for name, fr := range res.Facets {
		vals := []FacetValue{}
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				vals = append(vals, FacetValue{Term: t.Term, Count: t.Count})
			}
		}
		out.Facets[name] = vals
	}
	if next := offset + len(res.Hits); uint64(next) < res.Total && len(res.Hits) > 0 {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(next)))
	}
	return out, nil
}

func hitOf(h *search.DocumentMatch) Hit {
	str := func(k string) string { s, _ := h.Fields[k].(string); return s }
	hit := Hit{ID: h.ID, Kind: str("kind"), Type: str("type"), URL: str("url"), Title: str("title"), Summary: str("summary"),
		Lang: str("lang"), Section: str("section"), Score: math.Round(h.Score*1000) / 1000}
	if d, ok := h.Fields["date"].(float64); ok && d > 0 {
		hit.Date = time.Unix(int64(d), 0).UTC()
	}
	for _, field := range []string{"body_sv", "body_no", "body_en"} {
		if frags := h.Fragments[field]; len(frags) > 0 {
			hit.Snippet = frags[0]
			break
		}
	}
	return hit
}

// Suggestion is a title offered while typing.
type Suggestion struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Type  string `json:"type"`
}

// Suggest offers titles that begin with, or contain a word beginning with,
// what has been typed, among what the viewer may see.
func (x *Index) Suggest(ctx context.Context, prefix string, v access.Viewer, now time.Time, limit int) ([]Suggestion, error) {
	prefix = strings.TrimSpace(strings.ToLower(prefix))
	if prefix == "" || utf8.RuneCountInString(prefix) > MaxQueryLength {
		return nil, fmt.Errorf("%w: type one to %d characters", ErrBadQuery, MaxQueryLength)
	}
	terms, _ := words(prefix)
	if len(terms) == 0 {
		return []Suggestion{}, nil
	}
	if len(terms) > MaxWords {
		terms = terms[len(terms)-MaxWords:] // the word being typed is the last
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	// Words before the last are matched as typed, without lookups.
	pl := &plan{x: x}
	var must []query.Query
	for i, w := range terms {
		var alts []query.Query
		if i == len(terms)-1 {
			for _, f := range []string{"title_sv", "title_no", "title_en"} {
				p := query.NewPrefixQuery(w)
				p.SetField(f)
				alts = append(alts, p)
			}
			p := query.NewPrefixQuery(fold(w))
			p.SetField("fold_title")
			alts = append(alts, p)
		} else if wq := pl.wordQuery(w, false, 0, false); wq != nil {
			alts = append(alts, wq)
		}
		if len(alts) > 0 {
			must = append(must, query.NewDisjunctionQuery(alts))
		}
	}
	must = append(must, x.Filter(v, now))
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery(must), limit, 0, false)
	req.Fields = []string{"title", "url", "type"}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := []Suggestion{}
	for _, h := range res.Hits {
		t, _ := h.Fields["title"].(string)
		u, _ := h.Fields["url"].(string)
		ty, _ := h.Fields["type"].(string)
		out = append(out, Suggestion{Title: t, URL: u, Type: ty})
	}
	return out, nil
}

// Pinned returns the docs with the given URLs that the viewer may see, in
// the given order: the best bets an admin set for a query.
func (x *Index) Pinned(ctx context.Context, urls []string, v access.Viewer, now time.Time) ([]Hit, error) {
	if len(urls) == 0 {
		return nil, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var alts []query.Query
	for _, u := range urls {
		q := query.NewTermQuery(u)
		q.SetField("url")
		alts = append(alts, q)
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDisjunctionQuery(alts), x.Filter(v, now)}), len(urls), 0, false)
	req.Fields = []string{"title", "summary", "url", "type", "lang", "section", "kind", "date"}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	byURL := map[string]Hit{}
	for _, h := range res.Hits {
		hit := hitOf(h)
		byURL[hit.URL] = hit
	}
	var out []Hit
	for _, u := range urls {
		if h, ok := byURL[u]; ok {
			out = append(out, h)
		}
	}
	return out, nil
}
