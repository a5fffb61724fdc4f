package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// auditRig is the demo site with the editor, tiles and feedback on one
// database, a manual clock, and the viewer named by X-Test-As.
type auditRig struct {
	app *fiber.App
	db  *store.DB
	clk *clock.Manual
}

var auditPeople = map[string]access.Viewer{
	"klara": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid"},
	"per":   {Subject: "per", Roles: []string{"publisher", "communicator", "employee"}, Level: "eid"},
	"erik":  {Subject: "erik", Roles: []string{"employee"}, Level: "password"},
	"anna":  {Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid"},
}

func newAuditRig(t *testing.T, db *store.DB) *auditRig {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(),
		content.NewDirSource("content", demo.Files, "", false), publishing.NewSource(db, time.Second))
	if _, err := b.Build(ctx); err != nil {
		t.Fatal(err)
	}
	tileSvc := tiles.NewService(db, clk, quietLog(), access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
	seed, err := demo.Files.ReadFile("tiles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tileSvc.Seed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withStore(db, Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Publishing: publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "sv", Location: stockholm}, b),
		Tiles:      tileSvc, Feedback: feedback.New(db, clk, quietLog(), 1000, time.Minute),
		Viewer: func(c *fiber.Ctx) access.Viewer { return auditPeople[c.Get("X-Test-As")] }}))
	if err != nil {
		t.Fatal(err)
	}
	return &auditRig{app: srv.App(), db: db, clk: clk}
}

// do sends a request as who; body is JSON, a url.Values form, or a
// *multipart.Writer's finished buffer with its content type.
func (r *auditRig) do(t *testing.T, who, method, target string, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case string:
		rd = strings.NewReader(b)
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case upload:
		rd, ctype = bytes.NewReader(b.data), b.ctype
	case nil:
	default:
		t.Fatalf("body %T", body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", "http://torg.test")
	req.Header.Set("X-Test-As", who)
	res, err := r.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

type upload struct {
	data  []byte
	ctype string
}

func pngUpload(t *testing.T) upload {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "karta.png")
	fw.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...))
	w.Close()
	return upload{buf.Bytes(), w.FormDataContentType()}
}

