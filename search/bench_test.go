package search_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

var benchDocs = flag.Int("docs", 10000, "pages in the generated corpus of BenchmarkSearch")

// vocabulary is every word of the demo site and the real municipal pages,
// as often as it occurs there, so generated pages have a realistic Swedish
// mix of common and rare words.
func vocabulary(t testing.TB) []string {
	var words []string
	for _, d := range demoDocs(t) {
		for _, w := range strings.FieldsFunc(strings.ToLower(d.Title+" "+d.Body), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) > 1 {
				words = append(words, w)
			}
		}
	}
	return words
}

var roles = []string{"substitute", "employee", "manager", "communicator", "publisher", "admin"}

// lexicon is a Swedish vocabulary for generated pages: the real words of
// the demo and the municipal pages, most frequent first, followed by
// compounds made of pairs of them, as Swedish makes new words all the time
// (lön + portal → lönportal). Real intranets have tens of thousands of
// distinct words; the pages here alone have only a few thousand.
func lexicon(t testing.TB) []string {
	counts := map[string]int{}
	for _, w := range vocabulary(t) {
		counts[w]++
	}
	base := make([]string, 0, len(counts))
	for w := range counts {
		base = append(base, w)
	}
	sort.Slice(base, func(i, j int) bool {
		if counts[base[i]] != counts[base[j]] {
			return counts[base[i]] > counts[base[j]]
		}
		return base[i] < base[j]
	})
	var nouns []string
	for _, w := range base {
		if len([]rune(w)) >= 4 {
			nouns = append(nouns, w)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	words := append([]string{}, base...)
	seen := map[string]bool{}
	for _, w := range base {
		seen[w] = true
	}
	for len(words) < 40000 {
		c := nouns[r.IntN(len(nouns))] + nouns[r.IntN(len(nouns))]
		if !seen[c] {
			seen[c] = true
			words = append(words, c)
		}
	}
	return words
}

// generate makes n pages of realistic length (80–600 words), with words
// drawn from the lexicon by Zipf's law as in natural text, and mixed
// audiences, deterministically.
func generate(t testing.TB, n int) []search.Doc {
	lex := lexicon(t)
	r := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(lex)-1))
	words := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(lex[zipf.Uint64()])
		}
		return b.String()
	}
	docs := make([]search.Doc, n)
	types := []string{"page", "page", "page", "news", "job", "faq", "contact"}
	for i := range docs {
		d := search.Doc{
			ID: "page:/gen/" + strconv.Itoa(i), Kind: "page", Type: types[r.IntN(len(types))], URL: "/gen/" + strconv.Itoa(i),
			Title: words(3 + r.IntN(5)), Summary: words(10 + r.IntN(10)), Body: words(80 + r.IntN(520)),
			Section: "avdelning-" + strconv.Itoa(r.IntN(20)), Lang: "sv", Tags: []string{lex[r.IntN(2000)]},
			Date: time.Date(2026, time.Month(1+r.IntN(11)), 1+r.IntN(28), 9, 0, 0, 0, time.UTC),
		}
		switch p := r.IntN(10); {
		case p < 2:
			d.Audience = []string{"public"}
		case p < 5:
			// every signed-in person
		default:
			d.Audience = []string{roles[r.IntN(len(roles))]}
		}
		if r.IntN(10) == 0 {
			d.MinAuth = "eid"
		}
		if r.IntN(20) == 0 {
			d.Zones = []string{"office"}
		}
		docs[i] = d
	}
	return docs
}

func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSearch builds an index of generated pages on disk and runs 1,000
// queries with the permission filter and highlighting on. Run:
//
//	go test ./search -run '^$' -bench BenchmarkSearch -benchtime 1x             # 10,000 pages
//	go test ./search -run '^$' -bench BenchmarkSearch -benchtime 1x -docs 50000 # 50,000 pages
//
// It reports build time, size on disk, peak RSS of the test process and
// the p50 and p99 latency of the queries.
func BenchmarkSearch(b *testing.B) {
	docs := generate(b, *benchDocs)
	vocab := lexicon(b)
	before := peakRSSMB()
	dir := b.TempDir() + "/search"
	for i := 0; i < b.N; i++ {
		x, err := search.Open(dir, access.DefaultLevels, quiet())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := x.Rebuild(context.Background(), docs, nil); err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		r := rand.New(rand.NewPCG(3, 4))
		viewers := []access.Viewer{
			{},
			{Subject: "s", Roles: []string{"substitute"}, Level: "password"},
			{Subject: "e", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}},
			{Subject: "a", Roles: []string{"admin", "employee"}, Level: "eid"},
		}
		lat := make([]time.Duration, 0, 1000)
		for q := 0; q < 1000; q++ {
			// One to three words, each from the 10,000 most used: people
			// search for words that are there, common and rare alike.
			k := 1 + r.IntN(3)
			var terms []string
			for j := 0; j < k; j++ {
				terms = append(terms, vocab[r.IntN(10000)])
			}
			req := search.Request{Query: strings.Join(terms, " "), Viewer: viewers[r.IntN(len(viewers))], Now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), Limit: 10}
			t0 := time.Now()
			// A query of stop words only is refused: that is an answer too.
			if _, err := x.Search(context.Background(), req); err != nil && !errors.Is(err, search.ErrBadQuery) {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(build.Seconds(), "build-s")
		b.ReportMetric(float64(x.Size())/(1<<20), "disk-MB")
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		fmt.Printf("search benchmark: %d pages, build %.1f s, %.0f MB on disk, peak RSS %.0f MB (%.0f MB before indexing), p50 %.2f ms, p99 %.2f ms\n",
			len(docs), build.Seconds(), float64(x.Size())/(1<<20), peakRSSMB(), before, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]))
		x.Close()
	}
}
