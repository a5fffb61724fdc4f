package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// editors are the people of the responsibility tests. The demo's
// substitute section names the communicators as its editors.
var editors = map[string]access.Viewer{
	// An admin at e-ID in the office: may read and edit admin-only pages.
	"anna": {Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}},
	// A communicator at e-ID outside the office.
	"klara": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid"},
	// The same communicator signed in with a password only.
	"klara-pw": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "password"},
	// A publisher who is not a communicator, so not responsible for the substitutes' pages.
	"pia": {Subject: "pia", Roles: []string{"publisher", "employee"}, Level: "eid"},
}

type newsroom struct {
	app     *fiber.App
	builder *site.Builder
	fb      *feedback.Service
}

func newNewsroom(t *testing.T, db *store.DB) *newsroom {
	t.Helper()
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(),
		content.NewDirSource("content", demo.Files, "", false), publishing.NewSource(db, time.Second))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	tileSvc := tiles.NewService(db, clk, quietLog(), access.Policy{}, stockholm, tiles.Rules{})
	data, err := fs.ReadFile(demo.Files, "tiles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tileSvc.Seed(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	fb := feedback.New(db, clk, quietLog(), 1000, 10*time.Minute)
	srv, err := New(withStore(db, Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Publishing: publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "sv", Location: stockholm}, b),
		Feedback:   fb, Tiles: tileSvc,
		Viewer: func(c *fiber.Ctx) access.Viewer { return editors[c.Get("X-Test-As")] }}))
	if err != nil {
		t.Fatal(err)
	}
	return &newsroom{app: srv.App(), builder: b, fb: fb}
}

