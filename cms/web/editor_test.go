package web

import (
	"fmt"
	htmlstd "html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/store/storetest"
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
		if a["name"] == "" || a["type"] == "file" || (a["type"] == "checkbox" && !checked) {
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
	_, m, raw = e.call(t, "klara", "GET", "/api/v1/admin/items/"+strings.TrimPrefix(item, "/redaktion/"), "")
	draft, _ := m["draft_markdown"].(string)
	if n := strings.Count(draft, "title: Julbord"); n != 1 || !strings.HasPrefix(draft, "---\n") || !strings.HasSuffix(draft, "\n---\nVälkommen på julbord.\n") {
		t.Fatalf("the saved draft holds its title %d times:\n%s", n, draft)
	}
}
