package web

import (
	"bytes"
	"context"
	"fmt"
	htmlstd "html"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/themes"
)

var (
	formInput    = regexp.MustCompile(`<input ([^>]*)>`)
	formTextarea = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	formSelect   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	formOption   = regexp.MustCompile(`<option( value="[^"]*")?( selected)?>([^<]*)`)
	formAttr     = regexp.MustCompile(`(\w+)(?:="([^"]*)")?`)
)

// formValues is what a browser sends from the page's first form as it
// stands: its inputs, ticked boxes, chosen options and text areas.
func formValues(page string) url.Values {
	page, _, _ = strings.Cut(page[strings.Index(page, "<form"):], "</form>")
	vals := url.Values{}
	for _, m := range formInput.FindAllStringSubmatch(page, -1) {
		a := map[string]string{}
		for _, kv := range formAttr.FindAllStringSubmatch(m[1], -1) {
			a[kv[1]] = htmlstd.UnescapeString(kv[2])
		}
		_, checked := a["checked"]
		if a["name"] == "" || a["type"] == "file" || ((a["type"] == "checkbox" || a["type"] == "radio") && !checked) {
			continue
		}
		vals.Add(a["name"], a["value"])
	}
	for _, m := range formTextarea.FindAllStringSubmatch(page, -1) {
		vals.Set(m[1], htmlstd.UnescapeString(m[2]))
	}
	for _, m := range formSelect.FindAllStringSubmatch(page, -1) {
		for i, o := range formOption.FindAllStringSubmatch(m[2], -1) {
			if i == 0 || o[2] != "" { // the chosen option, else the first
				v := o[3]
				if o[1] != "" {
					v = strings.TrimSuffix(strings.TrimPrefix(o[1], ` value="`), `"`)
				}
				vals.Set(m[1], htmlstd.UnescapeString(v))
			}
		}
	}
	return vals
}

// A CRLF item from the API, opened and saved in the HTML editor, keeps
// its front matter once, in front of the body.
func TestEditorSavesCRLFItemWithFrontMatterOnce(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	md := strings.ReplaceAll("---\ntitle: Julbord\ntype: news\ndate: 2026-11-23\naudience: [employee]\n---\nVälkommen på julbord.\n", "\n", "\r\n")
	code, m, raw := e.call(t, "klara", "POST", "/api/v1/admin/items", fmt.Sprintf(`{"path":"nyheter/julbord.md","markdown":%q}`, md))
	if code != 201 {
		t.Fatalf("create: %d %s", code, raw)
	}
	item := fmt.Sprintf("/redaktion/%d", int(m["id"].(float64)))
	code, _, page := e.call(t, "klara", "GET", item, "")
	if code != 200 {
		t.Fatalf("open: %d", code)
	}
	vals := formValues(page)
	vals.Set("action", "save")
	if code, _, page := e.form(t, "klara", item, vals); code != 303 {
		t.Fatalf("save: %d\n%s", code, page)
	}
	_, m, _ = e.call(t, "klara", "GET", "/api/v1/admin/items/"+strings.TrimPrefix(item, "/redaktion/"), "")
	draft, _ := m["draft_markdown"].(string)
	if n := strings.Count(draft, "title: Julbord"); n != 1 || !strings.HasPrefix(draft, "---\n") || !strings.HasSuffix(draft, "\n---\nVälkommen på julbord.\n") {
		t.Fatalf("the saved draft holds its title %d times:\n%s", n, draft)
	}
}

// newNorwegianEditorial is an editor on a bokmål site whose sign-in
// levels and roles are not the demo's.
func newNorwegianEditorial(t *testing.T) *editorial {
	t.Helper()
	db := storetest.SQLite(t)
	clk := clock.NewManual(monday10)
	levels := []string{"low", "high"}
	files := fstest.MapFS{
		"_index.md":         {Data: []byte("---\ntitle: Hjem\naudience: public\n---\n")},
		"nyheter/_index.md": {Data: []byte("---\ntitle: Nyheter\naudience: [ansatt]\n---\n")},
	}
	b := site.NewBuilder(site.Options{DefaultLang: "nb", Location: stockholm, Policy: access.Policy{Levels: levels}}, clk, quietLog(),
		content.NewDirSource("content", files, "", false), publishing.NewSource(db, time.Second))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	who := map[string]access.Viewer{
		"kari": {Subject: "kari", Roles: []string{"communicator", "ansatt"}, Level: "high"},
		"per":  {Subject: "per", Roles: []string{"publisher", "communicator", "ansatt"}, Level: "high"},
		"ola":  {Subject: "ola", Roles: []string{"ansatt"}, Level: "high"},
	}
	srv, err := New(withStore(db, Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "nb",
		Roles: []string{"ansatt", "vikar"}, Levels: levels, Publishing: publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "nb", Location: stockholm, Levels: levels}, b),
		Viewer: func(c *fiber.Ctx) access.Viewer { return who[c.Get("X-Test-As")] }}))
	if err != nil {
		t.Fatal(err)
	}
	return &editorial{app: srv.App(), builder: b, db: db, clk: clk}
}