// call sends JSON, or a form when body is url.Values.
func (n *newsroom) call(t *testing.T, who, method, target string, body any) (int, string) {
	t.Helper()
	var req = httptest.NewRequest(method, target, nil)
	switch b := body.(type) {
	case string:
		req = httptest.NewRequest(method, target, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	case url.Values:
		req = httptest.NewRequest(method, target, strings.NewReader(b.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", "http://torg.test")
	req.Header.Set("X-Test-As", who)
	res, err := n.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	buf := make([]byte, 8192)
	for {
		k, err := res.Body.Read(buf)
		sb.Write(buf[:k])
		if err != nil {
			break
		}
	}
	return res.StatusCode, sb.String()
}

func (n *newsroom) create(t *testing.T, who, path, md string) string {
	t.Helper()
	code, raw := n.call(t, who, "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":%q,"markdown":%q}`, path, md))
	if code != 201 {
		t.Fatalf("%s creating %s: %d %s", who, path, code, raw)
	}
	var id int
	fmt.Sscanf(raw[strings.Index(raw, `"id":`)+5:], "%d", &id)
	return fmt.Sprint(id)
}

const (
	adminOnlyMD = "---\ntitle: Nycklar till serverhallen\naudience: [admin]\nmin_auth: eid\nzones: [office]\n---\nKoden till serverhallen är 4711.\n"
	shiftsMD    = "---\ntitle: Nya passtider i januari\n---\nPassen börjar kvart över.\n"
	payMD       = "---\ntitle: Lönebesked för vikarier\nmin_auth: eid\n---\nLönebeskedet kommer den 25:e.\n"
)

// An editor works on an item only when she may read it or looks after its
// section, and at the item's level and zone either way; anyone else gets
// exactly the answer for an item that does not exist, on every route.
func TestEditorialAccessFollowsResponsibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n := newNewsroom(t, db)
		admin := n.create(t, "anna", "personal/serverhallen.md", adminOnlyMD)
		shifts := n.create(t, "klara-pw", "vikarie/passtider.md", shiftsMD)
		pay := n.create(t, "klara", "vikarie/lonebesked.md", payMD)

		notFound := func(who, id, secret string) {
			t.Helper()
			api := "/api/v1/admin/items/" + id
			for _, c := range []struct {
				method, target string
				body           any
			}{
				{"GET", api, nil},
				{"GET", api + "/revisions", nil},
				{"PUT", api, `{"version":1,"markdown":"---\ntitle: Kapad\n---\nx\n","note":""}`},
				{"POST", api + "/submit", `{"version":1}`},
				{"POST", api + "/withdraw", `{"version":1}`},
				{"POST", api + "/approve", `{"version":1}`},
				{"POST", api + "/reject", `{"version":1,"comment":"nej"}`},
				{"POST", api + "/unpublish", `{"version":1,"reason":"nej"}`},
				{"GET", "/redaktion/" + id, nil},
				{"POST", "/redaktion/" + id, url.Values{"action": {"preview"}, "version": {"1"}, "title": {"x"}, "body": {"x"}}},
				{"POST", "/redaktion/" + id, url.Values{"action": {"save"}, "version": {"1"}, "title": {"Kapad"}, "body": {"x"}}},
				{"POST", "/redaktion/" + id, url.Values{"action": {"submit"}, "version": {"1"}}},
			} {
				code, raw := n.call(t, who, c.method, c.target, c.body)
				if code != 404 || strings.Contains(raw, secret) {
					t.Errorf("%s %s %s: %d, want 404 without %q\n%.300s", who, c.method, c.target, code, secret, raw)
				}
			}
			for _, list := range []string{"/api/v1/admin/items", "/redaktion"} {
				if code, raw := n.call(t, who, "GET", list, nil); code != 200 || strings.Contains(raw, secret) {
					t.Errorf("%s: %s shows %q (%d)", who, list, secret, code)
				}
			}
		}
		// A communicator, at password or at e-ID, never sees the admins' page.
		notFound("klara-pw", admin, "serverhallen")
		notFound("klara", admin, "serverhallen")
		// Looking after the substitutes' pages does not waive their level.
		notFound("klara-pw", pay, "lonebesked")
		// A publisher who neither reads nor looks after the substitutes' pages.
		notFound("pia", shifts, "passtider")

		// Those who may: the admin, and the communicators for the substitutes' pages.
		for _, c := range []struct{ who, id, text string }{
			{"anna", admin, "serverhallen"},
			{"klara-pw", shifts, "kvart över"},
			{"klara", shifts, "kvart över"},
			{"klara", pay, "25:e"},
		} {
			if code, raw := n.call(t, c.who, "GET", "/api/v1/admin/items/"+c.id, nil); code != 200 || !strings.Contains(raw, c.text) {
				t.Errorf("%s reading item %s: %d %.200s", c.who, c.id, code, raw)
			}
			if code, raw := n.call(t, c.who, "GET", "/api/v1/admin/items/"+c.id+"/revisions", nil); code != 200 || !strings.Contains(raw, c.text) {
				t.Errorf("%s reading the revisions of %s: %d", c.who, c.id, code)
			}
			if code, _ := n.call(t, c.who, "GET", "/redaktion/"+c.id, nil); code != 200 {
				t.Errorf("%s opening %s in the editor: %d", c.who, c.id, code)
			}
		}
		if code, raw := n.call(t, "klara-pw", "PUT", "/api/v1/admin/items/"+shifts, fmt.Sprintf(`{"version":1,"markdown":%q,"note":""}`, shiftsMD+"Och slutar kvart över.\n")); code != 200 {
			t.Errorf("the responsible communicator saving: %d %s", code, raw)
		}
		if code, raw := n.call(t, "klara-pw", "GET", "/api/v1/admin/items", nil); !strings.Contains(raw, "vikarie/passtider.md") || strings.Contains(raw, "lonebesked") {
			t.Errorf("the list for the communicator at password: %d %s", code, raw)
		}

		// The form for a new item offers the folders one may write in.
		for who, want := range map[string]bool{"klara-pw": true, "pia": false} {
			_, page := n.call(t, who, "GET", "/redaktion/ny", nil)
			if got := strings.Contains(page, ">vikarie</option>"); got != want || !strings.Contains(page, ">nyheter</option>") {
				t.Errorf("%s is offered the substitutes' folder: %v, want %v", who, got, want)
			}
		}

		// Creating: in a section one neither reads nor looks after, or an
		// item one could not then work on, is refused like a missing item.
		for _, c := range []struct{ who, path, md string }{
			{"pia", "vikarie/pias.md", shiftsMD},
			{"klara-pw", "personal/klaras.md", adminOnlyMD},
			{"klara-pw", "vikarie/klaras.md", payMD},
		} {
			code, raw := n.call(t, c.who, "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":%q,"markdown":%q}`, c.path, c.md))
			if code != 404 {
				t.Errorf("%s creating %s: %d %s", c.who, c.path, code, raw)
			}
			form := url.Values{"section": {strings.Split(c.path, "/")[0]}, "slug": {"html-" + c.who}, "lang": {"sv"}, "title": {"x"}, "type": {"page"}, "body": {"x"}, "action": {"create"}}
			if strings.Contains(c.md, "admin") {
				form["audience"], form["min_auth"] = []string{"admin"}, []string{"eid"}
			}
			if strings.Contains(c.md, "min_auth: eid") {
				form["min_auth"] = []string{"eid"}
			}
			if code, _ := n.call(t, c.who, "POST", "/redaktion/ny", form); code != 404 {
				t.Errorf("%s creating in %s through the form: %d", c.who, c.path, code)
			}
		}
	})
}

