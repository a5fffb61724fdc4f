package finder

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/search"
)

// TestSynonymsForScopesByLanguage: unscoped synonyms apply to every
// language, "lang:word" ones only to searches in that language.
func TestSynonymsForScopesByLanguage(t *testing.T) {
	ss := Settings{Synonyms: map[string][]string{"lönespec": {"lönespecifikation"}, "en:payslip": {"lönespecifikation"}, "sv:lön": {"lönebesked"}}}
	if got, want := ss.SynonymsFor("en"), map[string][]string{"lönespec": {"lönespecifikation"}, "payslip": {"lönespecifikation"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("en: %v, want %v", got, want)
	}
	if got, want := ss.SynonymsFor("sv"), map[string][]string{"lönespec": {"lönespecifikation"}, "lön": {"lönebesked"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sv: %v, want %v", got, want)
	}
}

func index(t *testing.T) *search.Index {
	idx, err := search.Open("", access.DefaultLevels, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	docs := []search.Doc{
		{ID: "page:/lon", Kind: "page", Type: "page", URL: "/lon", Title: "Lönebesked", Body: "Så läser du ditt lönebesked.", Lang: "sv", Section: "lon", Audience: []string{access.Public}},
		{ID: "page:/hr", Kind: "page", Type: "page", URL: "/hr", Title: "Personalhandbok", Body: "Om semester.", Lang: "sv", Section: "hr", Audience: []string{access.Public}},
		{ID: "page:/chef", Kind: "page", Type: "page", URL: "/chef", Title: "Chefsstöd", Body: "Lönesättning.", Lang: "sv", Section: "chef", Audience: []string{"manager"}},
	}
	if _, err := idx.Sync(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestSearchAddsSynonymsAndBestBets: the reader's language brings its
// synonyms; best bets come on the first page only and only those the
// viewer may see.
func TestSearchAddsSynonymsAndBestBets(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f := &Service{Index: index(t), Clock: clock.NewManual(now), DefaultLang: "sv", Settings: Settings{
		Synonyms: map[string][]string{"sv:lönespec": {"lönebesked"}},
		BestBets: map[string][]string{"semester": {"/hr", "/chef"}},
	}}
	ctx := context.Background()
	res, _, err := f.Search(ctx, search.Request{Query: "lönespec", Viewer: access.Anonymous, Now: now}, "sv")
	if err != nil || res.Total != 1 || res.Hits[0].URL != "/lon" {
		t.Fatalf("synonym in sv: %+v, %v", res, err)
	}
	if res, _, err := f.Search(ctx, search.Request{Query: "lönespec", Viewer: access.Anonymous, Now: now}, "en"); err != nil || res.Total != 0 {
		t.Fatalf("an sv synonym searched in en: %+v, %v", res, err)
	}
	_, bets, err := f.Search(ctx, search.Request{Query: "Semester", Viewer: access.Anonymous, Now: now}, "sv")
	if err != nil || len(bets) != 1 || bets[0].URL != "/hr" {
		t.Fatalf("best bets for an anonymous reader: %+v, %v", bets, err)
	}
	manager := access.Viewer{Subject: "m", Roles: []string{"manager"}, Level: access.DefaultLevels[len(access.DefaultLevels)-1]}
	if _, bets, _ := f.Search(ctx, search.Request{Query: "semester", Viewer: manager, Now: now}, "sv"); len(bets) != 2 {
		t.Fatalf("best bets for a manager: %+v", bets)
	}
}
