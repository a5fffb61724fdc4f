package tiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stockholm)
}

func iconExists(name string) bool {
	_, err := os.Stat(filepath.Join("..", "..", "themes", "default", "static", "icons", name+".svg"))
	return err == nil
}

func demoSet(t *testing.T) *Set {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "content", "tiles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseYAML(data, Rules{Levels: access.DefaultLevels, Icon: iconExists})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestDemoTiles(t *testing.T) {
	set := demoSet(t)
	if len(set.Tiles) < 12 {
		t.Fatalf("%d tiles, want at least 12", len(set.Tiles))
	}
	cats := map[string]bool{}
	for _, tl := range set.Tiles {
		cats[tl.Category] = true
	}
	if len(cats) < 5 {
		t.Fatalf("tiles in %d categories", len(cats))
	}
}

func TestParseYAMLRefusesBadTiles(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"tiles:\n  - id: X Y\n    title: {sv: a}\n    url: https://a.se/\n    category: c\ncategories: [{id: c}]\n", "id: use lower-case letters"},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: javascript:alert(1)\n    category: c\n", "url: must be a full http(s) address"},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: https://a.se/\n    category: nope\n", `category: unknown category "nope"`},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: https://a.se/\n    category: c\n    min_auth: bankid\n", `min_auth: unknown sign-in level "bankid"`},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: https://a.se/\n    category: c\n    icon: unicorn\n", `icon: no icon named "unicorn"`},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: https://a.se/\n    category: c\n    hours: {weekly: [{days: mån, hours: 8-16}]}\n", `hours: weekly[0]: unknown day "mån"`},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: a}\n    url: https://a.se/\n    category: c\n  - id: a\n    title: {sv: b}\n    url: https://b.se/\n    category: c\n", `tile "a" is given twice`},
		{"categories: [{id: c}]\ntiles:\n  - id: a\n    titel: {sv: a}\n", "field titel not found"},
	}
	for _, c := range cases {
		_, err := ParseYAML([]byte(c.yaml), Rules{Levels: access.DefaultLevels, Icon: iconExists})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error containing %q, got %v\n%s", c.want, err, c.yaml)
		}
	}
}

