package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestMarkdownBeyondLimitsRefused: Markdown that would take goldmark
// seconds is answered at once with what is wrong and where, in the
// reader's language, and is not saved.
func TestMarkdownBeyondLimitsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEditorial(t, db)
		send := func(lang, url, md string, extra string) (int, map[string]any, string) {
			t.Helper()
			var js bytes.Buffer
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false)
			enc.Encode(md)
			req := httptest.NewRequest("POST", url, strings.NewReader(`{`+extra+`"markdown":`+strings.TrimSpace(js.String())+`}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", "http://torg.test")
			req.Header.Set("X-Test-As", "klara")
			req.Header.Set("Accept-Language", lang)
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
		for _, c := range []struct {
			name, lang, url, extra, md string
			status                     int
			want                       string
		}{
			{"deep quotes", "sv", "/api/v1/admin/preview", "", strings.Repeat(">", 200<<10), 422, "Rad 1: citat och listor ligger i mer än 32 nivåer"},
			{"deep quotes, in English", "en", "/api/v1/admin/preview", "", "---\ntitle: x\n---\nText\n\n" + strings.Repeat("> ", 40) + "x\n", 422, "Line 6: quotes and lists are nested more than 32 levels deep"},
			{"marks", "nb", "/api/v1/admin/preview", "", strings.Repeat("*a_", 600<<10/3), 413, "Teksten er større enn 512 KB"},
			{"marks in a paragraph", "nn", "/api/v1/admin/preview", "", strings.Repeat("*a_", 1000), 422, "Linje 1: eitt avsnitt har fleire enn 128 teikn for utheving"},
			{"new item", "sv", "/api/v1/admin/items", `"path":"nyheter/djup.md",`, strings.Replace(newsMD, "julbord", strings.Repeat("[a](", 300), 1), 422, "Rad 7: ett stycke har fler än 128 länkar"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, m, raw := send(c.lang, c.url, c.md, c.extra)
				if code != c.status || !strings.Contains(raw, c.want) {
					t.Fatalf("%d %.300s\nwant %d and %q", code, raw, c.status, c.want)
				}
				if f, _ := m["error"].(map[string]any)["fields"].(map[string]any); f["markdown"] == nil {
					t.Fatalf("no field named: %s", raw)
				}
			})
		}
		_, m, raw := e.call(t, "klara", "GET", "/api/v1/admin/items", "")
		if strings.Contains(raw, "djup") {
			t.Fatalf("the refused item was saved: %v", m)
		}
		code, _, raw := send("sv", "/api/v1/admin/preview", "# Rubrik\n\n"+strings.Repeat("> ", 32)+"x\n", "")
		if code != 200 || !strings.Contains(raw, "blockquote") {
			t.Fatalf("32 levels should render: %d %s", code, fmt.Sprintf("%.200s", raw))
		}
	})
}

// TestUnrenderedPageSaysSo: a published page beyond the rendering limits
// says, in its language, that it cannot be shown; the site still serves.
func TestUnrenderedPageSaysSo(t *testing.T) {
	fsys := fstest.MapFS{
		"_index.md": {Data: []byte("---\ntitle: Start\naudience: public\n---\nVälkommen.\n")},
		"djup.md":   {Data: []byte("---\ntitle: Djup\naudience: public\n---\n" + strings.Repeat(">", 10<<10) + "\n")},
	}
	f := newFixture(t, monday10, func(d *Deps) {
		b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, d.Clock, quietLog(), content.NewDirSource("content", fsys, "", false))
		if _, err := b.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		d.Sites = b
	})
	r := f.do(t, "GET", "/djup", nil)
	if r.status != 200 || !strings.Contains(r.body, "Sidan kan inte visas just nu") || strings.Contains(r.body, "&gt;&gt;") {
		t.Fatalf("%d %.2000s", r.status, r.body)
	}
	if r := f.do(t, "GET", "/", nil); r.status != 200 || !strings.Contains(r.body, "Välkommen") {
		t.Fatalf("start page: %d", r.status)
	}
}

// TestEditorFormRefusesMarkdownBeyondLimits: the editor's own form says
// what is wrong beside the text, keeps the text, and saves nothing.
func TestEditorFormRefusesMarkdownBeyondLimits(t *testing.T) {
	e := newEditorial(t, storetest.SQLite(t))
	deep := "Inledning\n\n" + strings.Repeat("> ", 40) + "x\n"
	fields := map[string][]string{"section": {"nyheter"}, "slug": {"djup"}, "lang": {"sv"}, "title": {"Djupt citat"}, "type": {"news"},
		"audience": {"employee"}, "date": {"2026-11-23"}, "body": {deep}, "action": {"preview"}}
	for _, action := range []string{"preview", "create"} {
		fields["action"] = []string{action}
		code, _, page := e.form(t, "klara", "/redaktion/ny", fields)
		if code != 422 || !strings.Contains(page, "Rad 3: citat och listor ligger i mer än 32 nivåer") || !strings.Contains(page, "Djupt citat") {
			t.Fatalf("%s: %d", action, code)
		}
	}
	fields["body"], fields["action"] = []string{"Inledning"}, []string{"create"}
	code, loc, _ := e.form(t, "klara", "/redaktion/ny", fields)
	if code != 303 {
		t.Fatalf("create: %d", code)
	}
	item := strings.TrimSuffix(loc, "?saved=1")
	fields["body"], fields["action"], fields["version"] = []string{strings.Repeat("[a](", 300)}, []string{"save"}, []string{"1"}
	code, _, page := e.form(t, "klara", item, fields)
	if code != 422 || !strings.Contains(page, "Rad 1: ett stycke har fler än 128 länkar") {
		t.Fatalf("save: %d", code)
	}
	if _, _, raw := e.call(t, "klara", "GET", "/api/v1/admin/items", ""); strings.Contains(raw, `"version":2`) {
		t.Fatalf("the refused text was saved: %s", raw)
	}
}
