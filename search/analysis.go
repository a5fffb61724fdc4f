package search

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

//go:embed words.txt
var wordsFile string

// Analyzer names. Each language has an index analyzer, which also splits
// compounds, and a query analyzer, which does not: a compound in a query
// should find that compound first, not every document with one of its parts.
const (
	analyzerSV      = "torg_sv"
	analyzerSVQuery = "torg_sv_query"
	analyzerNO      = "torg_no"
	analyzerNOQuery = "torg_no_query"
	analyzerEN      = "torg_en"
	analyzerFold    = "torg_fold"
	analyzerFoldQ   = "torg_fold_query"
	analyzerKeyword = "keyword"
	analyzerRaw     = "torg_raw"

	definiteSV   = "torg_definite_sv"
	foldName     = "torg_fold_letters"
	compoundName = "torg_compound"

	analyzerSVBody      = "torg_sv_body"
	analyzerSVBodyQuery = "torg_sv_body_query"
	analyzerNOBody      = "torg_no_body"
	analyzerNOBodyQuery = "torg_no_body_query"
)

// compoundFilter adds the parts of a compound that are dictionary words
// as tokens of their own at the compound's position: engångslösenord gives
// engång and lösenord too. It keeps byte offsets right for å, ä and ö (the
// dictionary filter bleve ships counts letters as bytes), so snippets mark
// the part as written.
type compoundFilter struct {
	words            map[string]bool
	minWord, minPart int
}

func (f compoundFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(input))
	for _, t := range input {
		out = append(out, t)
		runes := []rune(string(t.Term))
		if len(runes) < f.minWord {
			continue
		}
		// offs[i] is the byte offset of rune i in the term.
		offs := make([]int, len(runes)+1)
		for i, r := range runes {
			offs[i+1] = offs[i] + utf8.RuneLen(r)
		}
		for i := 0; i < len(runes); i++ {
			for j := i + f.minPart; j <= len(runes); j++ {
				if (i == 0 && j == len(runes)) || !f.words[string(runes[i:j])] {
					continue
				}
				out = append(out, &analysis.Token{
					Term: []byte(string(runes[i:j])), Position: t.Position, Type: t.Type,
					Start: t.Start + offs[i], End: t.Start + offs[j],
				})
			}
		}
	}
	return out
}

// foldFilter drops the diacritics of a token's letters (lönebesked →
// lonebesked) without moving its offsets in the text, so that snippets
// still highlight the words as written.
type foldFilter struct{}

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = []byte(fold(string(t.Term)))
	}
	return input
}

// definiteFilter strips the Swedish singular definite neuter ending -et
// (lösenordet → lösenord, passet → pass), which the Snowball stemmer
// leaves alone. Short words keep it, so that "paket" stays whole.
type definiteFilter struct{}

func (definiteFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if t.KeyWord || utf8.RuneCount(t.Term) < 6 {
			continue
		}
		s := string(t.Term)
		if strings.HasSuffix(s, "et") && !strings.HasSuffix(s, "eet") {
			t.Term = []byte(strings.TrimSuffix(s, "et"))
		}
	}
	return input
}

func init() {
	err := registry.RegisterTokenFilter(definiteSV, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return definiteFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
	err = registry.RegisterTokenFilter(foldName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
	err = registry.RegisterTokenFilter(compoundName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return compoundFilter{words: partWords, minWord: 7, minPart: 3}, nil
	})
	if err != nil {
		panic(err)
	}
}

// dictionary returns the compound-part words, plain and folded (ö → o).
func dictionary() []any {
	seen := map[string]bool{}
	var out []any
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, line := range strings.Split(wordsFile, "\n") {
		w := strings.TrimSpace(line)
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		add(w)
		add(fold(w))
	}
	return out
}

var folder = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "ø", "o", "æ", "ae", "é", "e", "ü", "u")

// fold drops the diacritics of Swedish and Norwegian letters.
func fold(s string) string { return folder.Replace(strings.ToLower(s)) }

// addAnalyzers defines Torg's analyzers on a mapping.
func addAnalyzers(m *mapping.IndexMappingImpl) error {
	analyzers := map[string][]string{
		analyzerSV:      {lowercase.Name, "torg_compound", sv.StopName, sv.SnowballStemmerName, definiteSV},
		analyzerSVQuery: {lowercase.Name, sv.StopName, sv.SnowballStemmerName, definiteSV},
		analyzerNO:      {lowercase.Name, "torg_compound", no.StopName, no.SnowballStemmerName},
		analyzerNOQuery: {lowercase.Name, no.StopName, no.SnowballStemmerName},
		analyzerEN:      {en.PossessiveName, lowercase.Name, en.StopName, en.SnowballStemmerName},
		// Bodies match with and without diacritics: stop words go first,
		// while they still have theirs.
		analyzerSVBody:      {lowercase.Name, "torg_compound", sv.StopName, foldName, sv.SnowballStemmerName, definiteSV},
		analyzerSVBodyQuery: {lowercase.Name, sv.StopName, foldName, sv.SnowballStemmerName, definiteSV},
		analyzerNOBody:      {lowercase.Name, "torg_compound", no.StopName, foldName, no.SnowballStemmerName},
		analyzerNOBodyQuery: {lowercase.Name, no.StopName, foldName, no.SnowballStemmerName},
	}
	for name, filters := range analyzers {
		if err := m.AddCustomAnalyzer(name, map[string]any{"type": custom.Name, "tokenizer": unicode.Name, "token_filters": filters}); err != nil {
			return err
		}
	}
	// Words as written, folded but not stemmed: typos are forgiven here,
	// where "ledghet" is one letter from "ledighet".
	if err := m.AddCustomAnalyzer(analyzerRaw, map[string]any{
		"type": custom.Name, "char_filters": []string{asciifolding.Name}, "tokenizer": unicode.Name, "token_filters": []string{lowercase.Name},
	}); err != nil {
		return err
	}
	// The folded field: without diacritics, for queries typed without å, ä, ö.
	for name, filters := range map[string][]string{
		analyzerFold:  {lowercase.Name, "torg_compound", sv.StopName, sv.SnowballStemmerName, definiteSV},
		analyzerFoldQ: {lowercase.Name, sv.StopName, sv.SnowballStemmerName, definiteSV},
	} {
		if err := m.AddCustomAnalyzer(name, map[string]any{
			"type": custom.Name, "char_filters": []string{asciifolding.Name}, "tokenizer": unicode.Name, "token_filters": filters,
		}); err != nil {
			return err
		}
	}
	return nil
}

// parts splits a compound into dictionary words, longest first, and what is
// left between them (without a linking s): "losenordsregler" → losenord,
// regler. It returns nothing for a word it cannot split.
func parts(word string) []string {
	w := []rune(word)
	var out []string
	for i := 0; i < len(w); {
		best := 0
		for j := len(w); j >= i+4; j-- {
			if partWords[string(w[i:j])] {
				best = j - i
				break
			}
		}
		if best == 0 {
			// Not a known word here: take the rest as one part, if it is long enough.
			rest := string(w[i:])
			if strings.HasPrefix(rest, "s") && len(out) > 0 {
				rest = rest[1:]
			}
			if utf8.RuneCountInString(rest) < 3 || len(out) == 0 {
				return nil
			}
			return append(out, rest)
		}
		out = append(out, string(w[i:i+best]))
		i += best
		if i < len(w) && w[i] == 's' && len(w)-i > 3 {
			i++ // the linking s of Swedish compounds: lösenord-s-regler
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

var partWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range dictionary() {
		m[w.(string)] = true
	}
	return m
}()
