package web

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/i18n"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/themes"
)

func TestSeenByInPlainWords(t *testing.T) {
	cat, err := i18n.Load(themes.Default(), "i18n", "sv")
	if err != nil {
		t.Fatal(err)
	}
	pub := []string{access.Public}
	cases := []struct {
		name           string
		rule           access.Rule
		sv, nb, nn, en string
	}{
		{"public", access.Rule{Audience: pub}, "Alla, även utan inloggning", "Alle, også uten innlogging", "Alle, også utan innlogging", "Everyone, even signed out"},
		{"every signed-in person", access.Rule{}, "Alla inloggade", "Alle innloggede", "Alle innlogga", "Everyone signed in"},
		{"one role", access.Rule{Audience: []string{"employee"}}, "Medarbetare", "", "", "Employees"},
		{"two roles", access.Rule{Audience: []string{"substitute", "manager"}}, "Timvikarier och chefer", "", "", "Substitutes and managers"},
		{"three roles, an abbreviation kept", access.Rule{Audience: []string{"manager", "substitute", "admin"}}, "Chefer, timvikarier och IT-administratörer", "", "", ""},
		{"level", access.Rule{MinAuth: "eid"}, "Alla inloggade, kräver e-legitimation", "Alle innloggede, krever elektronisk ID", "", "Everyone signed in, requires an electronic ID"},
		{"zone", access.Rule{Zones: []string{"office"}}, "Alla inloggade, bara på kontorsnätet", "Alle innloggede, bare på kontornettet", "Alle innlogga, berre på kontornettet", "Everyone signed in, only on the office network"},
		{"unnamed zones", access.Rule{Zones: []string{"office", "vpn"}}, "Alla inloggade, bara på kontorsnätet och vpn", "", "", ""},
		{"roles, level and zone", access.Rule{Audience: []string{"manager"}, MinAuth: "eid", Zones: []string{"office"}}, "Chefer, kräver e-legitimation, bara på kontorsnätet", "", "", "Managers, requires an electronic ID, only on the office network"},
		{"unknown role", access.Rule{Audience: []string{"vikar"}}, "vikar", "vikar", "vikar", "vikar"},
	}
	for _, c := range cases {
		for lang, want := range map[string]string{"sv": c.sv, "nb": c.nb, "nn": c.nn, "en": c.en} {
			if want == "" {
				continue
			}
			if got := SeenBy(cat, lang, c.rule); got != want {
				t.Errorf("%s in %s: %q, want %q", c.name, lang, got, want)
			}
		}
	}
}

// News is for everyone signed in from the start: a news item made with
// the new-item form as it comes, then approved, reaches a substitute.
func TestNewNewsIsForEveryoneSignedIn(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	people["sara"] = access.Viewer{Subject: "sara", Roles: []string{"substitute"}, Level: "password"}
	t.Cleanup(func() { delete(people, "sara") })
	_, _, page := e.call(t, "klara", "GET", "/redaktion/ny?type=news&section=nyheter", "")
	if !strings.Contains(page, `name="audience_mode" value="signed_in" checked`) {
		t.Fatal("the new news form does not choose every signed-in person")
	}
	if !strings.Contains(page, "Syns för:</strong> Alla inloggade") {
		t.Fatal("the new news form does not say who sees it")
	}
	_, _, faq := e.call(t, "klara", "GET", "/redaktion/ny?type=faq&section=personal", "")
	if !strings.Contains(faq, `name="audience_mode" value="inherit" checked`) {
		t.Fatal("a new FAQ does not read as its section")
	}
	vals := formValues(page)
	vals.Set("slug", "for-alla")
	vals.Set("title", "Viktigt för alla")
	vals.Set("body", "Gäller all personal och alla timvikarier.")
	vals.Set("action", "create")
	code, loc, body := e.form(t, "klara", "/redaktion/ny", vals)
	if code != 303 {
		t.Fatalf("create: %d\n%s", code, body)
	}
	item := strings.TrimSuffix(loc, "?saved=1")
	if code, _, _ := e.form(t, "klara", item, map[string][]string{"action": {"submit"}, "version": {"1"}}); code != 303 {
		t.Fatalf("submit: %d", code)
	}
	_, _, review := e.call(t, "per", "GET", item, "")
	if !strings.Contains(review, "Syns för:</strong> Alla inloggade") {
		t.Fatal("the reviewer is not told who will see the item")
	}
	_, _, list := e.call(t, "per", "GET", "/redaktion", "")
	if !regexp.MustCompile(`nyheter/for-alla\.md</a></td>\s*<td[^>]*>[^<]*</td>\s*<td role="cell" data-label="Syns för">Alla inloggade</td>`).MatchString(list) {
		t.Fatalf("the item list does not say who sees the item:\n%s", list)
	}
	if code, _, _ := e.form(t, "per", item, map[string][]string{"action": {"approve"}, "version": {"2"}}); code != 303 {
		t.Fatalf("approve: %d", code)
	}
	e.builder.Build(context.Background())
	if code, _, got := e.call(t, "sara", "GET", "/nyheter/for-alla", ""); code != 200 || !strings.Contains(got, "Viktigt för alla") {
		t.Fatalf("the substitute opening the news: %d", code)
	}
	if code, _, _ := e.call(t, "", "GET", "/nyheter/for-alla", ""); code == 200 {
		t.Fatal("the news is open to readers who have not signed in")
	}
}

// A form naming no section, or one outside the site, still says who sees
// the item, from its own fields.
func TestSeenByOutsideTheSections(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	for _, section := range []string{"", "/", "..", "a/../.."} {
		vals := map[string][]string{"section": {section}, "slug": {"x"}, "title": {"X"}, "type": {"news"}, "audience_mode": {"signed_in"}, "body": {"x"}, "action": {"preview"}}
		if code, _, page := e.form(t, "klara", "/redaktion/ny", vals); !strings.Contains(page, "Syns för:</strong> Alla inloggade") {
			t.Fatalf("section %q: %d", section, code)
		}
	}
}
