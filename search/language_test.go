package search_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/search"
)

func smallIndex(t *testing.T, docs ...search.Doc) *search.Index {
	t.Helper()
	x, err := search.Open("", access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	for i := range docs {
		if docs[i].Lang == "" {
			docs[i].Lang = "sv"
		}
		docs[i].Kind, docs[i].Type, docs[i].Audience = "page", "page", []string{"public"}
		if docs[i].URL == "" {
			docs[i].URL = "/" + docs[i].ID
		}
	}
	if _, err := x.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	return x
}

func top(t *testing.T, x *search.Index, q string) []string {
	t.Helper()
	res, err := x.Search(context.Background(), search.Request{Query: q, Viewer: access.Viewer{}, Now: time.Now(), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestLanguageRealities(t *testing.T) {
	x := smallIndex(t,
		search.Doc{ID: "definite", Title: "Byt lösenordet", Body: "Så byter du lösenordet."},
		search.Doc{ID: "vikarier", Title: "Information till vikarier", Body: "Alla vikarier ska läsa detta."},
		search.Doc{ID: "protokoll", Title: "Justera protokollen", Body: "Protokollen signeras digitalt."},
		search.Doc{ID: "besked", Title: "Ditt lönebesked", Body: "Lönebeskedet kommer den 25:e."},
		search.Doc{ID: "besked-folded", Title: "Lonebesked utan prickar", Body: "Skrivet lonebesked av misstag."},
		search.Doc{ID: "engang", Title: "Engångslösenord", Body: "Ett engångslösenord skickas med sms."},
		search.Doc{ID: "signering", Title: "Signeringsportalen", Body: "Logga in i signeringsportalen med e-legitimation."},
		search.Doc{ID: "bemanning", Title: "Bemanningscentrum", Body: "Ring bemanningscentrum före sju."},
		search.Doc{ID: "phrase", Title: "Om ledighet", Body: "Sök ledighet i god tid innan sommaren."},
		search.Doc{ID: "words", Title: "Om tid", Body: "Det är god sed att söka i tid, innan det blir för sent."},
		search.Doc{ID: "nn", Lang: "nn", Title: "Lønna og timane", Body: "Timane vert førte i systemet."},
		search.Doc{ID: "en", Lang: "en", Title: "Passwords", Body: "Choosing strong passwords."},
	)
	cases := []struct {
		name, query string
		first       string // expected first hit
		also        []string
		none        bool
	}{
		{"definite -et", "lösenord", "definite", nil, false},
		{"plural -er", "vikarie", "vikarier", nil, false},
		{"plural definite -en", "protokoll", "protokoll", nil, false},
		{"without diacritics", "lonebesked", "besked-folded", []string{"besked"}, false},
		{"exact spelling ranks higher", "lönebesked", "besked", []string{"besked-folded"}, false},
		{"compound part", "lösenord", "definite", []string{"engang"}, false},
		{"compound part in a definite compound", "portal", "signering", nil, false},
		{"typo in a long word", "bemaningscentrum", "bemanning", nil, false},
		{"typo in a five-letter word", "ledghet", "phrase", nil, false},
		{"no typo forgiven in short words", "tud", "", nil, true},
		{"quoted phrase", `"god tid"`, "phrase", nil, false},
		{"prefix of the last word", "signerings", "signering", nil, false},
		{"nynorsk", "timar", "nn", nil, false},
		{"english plural", "password", "en", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := top(t, x, c.query)
			if c.none {
				if len(got) != 0 {
					t.Fatalf("%q found %v", c.query, got)
				}
				return
			}
			if len(got) == 0 || got[0] != c.first {
				t.Fatalf("%q: %v, want %s first", c.query, got, c.first)
			}
			for _, a := range c.also {
				found := false
				for _, g := range got {
					found = found || g == a
				}
				if !found {
					t.Errorf("%q: %v lacks %s", c.query, got, a)
				}
			}
		})
	}
	// The phrase must be a phrase: "god tid" is not in the other doc, though both words are.
	if got := top(t, x, `"god tid"`); len(got) != 1 {
		t.Errorf("the phrase matched %v", got)
	}
}

func TestScheduledDocsEnterAndLeaveAtTheirMinute(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, stockholm)
	x := smallIndex(t, search.Doc{ID: "nyhet", Title: "Nyhet om julbord", PublishAt: at, ExpireAt: at.Add(time.Hour)})
	count := func(now time.Time) uint64 {
		res, err := x.Search(context.Background(), search.Request{Query: "julbord", Viewer: access.Viewer{}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if count(at.Add(-time.Minute)) != 0 || count(at) != 1 || count(at.Add(59*time.Minute)) != 1 || count(at.Add(time.Hour)) != 0 {
		t.Fatal("the schedule is not followed to the minute")
	}
}

func TestIndexOnDiskIsReusedAndRepaired(t *testing.T) {
	dir := t.TempDir() + "/search"
	docs := []search.Doc{{ID: "a", Kind: "page", Type: "page", URL: "/a", Lang: "sv", Title: "Alfa", Audience: []string{"public"}}}
	x, err := search.Open(dir, access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := x.Sync(context.Background(), docs, nil); st.Added != 1 {
		t.Fatalf("first sync: %+v", st)
	}
	x.Close()
	x, err = search.Open(dir, access.DefaultLevels, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := x.Sync(context.Background(), docs, nil); st.Kept != 1 || st.Added != 0 {
		t.Fatalf("a reopened index should be reused: %+v", st)
	}
	x.Close()
	// Break it on disk: it is rebuilt at the next start, with no crash.
	corrupt(t, dir)
	x, err = search.Open(dir, access.DefaultLevels, quiet())
	if err != nil {
		t.Fatalf("a corrupt index must be rebuilt, not refused: %v", err)
	}
	defer x.Close()
	if st, _ := x.Sync(context.Background(), docs, nil); st.Added != 1 {
		t.Fatalf("after repair: %+v", st)
	}
	if got := top(t, x, "alfa"); len(got) != 1 {
		t.Fatalf("search after repair: %v", got)
	}
}

// Snippets mark whole words as written, also parts of compounds with å, ä, ö.
func TestSnippetMarksWordsAsWritten(t *testing.T) {
	x := smallIndex(t, search.Doc{ID: "a", Title: "Byte", Body: "Gå till sidan för lösenordsbyte och välj Glömt lösenord."})
	res, err := x.Search(context.Background(), search.Request{Query: "lösenord", Viewer: access.Viewer{}, Now: time.Now()})
	if err != nil || len(res.Hits) != 1 {
		t.Fatal(res, err)
	}
	if s := res.Hits[0].Snippet; !strings.Contains(s, "<mark>lösenord</mark>sbyte") || !strings.Contains(s, "<mark>lösenord</mark>.") {
		t.Fatalf("snippet: %s", s)
	}
}

// TestKnownWordsAreNotTypos: two words that are both in the pages but
// never on one page find nothing, rather than pages with a word one letter
// away; a word that is in no page is still forgiven its typo.
func TestKnownWordsAreNotTypos(t *testing.T) {
	x := smallIndex(t,
		search.Doc{ID: "a", Title: "Semester", Body: "Ansök om semester i personalsystemet."},
		search.Doc{ID: "b", Title: "Sjukanmälan", Body: "Ring sjukanmälan före klockan sju."},
		search.Doc{ID: "c", Title: "Semestern", Body: "Sjukanmälar du dig under semestern gäller andra regler."},
	)
	if got := top(t, x, "semester sjukanmälan"); len(got) != 0 {
		t.Errorf("two known words that never meet found %v; want nothing", got)
	}
	if got := top(t, x, "sjukanmälna"); len(got) == 0 || got[0] != "b" {
		t.Errorf("a typo in a word of no page found %v; want b first", got)
	}
}
