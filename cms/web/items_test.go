package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// editorial is a site over the demo files and the editor's database, with
// the viewer chosen per request by the X-Test-As header (a stand-in for
// sign-in, which has tests of its own).
type editorial struct {
	app     *fiber.App
	builder *site.Builder
	db      *store.DB
	clk     *clock.Manual
}

func (e *editorial) clock() *clock.Manual { return e.clk }

var people = map[string]access.Viewer{
	"klara": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid"},
	"karin": {Subject: "karin", Roles: []string{"communicator", "employee"}, Level: "eid"},
	"per":   {Subject: "per", Roles: []string{"publisher", "communicator", "employee"}, Level: "eid"},
	"erik":  {Subject: "erik", Roles: []string{"employee"}, Level: "password"},
}

func newEditorial(t *testing.T, db *store.DB) *editorial {
	t.Helper()
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(),
		content.NewDirSource("content", demo.Files, "", false), publishing.NewSource(db, time.Second))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withStore(db, Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Publishing: publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "sv", Location: stockholm}, b),
		Viewer:     func(c *fiber.Ctx) access.Viewer { return people[c.Get("X-Test-As")] }}))
	if err != nil {
		t.Fatal(err)
	}
	return &editorial{app: srv.App(), builder: b, db: db, clk: clk}
}

func (e *editorial) call(t *testing.T, who, method, url, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://torg.test")
	req.Header.Set("X-Test-As", who)
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	var m map[string]any
	json.Unmarshal(buf.Bytes(), &m)
	return res.StatusCode, m, buf.String()
}

const newsMD = "---\ntitle: Julbord för alla\ntype: news\ndate: 2026-11-23\naudience: [employee]\n---\nVälkommen på julbord den 11 december.\n"

func TestEditorialAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEditorial(t, db)
		code, m, raw := e.call(t, "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":"nyheter/julbord.md","markdown":%q}`, newsMD))
		if code != 201 {
			t.Fatalf("create: %d %s", code, raw)
		}
		id := int(m["id"].(float64))
		base := fmt.Sprintf("/api/v1/admin/items/%d", id)
		v := func(m map[string]any) int { return int(m["version"].(float64)) }
		ver := v(m)
		for _, c := range []struct {
			who, method, url, body string
			want                   int
			contains               string
		}{
			{"erik", "GET", "/api/v1/admin/items", "", 403, "communicator"},
			{"", "GET", "/api/v1/admin/items", "", 401, ""},
			{"klara", "POST", "/api/v1/admin/items", `{"path":"../x.md","markdown":"x"}`, 422, `"path"`},
			{"klara", "POST", "/api/v1/admin/items", `{"path":"nyheter/b.md","markdown":"---\ndate: igår\n---\n"}`, 422, `is not a date`},
			{"klara", "POST", "/api/v1/admin/items", `{"path":"nyheter/b.md","markdown":"x","extra":1}`, 400, "unknown field"},
			{"klara", "POST", base + "/approve", fmt.Sprintf(`{"version":%d}`, ver), 403, "publisher"},
			{"per", "POST", base + "/approve", fmt.Sprintf(`{"version":%d}`, ver), 409, "only an item in review"},
			{"klara", "POST", base + "/dance", fmt.Sprintf(`{"version":%d}`, ver), 404, "actions are"},
		} {
			if code, _, raw := e.call(t, c.who, c.method, c.url, c.body); code != c.want || !strings.Contains(raw, c.contains) {
				t.Errorf("%s %s %s: %d %s, want %d with %q", c.who, c.method, c.url, code, raw, c.want, c.contains)
			}
		}
		// Two communicators edit at once: the second save is refused, nothing is lost.
		code, m, _ = e.call(t, "klara", "PUT", base, fmt.Sprintf(`{"version":%d,"markdown":%q,"note":"tid"}`, ver, newsMD+"Kl 18.\n"))
		if code != 200 {
			t.Fatalf("save: %d", code)
		}
		code, _, raw = e.call(t, "karin", "PUT", base, fmt.Sprintf(`{"version":%d,"markdown":%q}`, ver, newsMD+"Karin.\n"))
		if code != 409 || !strings.Contains(raw, "version_conflict") {
			t.Fatalf("stale save: %d %s", code, raw)
		}
		ver = v(m)
		_, m, _ = e.call(t, "klara", "POST", base+"/submit", fmt.Sprintf(`{"version":%d}`, ver))
		ver = v(m)
		code, _, raw = e.call(t, "per", "POST", base+"/reject", fmt.Sprintf(`{"version":%d}`, ver))
		if code != 422 || !strings.Contains(raw, `"comment"`) {
			t.Fatalf("reject without comment: %d %s", code, raw)
		}
		code, m, _ = e.call(t, "per", "POST", base+"/approve", fmt.Sprintf(`{"version":%d}`, ver))
		if code != 200 || m["approved_by"] != "per" || m["live"] != true {
			t.Fatalf("approve: %d %v", code, m)
		}
		// Readers see it once the site is rebuilt, as the watcher does within a second.
		if _, err := e.builder.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		code, _, raw = e.call(t, "erik", "GET", "/api/v1/pages/nyheter/julbord", "")
		if code != 200 || !strings.Contains(raw, `"approved_by":"per"`) || !strings.Contains(raw, "Kl 18.") {
			t.Fatalf("the published item: %d %s", code, raw)
		}
		code, _, raw = e.call(t, "erik", "GET", "/nyheter/julbord", "")
		if code != 200 || !strings.Contains(raw, "Godkänd av per") {
			t.Fatalf("page: %d", code)
		}
		if code, _, _ := e.call(t, "", "GET", "/api/v1/pages/nyheter/julbord", ""); code != 404 {
			t.Fatalf("anonymous reading an employee item: %d", code)
		}
		code, m, _ = e.call(t, "klara", "GET", base+"/revisions", "")
		if code != 200 || len(m["items"].([]any)) != 2 {
			t.Fatalf("revisions: %d %v", code, m)
		}
	})
}

func TestUploads(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	send := func(who, name string, data []byte, origin string) (int, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
		w.Close()
		req := httptest.NewRequest("POST", "/api/v1/admin/media", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", origin)
		req.Header.Set("X-Test-As", who)
		res, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.ReadFrom(res.Body)
		return res.StatusCode, out.String()
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	for _, c := range []struct {
		who, name string
		data      []byte
		origin    string
		want      int
		contains  string
	}{
		{"erik", "a.png", png, "http://torg.test", 403, ""},
		{"klara", "a.png", png, "https://evil.example", 403, "cross_site"},
		{"klara", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "http://torg.test", 422, "SVG"},
		{"klara", "fake.png", []byte("<html><script>alert(1)</script></html>"), "http://torg.test", 422, "only PNG"},
		{"klara", "big.png", append(png, make([]byte, 5<<20)...), "http://torg.test", 422, "larger than 5 MB"},
		{"klara", "../../etc/Passwd Bild.PNG", png, "http://torg.test", 201, `-bild.png"`},
	} {
		code, body := send(c.who, c.name, c.data, c.origin)
		if code != c.want || !strings.Contains(body, c.contains) {
			t.Errorf("%s uploading %s: %d %s, want %d", c.who, c.name, code, body, c.want)
		}
		if code == 201 {
			var m map[string]any
			json.Unmarshal([]byte(body), &m)
			u := m["url"].(string)
			if strings.Contains(u, "..") || !strings.HasPrefix(u, "/media/") {
				t.Fatalf("upload address %s", u)
			}
			get := httptest.NewRequest("GET", u, nil)
			get.Header.Set("X-Test-As", c.who) // on no page yet: for the editorial roles only
			res, _ := e.app.Test(get, -1)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Fatalf("serving %s: %d %s", u, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
	}
}

func (e *editorial) form(t *testing.T, who, target string, vals map[string][]string) (int, string, string) {
	t.Helper()
	f := make([]string, 0)
	for k, vs := range vals {
		for _, v := range vs {
			f = append(f, k+"="+url.QueryEscape(v))
		}
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(strings.Join(f, "&")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://torg.test")
	req.Header.Set("X-Test-As", who)
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return res.StatusCode, res.Header.Get("Location"), buf.String()
}

func TestEditorPages(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	if code, _, _ := e.call(t, "erik", "GET", "/redaktion", ""); code != 404 {
		t.Fatalf("an employee opening the editor: %d", code)
	}
	// The editor's front page, for a communicator and for an admin.
	people["anna"] = access.Viewer{Subject: "anna", Roles: []string{"employee", "admin"}, Level: "password"}
	for _, who := range []string{"klara", "anna"} {
		if code, _, page := e.call(t, who, "GET", "/redaktion", ""); code != 200 || !strings.Contains(page, `href="/redaktion/synpunkter"`) || !strings.Contains(page, `href="/redaktion/halsa"`) {
			t.Fatalf("/redaktion for %s: %d\n%s", who, code, page)
		}
	}
	code, _, page := e.call(t, "klara", "GET", "/redaktion/ny?type=news&section=nyheter", "")
	if code != 200 || !strings.Contains(page, `name="title"`) || !strings.Contains(page, `type="datetime-local" name="publish_at"`) || !strings.Contains(page, "editor.js") {
		t.Fatalf("new form: %d", code)
	}
	fields := map[string][]string{"section": {"nyheter"}, "slug": {"personalfest"}, "lang": {"sv"}, "title": {"Personalfest i december"}, "type": {"news"},
		"summary": {"Alla är välkomna."}, "audience": {"employee", "substitute"}, "tags": {"fest, personal"}, "date": {"2026-11-23"},
		"body": {"Välkommen på **fest** den 11 december."}, "action": {"preview"}}
	code, _, page = e.form(t, "klara", "/redaktion/ny", fields)
	if code != 200 || !strings.Contains(page, "<strong>fest</strong>") {
		t.Fatalf("preview without JavaScript: %d", code)
	}
	fields["action"] = []string{"create"}
	fields["date"] = []string{"23/11"}
	code, _, page = e.form(t, "klara", "/redaktion/ny", fields)
	if code != 422 || !strings.Contains(page, "is not a date") || !strings.Contains(page, "Personalfest i december") {
		t.Fatalf("a bad date keeps what was written and says why: %d", code)
	}
	fields["date"] = []string{"2026-11-23"}
	code, loc, _ := e.form(t, "klara", "/redaktion/ny", fields)
	if code != 303 || !strings.HasPrefix(loc, "/redaktion/") {
		t.Fatalf("create: %d %s", code, loc)
	}
	item := strings.TrimSuffix(loc, "?saved=1")
	code, _, page = e.call(t, "klara", "GET", item, "")
	if code != 200 || !strings.Contains(page, `value="Personalfest i december"`) || !strings.Contains(page, `value="substitute" checked`) || !strings.Contains(page, `value="fest, personal"`) {
		t.Fatalf("the saved item's form: %d", code)
	}
	if code, _, _ := e.form(t, "klara", item, map[string][]string{"action": {"submit"}, "version": {"1"}}); code != 303 {
		t.Fatalf("submit: %d", code)
	}
	_, _, page = e.call(t, "klara", "GET", item, "")
	if strings.Contains(page, `value="approve"`) {
		t.Fatal("the author is offered approval")
	}
	_, _, page = e.call(t, "per", "GET", item, "")
	if !strings.Contains(page, `value="approve"`) || !strings.Contains(page, `value="reject"`) {
		t.Fatal("the publisher is not offered approval")
	}
	if code, _, page := e.form(t, "per", item, map[string][]string{"action": {"reject"}, "version": {"2"}, "comment": {""}}); code != 422 || !strings.Contains(page, "say what the author should change") {
		t.Fatalf("reject without comment: %d", code)
	}
	if code, _, _ := e.form(t, "per", item, map[string][]string{"action": {"approve"}, "version": {"2"}}); code != 303 {
		t.Fatalf("approve: %d", code)
	}
	e.builder.Build(context.Background())
	_, _, home := e.call(t, "erik", "GET", "/", "")
	if !strings.Contains(home, "Personalfest i december") {
		t.Fatal("the approved news is not on the employee's home page")
	}
	// A cross-site form is refused.
	req := httptest.NewRequest("POST", item, strings.NewReader("action=unpublish&version=3&reason=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("X-Test-As", "per")
	if res, _ := e.app.Test(req, -1); res.StatusCode != 403 {
		t.Fatalf("cross-site editor post: %d", res.StatusCode)
	}
}

func TestFeedsAndAuditLog(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	// An employee-only news item and a public one.
	pub := "---\ntitle: Öppet hus\ntype: news\ndate: 2026-11-22\naudience: [public]\nimportant_until: 2026-12-01\n---\nAlla välkomna.\n"
	for path, md := range map[string]string{"nyheter/julbord.md": newsMD, "nyheter/oppet-hus.md": pub} {
		_, m, _ := e.call(t, "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":%q,"markdown":%q}`, path, md))
		id := int(m["id"].(float64))
		e.call(t, "klara", "POST", fmt.Sprintf("/api/v1/admin/items/%d/submit", id), `{"version":1}`)
		e.call(t, "per", "POST", fmt.Sprintf("/api/v1/admin/items/%d/approve", id), `{"version":2}`)
	}
	e.builder.Build(context.Background())
	code, _, feed := e.call(t, "", "GET", "/feeds/nyheter.atom", "")
	if code != 200 || !strings.Contains(feed, "<title>Öppet hus</title>") || strings.Contains(feed, "Julbord för alla") || !strings.Contains(feed, `xmlns="http://www.w3.org/2005/Atom"`) {
		t.Fatalf("public feed: %d %s", code, feed)
	}
	_, m, _ := e.call(t, "erik", "POST", "/api/v1/me/feed", "")
	u := m["url"].(string)
	path := strings.TrimPrefix(u, "http://torg.test")
	_, _, feed = e.call(t, "", "GET", path, "")
	if !strings.Contains(feed, "Julbord för alla") || !strings.Contains(feed, "Öppet hus") {
		t.Fatalf("personal feed: %s", feed)
	}
	if code, _, _ := e.call(t, "", "GET", "/feeds/nyheter/guessed.atom", ""); code != 404 {
		t.Fatalf("a guessed feed address: %d", code)
	}
	e.call(t, "erik", "DELETE", "/api/v1/me/feed", "")
	if code, _, _ := e.call(t, "", "GET", path, ""); code != 404 {
		t.Fatalf("a revoked feed address: %d", code)
	}
	// The important public item leads the home page.
	_, _, home := e.call(t, "erik", "GET", "/", "")
	if i, j := strings.Index(home, "Öppet hus"), strings.Index(home, "Julbord för alla"); i < 0 || j < 0 || i > j || !strings.Contains(home, "Viktigt") {
		t.Fatal("the important news should come first")
	}
	// The audit log: for admins, as JSON and CSV, with formulas neutralised.
	people["anna"] = access.Viewer{Subject: "anna", Roles: []string{"admin"}, Level: "eid"}
	people["=cmd|'/c calc'!A1"] = access.Viewer{Subject: "=cmd|'/c calc'!A1", Roles: []string{"communicator", "employee"}, Level: "eid"}
	e.call(t, "=cmd|'/c calc'!A1", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":"nyheter/x.md","markdown":%q}`, newsMD))
	if code, _, _ := e.call(t, "klara", "GET", "/api/v1/admin/audit", ""); code != 403 {
		t.Fatalf("a communicator reading the audit log: %d", code)
	}
	code, m, _ = e.call(t, "anna", "GET", "/api/v1/admin/audit", "")
	if code != 200 || len(m["items"].([]any)) < 8 {
		t.Fatalf("audit: %d %v", code, m)
	}
	if code, _, page := e.call(t, "anna", "GET", "/redaktion/logg", ""); code != 200 || !strings.Contains(page, `">approve</td>`) {
		t.Fatalf("the audit page: %d", code)
	}
	if code, _, _ := e.call(t, "klara", "GET", "/redaktion/logg", ""); code != 404 {
		t.Fatalf("a communicator opening the audit page: %d", code)
	}
	code, _, csv := e.call(t, "anna", "GET", "/api/v1/admin/audit.csv", "")
	if code != 200 || !strings.HasPrefix(csv, "at,actor,actor_name,action,target,address,details\n") || !strings.Contains(csv, ",per,,approve,nyheter/julbord.md,") || !strings.Contains(csv, `'=cmd|`) {
		t.Fatalf("audit CSV: %d\n%s", code, csv)
	}
}

func publishVia(t *testing.T, e *editorial, path, md string) {
	t.Helper()
	publishAs(t, e, "klara", "per", path, md)
}

// publishAs has writer write the item and approver approve it.
func publishAs(t *testing.T, e *editorial, writer, approver, path, md string) {
	t.Helper()
	code, m, raw := e.call(t, writer, "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":%q,"markdown":%q}`, path, md))
	if code != 201 {
		t.Fatalf("create %s: %d %s", path, code, raw)
	}
	id := int(m["id"].(float64))
	e.call(t, writer, "POST", fmt.Sprintf("/api/v1/admin/items/%d/submit", id), `{"version":1}`)
	if code, _, raw := e.call(t, approver, "POST", fmt.Sprintf("/api/v1/admin/items/%d/approve", id), `{"version":2}`); code != 200 {
		t.Fatalf("approve %s: %d %s", path, code, raw)
	}
}

// A file and an editor item on one address: the file wins, and the clash is reported.
func TestFileWinsOverEditorItemOnOneAddress(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	publishVia(t, e, "inloggning/logga-in.md", "---\ntitle: Kapad inloggningssida\naudience: [public]\n---\nFel text.\n")
	st, err := e.builder.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, _, page := e.call(t, "", "GET", "/inloggning/logga-in", "")
	if !strings.Contains(page, "Så loggar du in") || strings.Contains(page, "Kapad") {
		t.Fatal("the editor item replaced the file")
	}
	found := false
	for _, p := range st.Problems {
		found = found || strings.Contains(p.String(), "database/inloggning/logga-in.md: error: URL /inloggning/logga-in is already used by content/inloggning/logga-in.md")
	}
	if !found {
		t.Fatalf("the clash is not reported: %v", st.Problems)
	}
}

// An approved item with a publish time in the future appears at that minute, and leaves at its expiry.
func TestScheduledEditorItem(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	publishVia(t, e, "nyheter/senare.md", "---\ntitle: Kommer senare\ntype: news\ndate: 2026-11-24\naudience: [public]\npublish_at: 2026-11-24 08:00\nexpire_at: 2026-11-25 00:00\n---\nText.\n")
	e.builder.Build(context.Background())
	clk := e.clock()
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 11, 24, 7, 59, 0, 0, stockholm), 404},
		{time.Date(2026, 11, 24, 8, 0, 0, 0, stockholm), 200},
		{time.Date(2026, 11, 24, 23, 59, 0, 0, stockholm), 200},
		{time.Date(2026, 11, 25, 0, 0, 0, 0, stockholm), 404},
	} {
		clk.Set(c.at)
		if code, _, _ := e.call(t, "erik", "GET", "/nyheter/senare", ""); code != c.want {
			t.Errorf("at %v: %d, want %d", c.at, code, c.want)
		}
	}
}