// create makes an item as klara and takes it as far as approver lets it
// go: "" leaves a draft, "submit" sends it for review, "approve" publishes.
func (r *auditRig) create(t *testing.T, path, upto string) int64 {
	t.Helper()
	code, raw := r.do(t, "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":%q,"markdown":%q}`, path, newsMD))
	var m struct{ ID int64 }
	if json.Unmarshal([]byte(raw), &m); code != 201 {
		t.Fatalf("create %s: %d %s", path, code, raw)
	}
	if upto == "" {
		return m.ID
	}
	if code, raw := r.do(t, "klara", "POST", fmt.Sprintf("/api/v1/admin/items/%d/submit", m.ID), `{"version":1}`); code != 200 {
		t.Fatalf("submit %s: %d %s", path, code, raw)
	}
	if upto == "approve" {
		if code, raw := r.do(t, "per", "POST", fmt.Sprintf("/api/v1/admin/items/%d/approve", m.ID), `{"version":2}`); code != 200 {
			t.Fatalf("approve %s: %d %s", path, code, raw)
		}
	}
	return m.ID
}

// refuseAudit makes the database refuse every new audit entry, as a full
// disk or a revoked grant would, until the returned func is called.
func refuseAudit(t *testing.T, db *store.DB) (restore func()) {
	t.Helper()
	g := db.Gorm()
	var stmts []string
	var drop []string
	if db.Dialect() == "postgres" {
		stmts = []string{
			`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$`,
			`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
		}
		drop = []string{`DROP TRIGGER refuse_audit ON audit_entries`, `DROP FUNCTION refuse_audit()`}
	} else {
		stmts = []string{`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'no audit'); END`}
		drop = []string{`DROP TRIGGER refuse_audit`}
	}
	for _, s := range stmts {
		if err := g.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, s := range drop {
			if err := g.Exec(s).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

func count(t *testing.T, db *store.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A change whose audit entry cannot be written does not happen: the
// person is told so, and the database is as it was.
func TestAuditedChangeNotMadeWhenAuditFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newAuditRig(t, db)
		draft := r.create(t, "nyheter/utkast.md", "")
		inReview := r.create(t, "nyheter/granskas.md", "submit")
		live := r.create(t, "nyheter/publicerad.md", "approve")
		if code, raw := r.do(t, "erik", "POST", "/api/v1/feedback", `{"path":"/inloggning/logga-in","helpful":false,"comment":"Oklart"}`); code != 201 {
			t.Fatalf("feedback: %d %s", code, raw)
		}
		answers, _ := db.FeedbackList(ctx, store.FeedbackFilter{}, 0)
		if len(answers) != 1 {
			t.Fatalf("answers: %d", len(answers))
		}
		answer := answers[0].ID
		code, raw := r.do(t, "erik", "POST", "/api/v1/me/feed", nil)
		var feed struct{ URL string }
		if json.Unmarshal([]byte(raw), &feed); code != 201 {
			t.Fatalf("feed address: %d %s", code, raw)
		}
		erikFeed := strings.TrimPrefix(feed.URL, "http://torg.test")
		newTile := `{"id":"nytt-system","title":{"sv":"Nytt system"},"url":"https://nytt.example/","category":"stod","audience":["employee"]}`
		if code, raw := r.do(t, "anna", "POST", "/api/v1/admin/tiles", newTile); code != 201 {
			t.Fatalf("tile: %d %s", code, raw)
		}
		entries := count(t, db, "audit_entries", "1 = 1")
		media := count(t, db, "media", "1 = 1")

		restore := refuseAudit(t, db)
		refused := func(name string, code int, raw string) {
			t.Helper()
			if code != 503 || !strings.Contains(raw, "audit_unavailable") || !strings.Contains(raw, "nothing was changed") {
				t.Errorf("%s with the audit log refused: %d %.300s", name, code, raw)
			}
		}
		item := func(id int64) *store.Item {
			t.Helper()
			it, err := db.ItemByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		revisions := func(id int64) int {
			revs, _ := db.Revisions(ctx, id)
			return len(revs)
		}

		// The editor's items, through the API.
		code, raw = r.do(t, "klara", "PUT", fmt.Sprintf("/api/v1/admin/items/%d", draft), fmt.Sprintf(`{"version":1,"markdown":%q}`, newsMD+"Ändrat.\n"))
		refused("saving", code, raw)
		if it := item(draft); it.Version != 1 || revisions(draft) != 1 {
			t.Errorf("the save happened: version %d, %d revisions", it.Version, revisions(draft))
		}
		code, raw = r.do(t, "klara", "POST", fmt.Sprintf("/api/v1/admin/items/%d/submit", draft), `{"version":1}`)
		refused("submitting", code, raw)
		if it := item(draft); it.Status != store.StatusDraft || it.Version != 1 {
			t.Errorf("the submit happened: %s, version %d", it.Status, it.Version)
		}
		code, raw = r.do(t, "per", "POST", fmt.Sprintf("/api/v1/admin/items/%d/approve", inReview), `{"version":2}`)
		refused("approving", code, raw)
		if it := item(inReview); it.Status != store.StatusInReview || it.PublishedRev != 0 || it.Version != 2 {
			t.Errorf("the approval happened: %s, published revision %d", it.Status, it.PublishedRev)
		}
		code, raw = r.do(t, "per", "POST", fmt.Sprintf("/api/v1/admin/items/%d/unpublish", live), `{"version":3,"reason":"Inaktuell"}`)
		refused("unpublishing", code, raw)
		if it := item(live); it.Status != store.StatusPublished || it.Version != 3 {
			t.Errorf("the unpublishing happened: %s", it.Status)
		}
		code, raw = r.do(t, "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":"nyheter/ny.md","markdown":%q}`, newsMD))
		refused("creating", code, raw)
		if _, err := db.ItemByPath(ctx, "nyheter/ny.md"); err == nil {
			t.Error("the item was created")
		}
		// The HTML editor says it in the reader's language.
		code, raw = r.do(t, "klara", "POST", fmt.Sprintf("/redaktion/%d", draft), url.Values{"action": {"save"}, "version": {"1"}, "body": {"Ändrat i formuläret.\n"}, "title": {"Julbord"}, "type": {"news"}, "date": {"2026-11-23"}, "audience": {"employee"}})
		if code != 503 || !strings.Contains(raw, "Händelseloggen kan inte skrivas just nu, så ingenting har ändrats") {
			t.Errorf("the editor's form with the audit log refused: %d", code)
		}
		if it := item(draft); it.Version != 1 || revisions(draft) != 1 {
			t.Errorf("the form's save happened: version %d, %d revisions", it.Version, revisions(draft))
		}

		// Uploads.
		code, raw = r.do(t, "klara", "POST", "/api/v1/admin/media", pngUpload(t))
		refused("uploading", code, raw)
		if n := count(t, db, "media", "1 = 1"); n != media {
			t.Errorf("the upload was stored: %d images, %d before", n, media)
		}

		// Feed addresses.
		code, raw = r.do(t, "klara", "POST", "/api/v1/me/feed", nil)
		refused("making a feed address", code, raw)
		if n := count(t, db, "feed_tokens", "subject = ?", "klara"); n != 0 {
			t.Errorf("the feed address was stored: %d", n)
		}
		code, raw = r.do(t, "erik", "DELETE", "/api/v1/me/feed", nil)
		refused("revoking feed addresses", code, raw)
		if code, _ := r.do(t, "", "GET", erikFeed, nil); code != 200 {
			t.Errorf("the revocation happened: the feed answers %d", code)
		}

		// The feedback dashboard.
		code, raw = r.do(t, "klara", "PATCH", fmt.Sprintf("/api/v1/admin/feedback/%d", answer), `{"status":"handled","note":"Svarat"}`)
		refused("filing an answer", code, raw)
		if fb, _ := db.FeedbackByID(ctx, answer); fb.Status != store.FeedbackNew || fb.Note != "" {
			t.Errorf("the answer was filed: %s %q", fb.Status, fb.Note)
		}

		// Tiles.
		code, raw = r.do(t, "anna", "POST", "/api/v1/admin/tiles", strings.Replace(newTile, "nytt-system", "annat-system", 1))
		refused("creating a tile", code, raw)
		if n := count(t, db, "tile_rows", "id = ?", "annat-system"); n != 0 {
			t.Error("the tile was created")
		}
		code, raw = r.do(t, "anna", "PUT", "/api/v1/admin/tiles/nytt-system", strings.Replace(newTile, "Nytt system", "Bytt namn", 1))
		refused("changing a tile", code, raw)
		if n := count(t, db, "tile_rows", "data LIKE ?", "%Bytt namn%"); n != 0 {
			t.Error("the tile was changed")
		}
		code, raw = r.do(t, "anna", "DELETE", "/api/v1/admin/tiles/nytt-system", nil)
		refused("deleting a tile", code, raw)
		if n := count(t, db, "tile_rows", "id = ?", "nytt-system"); n != 1 {
			t.Error("the tile was deleted")
		}
		code, raw = r.do(t, "anna", "PUT", "/api/v1/admin/tiles/nytt-system/icon", upload{append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...), "image/png"})
		refused("giving a tile an icon", code, raw)
		if n := count(t, db, "tile_icons", "1 = 1"); n != 0 {
			t.Error("the icon was stored")
		}
		code, raw = r.do(t, "klara", "POST", "/api/v1/tiles/lonewebben/notices", `{"text":"Stängt för underhåll","starts_at":"2026-11-23T18:00:00+01:00","ends_at":"2026-11-23T20:00:00+01:00"}`)
		refused("putting a notice on a tile", code, raw)
		if n := count(t, db, "tile_notices", "1 = 1"); n != 0 {
			t.Error("the notice was stored")
		}

		if n := count(t, db, "audit_entries", "1 = 1"); n != entries {
			t.Errorf("audit entries: %d, %d before", n, entries)
		}
		// Once the log can be written again, the same change goes through.
		restore()
		code, raw = r.do(t, "klara", "PUT", fmt.Sprintf("/api/v1/admin/items/%d", draft), fmt.Sprintf(`{"version":1,"markdown":%q}`, newsMD+"Ändrat.\n"))
		if code != 200 || item(draft).Version != 2 {
			t.Errorf("saving with the audit log back: %d %.300s", code, raw)
		}
	})
}

// Every audit entry carries the time of the injected clock when the change
// was made, and every audited change has its entry.
func TestAuditEntriesTakeTheInjectedClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newAuditRig(t, db)
		want := map[string]time.Time{} // action target → when it was done
		step := func(action, target, who, method, path string, body any, status int) {
			t.Helper()
			r.clk.Advance(7*time.Minute + 3*time.Second)
			if code, raw := r.do(t, who, method, path, body); code != status {
				t.Fatalf("%s %s: %d %.300s", method, path, code, raw)
			}
			want[action+" "+target] = r.clk.Now().UTC()
		}
		step("create", "nyheter/julbord.md", "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":"nyheter/julbord.md","markdown":%q}`, newsMD), 201)
		items, _ := db.Items(ctx)
		id := items[0].ID
		if !items[0].UpdatedAt.Equal(want["create nyheter/julbord.md"]) {
			t.Errorf("the new item says it changed at %s, the clock said %s", items[0].UpdatedAt, want["create nyheter/julbord.md"])
		}
		step("save", "nyheter/julbord.md", "klara", "PUT", fmt.Sprintf("/api/v1/admin/items/%d", id), fmt.Sprintf(`{"version":1,"markdown":%q}`, newsMD+"Mer.\n"), 200)
		step("submit", "nyheter/julbord.md", "klara", "POST", fmt.Sprintf("/api/v1/admin/items/%d/submit", id), `{"version":2}`, 200)
		step("approve", "nyheter/julbord.md", "per", "POST", fmt.Sprintf("/api/v1/admin/items/%d/approve", id), `{"version":3}`, 200)
		r.clk.Advance(time.Minute)
		code, raw := r.do(t, "klara", "POST", "/api/v1/admin/media", pngUpload(t))
		var up struct{ URL string }
		if json.Unmarshal([]byte(raw), &up); code != 201 {
			t.Fatalf("upload: %d %s", code, raw)
		}
		want["upload "+up.URL] = r.clk.Now().UTC()
		step("feed-token", "", "erik", "POST", "/api/v1/me/feed", nil, 201)
		step("feed-token-revoke", "", "erik", "DELETE", "/api/v1/me/feed", nil, 204)
		r.do(t, "erik", "POST", "/api/v1/feedback", `{"path":"/inloggning/logga-in","helpful":true}`)
		answers, _ := db.FeedbackList(ctx, store.FeedbackFilter{}, 0)
		if len(answers) != 1 {
			t.Fatalf("answers: %d", len(answers))
		}
		answer := fmt.Sprint(answers[0].ID)
		step("feedback-handled", answer, "klara", "PATCH", "/api/v1/admin/feedback/"+answer, `{"status":"handled"}`, 204)
		tile := `{"id":"nytt-system","title":{"sv":"Nytt system"},"url":"https://nytt.example/","category":"stod","audience":["employee"]}`
		step("tile-save", "nytt-system", "anna", "POST", "/api/v1/admin/tiles", tile, 201)
		step("tile-delete", "nytt-system", "anna", "DELETE", "/api/v1/admin/tiles/nytt-system", nil, 204)

		entries, err := db.AuditLog(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			key := e.Action + " " + e.Target
			when, ok := want[key]
			if !ok {
				continue
			}
			if !e.At.Equal(when) {
				t.Errorf("%s: the entry says %s, the clock said %s", key, e.At.UTC().Format(time.RFC3339Nano), when.Format(time.RFC3339Nano))
			}
			delete(want, key)
		}
		for key := range want {
			t.Errorf("%s: no audit entry", key)
		}
	})
}