func ids(vs []View) string {
	var out []string
	for _, v := range vs {
		s := v.Tile.ID
		switch v.State {
		case Closed:
			s += "(closed)"
		case Locked:
			s += "(locked:" + v.NeedsLevel + ")"
		}
		if v.Disrupted() {
			s += "(disrupted)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

var (
	anon       = access.Viewer{}
	substitute = access.Viewer{Subject: "sara", Roles: []string{"substitute"}, Level: "password"}
	subOTP     = access.Viewer{Subject: "sara", Roles: []string{"substitute"}, Level: "otp"}
	employee   = access.Viewer{Subject: "erik", Roles: []string{"employee"}, Level: "eid"}
	empOffice  = access.Viewer{Subject: "erik", Roles: []string{"employee"}, Level: "eid", Zones: []string{"office"}}
	admin      = access.Viewer{Subject: "anna", Roles: []string{"admin", "employee"}, Level: "password", Zones: []string{"office"}}
	adminEID   = access.Viewer{Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}}
)

// TestVisibilityMatrix walks roles × levels × zones × times through the
// demo's tiles with an injected clock.
func TestVisibilityMatrix(t *testing.T) {
	set := demoSet(t)
	monday9 := at(2026, 11, 23, 9, 0)
	cases := []struct {
		name string
		v    access.Viewer
		now  time.Time
		want string
	}{
		{"anonymous sees only public tiles", anon, monday9, "it-support byt-losenord"},
		{"substitute, password", substitute, monday9,
			"passportalen lonewebben(locked:otp) lonespecifikation(locked:eid) larportalen vikarieintroduktion it-support byt-losenord anmal-tillbud"},
		{"substitute, one-time code", subOTP, monday9,
			"passportalen lonewebben lonespecifikation(locked:eid) larportalen vikarieintroduktion it-support byt-losenord anmal-tillbud"},
		{"employee with e-ID, outside", employee, monday9,
			"mitt-schema lonewebben lonespecifikation resor-och-utlagg webbmejl chatt-och-moten larportalen it-support byt-losenord anmal-tillbud"},
		{"employee with e-ID, in the office", empOffice, monday9,
			"mitt-schema lonewebben lonespecifikation resor-och-utlagg webbmejl chatt-och-moten larportalen journalsystemet it-support byt-losenord anmal-tillbud"},
		{"admin with password: the console hides, signing shows locked", admin, monday9,
			"mitt-schema lonewebben(locked:otp) lonespecifikation(locked:eid) resor-och-utlagg webbmejl chatt-och-moten larportalen journalsystemet(locked:eid) signeringsportalen(locked:eid) it-support byt-losenord anmal-tillbud"},
		{"admin with e-ID", adminEID, monday9,
			"mitt-schema lonewebben lonespecifikation resor-och-utlagg webbmejl chatt-och-moten larportalen journalsystemet signeringsportalen it-support byt-losenord anmal-tillbud administration"},
		{"substitute after 23:00: booking closed", subOTP, at(2026, 11, 23, 23, 0),
			"passportalen(closed) lonewebben(closed) lonespecifikation(locked:eid) larportalen vikarieintroduktion it-support byt-losenord anmal-tillbud"},
		{"substitute at 05:00", subOTP, at(2026, 11, 24, 5, 0),
			"passportalen lonewebben(closed) lonespecifikation(locked:eid) larportalen vikarieintroduktion it-support byt-losenord anmal-tillbud"},
		{"Christmas Eve afternoon: payroll closes at noon", subOTP, at(2026, 12, 24, 12, 0),
			"passportalen lonewebben(closed) lonespecifikation(locked:eid) larportalen vikarieintroduktion it-support byt-losenord anmal-tillbud"},
		{"signing on a Saturday", adminEID, at(2026, 11, 28, 10, 0),
			"mitt-schema lonewebben lonespecifikation resor-och-utlagg webbmejl chatt-och-moten larportalen journalsystemet signeringsportalen(closed) it-support byt-losenord anmal-tillbud administration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ids(set.Visible(Context{Policy: access.Policy{}, Viewer: c.v, Now: c.now, Location: stockholm}))
			if got != c.want {
				t.Fatalf("\ngot  %s\nwant %s", got, c.want)
			}
		})
	}
}

// Service windows across midnight and on the two daylight-saving days.
func TestServiceHoursAcrossMidnightAndDST(t *testing.T) {
	set, err := ParseYAML([]byte(`
categories: [{id: c}]
tiles:
  - id: natt
    title: {sv: Nattjour}
    url: https://natt.example/
    category: c
    hours:
      weekly:
        - days: daily
          hours: 21:00-06:00
      exceptions:
        - date: 2026-12-31
          closed: true
          note: Nyårsafton
`), Rules{Levels: access.DefaultLevels})
	if err != nil {
		t.Fatal(err)
	}
	v := access.Viewer{Subject: "x"}
	for _, c := range []struct {
		now     time.Time
		state   State
		changes time.Time
	}{
		{at(2026, 11, 23, 20, 59), Closed, at(2026, 11, 23, 21, 0)},
		{at(2026, 11, 23, 21, 0), Open, at(2026, 11, 24, 6, 0)},
		{at(2026, 11, 24, 3, 0), Open, at(2026, 11, 24, 6, 0)},
		{at(2026, 11, 24, 6, 0), Closed, at(2026, 11, 24, 21, 0)},
		// 29 March 2026: 02:00 becomes 03:00; the night window still ends at 06:00 local.
		{at(2026, 3, 29, 1, 30), Open, at(2026, 3, 29, 6, 0)},
		{time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), Open, at(2026, 3, 29, 6, 0)},
		// 25 October 2026: 03:00 becomes 02:00.
		{time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), Open, at(2026, 10, 25, 6, 0)},
		// New Year's Eve is closed: the night from the 30th ends at 06:00 on the 31st,
		// and the window opens again on New Year's Day evening.
		{at(2026, 12, 31, 22, 0), Closed, at(2027, 1, 1, 21, 0)},
	} {
		view, ok := set.ViewOf("natt", Context{Viewer: v, Now: c.now, Location: stockholm})
		if !ok || view.State != c.state || !view.Changes.Equal(c.changes) {
			t.Errorf("at %v: %s until %v, want %s until %v", c.now, view.State, view.Changes, c.state, c.changes)
		}
	}
}

func TestFavoritesComeFirstAndNoticesShow(t *testing.T) {
	set := demoSet(t)
	now := at(2026, 11, 23, 9, 0)
	got := ids(set.Visible(Context{Viewer: subOTP, Now: now, Location: stockholm,
		Favorites: []string{"anmal-tillbud", "lonewebben", "administration"},
		Notices: []Notice{
			{TileID: "lonewebben", Text: "Stängt för underhåll 18–20", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)},
			{TileID: "passportalen", Text: "Kommande", StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)},
		},
		Unhealthy: func(id string) bool { return id == "larportalen" },
	}))
	want := "anmal-tillbud lonewebben(disrupted) passportalen lonespecifikation(locked:eid) larportalen(disrupted) vikarieintroduktion it-support byt-losenord"
	if got != want {
		t.Fatalf("\ngot  %s\nwant %s", got, want)
	}
}