// On a bokmål site the editor offers the configured levels and roles, and
// an item marked Swedish is stored and served as Swedish.
func TestEditorOnNorwegianSiteWithOwnLevelsAndRoles(t *testing.T) {
	e := newNorwegianEditorial(t)
	code, _, page := e.call(t, "kari", "GET", "/redaktion/ny?section=nyheter", "")
	if code != 200 {
		t.Fatalf("new form: %d", code)
	}
	for _, want := range []string{`<option value="low">low</option>`, `<option value="high">high</option>`, `value="ansatt"`, `value="vikar"`, `value="public"`, `<option value="nb" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	for _, not := range []string{`value="eid"`, `value="otp"`, `value="password"`, `value="substitute"`, `value="manager"`} {
		if strings.Contains(page, not) {
			t.Errorf("the form offers %s, which this site does not have", not)
		}
	}

	vals := formValues(page)
	vals.Set("lang", "sv")
	vals.Set("slug", "julbord")
	vals.Set("title", "Julbord för alla")
	vals.Set("type", "news")
	vals.Set("min_auth", "high")
	vals.Set("audience", "ansatt")
	vals.Set("body", "Välkommen på julbord.")
	vals.Set("action", "create")
	code, loc, page := e.form(t, "kari", "/redaktion/ny", vals)
	if code != 303 {
		t.Fatalf("create: %d\n%s", code, page)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/redaktion/"), "?saved=1")
	_, m, _ := e.call(t, "kari", "GET", "/api/v1/admin/items/"+id, "")
	if m["path"] != "nyheter/julbord.sv.md" {
		t.Fatalf("an item marked Swedish is stored as %v", m["path"])
	}
	e.call(t, "kari", "POST", "/api/v1/admin/items/"+id+"/submit", `{"version":1}`)
	if code, _, raw := e.call(t, "per", "POST", "/api/v1/admin/items/"+id+"/approve", `{"version":2}`); code != 200 {
		t.Fatalf("approve: %d %s", code, raw)
	}
	if _, err := e.builder.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, _, raw := e.call(t, "ola", "GET", "/api/v1/pages/sv/nyheter/julbord", "")
	if code != 200 || !strings.Contains(raw, `"lang":"sv"`) || !strings.Contains(raw, "Julbord för alla") {
		t.Fatalf("the Swedish item: %d %s", code, raw)
	}
	if code, _, _ := e.call(t, "ola", "GET", "/api/v1/pages/nyheter/julbord", ""); code != 404 {
		t.Fatalf("the Swedish item is also served as bokmål: %d", code)
	}
}

// An image uploaded from the editor keeps its name in its address, with
// the Nordic letters folded, not dropped.
func TestEditorUploadNamesTheImageAfterItsFile(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	for _, c := range []struct{ file, want string }{
		{"Smörgåstårta på fredag.PNG", "/smorgastarta-pa-fredag.png"},
		{`C:\Bilder\Blåbærsyltetøy.png`, "/blabaersyltetoy.png"},
		{"Café Öst.jpeg.png", "/cafe-ost.png"},
		{"…", "/bild.png"},
	} {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", c.file)
		fw.Write(png)
		w.WriteField("item", "7")
		w.Close()
		req := httptest.NewRequest("POST", "/redaktion/media", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", "http://torg.test")
		req.Header.Set("X-Test-As", "klara")
		res, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != 303 || loc == nil || loc.Path != "/redaktion/7" {
			t.Fatalf("%s: %d %s", c.file, res.StatusCode, res.Header.Get("Location"))
		}
		if got := loc.Query().Get("uploaded"); !strings.HasPrefix(got, "/media/") || !strings.HasSuffix(got, c.want) || strings.Count(got, "/") != 3 {
			t.Errorf("%s is stored as %s, want a name of %s", c.file, got, c.want)
		}
	}
}