// Feedback reaches the editors who look after a page or may read it, and
// nobody else; the health report shows the tiles the editor may use, and
// notices go only on those.
func TestFeedbackAndTilesFollowResponsibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n := newNewsroom(t, db)
		ctx := context.Background()
		no := false
		for _, p := range []string{"/vikarie/boka-pass", "/personal/inloggningsadministration"} {
			for range 5 {
				if _, err := n.fb.Submit(ctx, feedback.Answer{Path: p, Section: strings.Split(p, "/")[1], Lang: "sv", Helpful: &no, Comment: "Otydligt om " + p, ClientAddress: "x"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, c := range []struct {
			who       string
			sees, not []string
		}{
			{"klara-pw", []string{"/vikarie/boka-pass"}, []string{"/personal/inloggningsadministration"}},
			{"pia", nil, []string{"/vikarie/boka-pass", "/personal/inloggningsadministration"}},
			{"anna", []string{"/personal/inloggningsadministration"}, []string{"/vikarie/boka-pass"}},
		} {
			for _, target := range []string{"/api/v1/admin/feedback", "/api/v1/admin/feedback/stats", "/api/v1/admin/feedback.csv", "/redaktion/synpunkter", "/api/v1/admin/health"} {
				code, raw := n.call(t, c.who, "GET", target, nil)
				if code != 200 {
					t.Errorf("%s %s: %d", c.who, target, code)
				}
				for _, p := range c.sees {
					if !strings.Contains(raw, p) {
						t.Errorf("%s does not get the feedback on %s at %s", c.who, p, target)
					}
				}
				for _, p := range c.not {
					if strings.Contains(raw, p) {
						t.Errorf("%s gets the feedback on %s at %s", c.who, p, target)
					}
				}
			}
		}

		// Klara at password may use the webmail, not the payroll (one-time
		// code) nor the substitutes' shift booking.
		for _, target := range []string{"/api/v1/admin/health", "/redaktion/halsa"} {
			_, raw := n.call(t, "klara-pw", "GET", target, nil)
			if !strings.Contains(raw, "webbmejl") && !strings.Contains(raw, "Webbmejl") {
				t.Errorf("%s: the communicator's own tile is missing", target)
			}
			for _, hidden := range []string{"lonewebben", "Lönewebben", "passportalen", "Passportalen", "journalsystemet", "Journalsystemet"} {
				if strings.Contains(raw, hidden) {
					t.Errorf("%s shows the tile %s to a communicator who may not use it", target, hidden)
				}
			}
		}
		notice := `{"text":"Underhåll","starts_at":"2026-11-23T18:00:00+01:00","ends_at":"2026-11-23T20:00:00+01:00"}`
		for _, c := range []struct {
			who, tile string
			want      int
		}{
			{"klara-pw", "lonewebben", 404},
			{"klara-pw", "passportalen", 404},
			{"klara", "journalsystemet", 404},
			{"klara-pw", "webbmejl", 201},
			{"klara", "lonewebben", 201},
		} {
			code, raw := n.call(t, c.who, "POST", "/api/v1/tiles/"+c.tile+"/notices", notice)
			if code != c.want {
				t.Errorf("%s putting a notice on %s: %d, want %d: %s", c.who, c.tile, code, c.want, raw)
			}
			if code == 201 && c.tile == "lonewebben" {
				var id int
				fmt.Sscanf(raw[strings.Index(raw, `"id":`)+5:], "%d", &id)
				if code, _ := n.call(t, "klara-pw", "DELETE", fmt.Sprintf("/api/v1/tiles/lonewebben/notices/%d", id), nil); code != 404 {
					t.Errorf("removing a notice from a tile she may not use: %d", code)
				}
			}
		}
	})
}
