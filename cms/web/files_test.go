package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
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

// readers are the people of these tests besides the editorial ones.
var readers = map[string]access.Viewer{
	"sigrid": {Subject: "sigrid", Roles: []string{"substitute"}, Level: "password"},
	"anna":   {Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid"},
	"ulf":    {Subject: "ulf", Roles: []string{"admin", "employee"}, Level: "eid"},
}

// newReading is the editorial site with sign-in in place, so that what an
// anonymous browser is told can be compared with a missing address.
func newReading(t *testing.T, db *store.DB) *editorial {
	t.Helper()
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(),
		content.NewDirSource("content", demo.Files, "", false), publishing.NewSource(db, time.Second))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := New(withStore(db, Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Publishing: publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "sv", Location: stockholm}, b),
		SignIn:     signInURL,
		Viewer: func(c *fiber.Ctx) access.Viewer {
			if v, ok := readers[c.Get("X-Test-As")]; ok {
				return v
			}
			return people[c.Get("X-Test-As")]
		}}))
	if err != nil {
		t.Fatal(err)
	}
	return &editorial{app: srv.App(), builder: b, db: db, clk: clk}
}

// fetch asks for target as who, as a browser does for an image
// (accept "image") or when it navigates ("page").
func (e *editorial) fetch(t *testing.T, who, target, as string, header ...string) (status int, h map[string]string, body string) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("X-Test-As", who)
	if as == "image" {
		req.Header.Set("Sec-Fetch-Mode", "no-cors")
		req.Header.Set("Accept", "image/avif,image/webp,image/png,image/*;q=0.8")
	} else {
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Accept", "text/html")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return res.StatusCode, map[string]string{"Location": res.Header.Get("Location"), "Cache-Control": res.Header.Get("Cache-Control")}, buf.String()
}

// sameAsMissing checks that target answers who exactly as an address that
// does not exist, both to an image request and to a navigation.
func (e *editorial) sameAsMissing(t *testing.T, who, target, missing string) {
	t.Helper()
	for _, as := range []string{"image", "page"} {
		code, h, _ := e.fetch(t, who, target, as)
		wantCode, wantH, _ := e.fetch(t, who, missing, as)
		if code == 200 || code != wantCode || h["Location"] != strings.ReplaceAll(wantH["Location"], escapePath(missing), escapePath(target)) {
			t.Errorf("%s as %q (%s): %d %q; a missing address answers %d %q", target, who, as, code, h["Location"], wantCode, wantH["Location"])
		}
	}
}

func escapePath(p string) string { return strings.ReplaceAll(p, "/", "%2F") }

func uploadAs(t *testing.T, e *editorial, who string) string {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "bild.png")
	fw.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...))
	w.Close()
	req := httptest.NewRequest("POST", "/api/v1/admin/media", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", "http://torg.test")
	req.Header.Set("X-Test-As", who)
	res, err := e.app.Test(req, -1)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("upload: %v %v", res, err)
	}
	var m struct{ URL string }
	json.NewDecoder(res.Body).Decode(&m)
	return m.URL
}

func TestUploadFollowsThePagesThatShowIt(t *testing.T) {
	e := newReading(t, storetest.SQLite(t))
	u := uploadAs(t, e, "klara")
	missing := u[:len("/media/")] + "000000000000000000000000/bild.png"
	rebuild := func() {
		if _, err := e.builder.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	// On no page yet: the editorial roles see it, for previews; nobody else.
	if code, h, _ := e.fetch(t, "klara", u, "image"); code != 200 || h["Cache-Control"] != "private, no-cache" {
		t.Errorf("the uploader before publishing: %d %q", code, h["Cache-Control"])
	}
	e.sameAsMissing(t, "", u, missing)
	e.sameAsMissing(t, "erik", u, missing)

	// On a page for admins only: admins, privately; nobody else, not even
	// the communicator who uploaded it.
	publishAs(t, e, "anna", "ulf", "personal/admin-bild.md", fmt.Sprintf("---\ntitle: Bara för admin\naudience: [admin]\n---\n![bild](%s)\n", u))
	rebuild()
	code, h, _ := e.fetch(t, "anna", u, "image")
	if code != 200 || h["Cache-Control"] != "private, no-cache" {
		t.Errorf("an admin: %d %q, want 200 private, no-cache", code, h["Cache-Control"])
	}
	if code, _, _ := e.fetch(t, "anna", u, "image", "If-None-Match", `"`+strings.Split(u, "/")[2]+`"`); code != 304 {
		t.Errorf("an admin asking again: %d, want 304", code)
	}
	e.sameAsMissing(t, "", u, missing)
	e.sameAsMissing(t, "erik", u, missing)
	e.sameAsMissing(t, "klara", u, missing)

	// On a public page too: anyone, and shared caches may keep it.
	publishVia(t, e, "nyheter/bild-for-alla.md", fmt.Sprintf("---\ntitle: Bild för alla\naudience: [public]\n---\n![bild](%s)\n", u))
	rebuild()
	for _, who := range []string{"", "erik", "anna"} {
		if code, h, _ := e.fetch(t, who, u, "image"); code != 200 || h["Cache-Control"] != "public, max-age=31536000, immutable" {
			t.Errorf("%q once a public page shows it: %d %q", who, code, h["Cache-Control"])
		}
	}
}

func TestAttachmentLinkedFromEditorItemKeepsItsFolder(t *testing.T) {
	e := newReading(t, storetest.SQLite(t))
	const pdf = "/vikarie/checklista-forsta-passet.pdf" // in a section for substitutes and managers
	publishVia(t, e, "nyheter/checklista.md", "---\ntitle: Checklista för alla\naudience: [public]\n---\nLäs [checklistan]("+pdf+").\n")
	if _, err := e.builder.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The public item itself is public, in HTML and in the API.
	if code, _, body := e.fetch(t, "", "/nyheter/checklista", "page"); code != 200 || !strings.Contains(body, pdf) {
		t.Fatalf("the public item: %d", code)
	}
	if code, _, body := e.call(t, "", "GET", "/api/v1/pages/nyheter/checklista", ""); code != 200 || !strings.Contains(body, pdf) {
		t.Fatalf("the public item in the API: %d %s", code, body)
	}
	// The file stays with its folder: hidden like a missing file from
	// anonymous readers and other roles, as the folder's pages are.
	e.sameAsMissing(t, "", pdf, "/vikarie/finns-inte.pdf")
	e.sameAsMissing(t, "erik", pdf, "/vikarie/finns-inte.pdf")
	for _, who := range []string{"", "erik"} {
		if code, _, _ := e.call(t, who, "GET", "/api/v1/pages/vikarie/boka-pass", ""); code == 200 {
			t.Errorf("the API shows %q the page that carries the file", who)
		}
	}
	if code, _, body := e.fetch(t, "sigrid", pdf, "page"); code != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("a substitute: %d", code)
	}
}
