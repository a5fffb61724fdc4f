package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/app"
	"github.com/torg-cms/torg/cms/app/apptest"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/search"
)

// siteConfig is one way to configure a site other than the demo's: its
// default language, its sign-in levels and its role names.
type siteConfig struct {
	name string
	args []string // torg serve's flags for the configuration

	lang, otherLang string // the default language, and one the editor may also choose
	weak, strong    string // two of the configured levels, weakest first
	reader, other   string // a role the page is for, and one it is not for
	editor          string // the role the configuration grants editing to
	approver        string // the role the configuration grants approving to
	unknownLevel    string // a level the configuration does not know
	word, query     string // a word of the page, and a query that finds it only through the language's stemmer
}

var siteConfigs = []siteConfig{
	{
		name: "bokmål, basis and sterk, Norwegian roles",
		args: []string{"--default-lang", "nb", "--auth-levels", "basis sterk", "--auth-level-map", "amr:pwd=basis, amr:mfa=sterk", "--default-roles", "ansatt",
			"--oidc-role-map", "G-Vikarer=vikar, G-Redaksjon=redaktor",
			"--grants", "edit-content=redaktor; approve=redaktor; view-reports=redaktor; post-notice=redaktor; manage-tiles=redaktor; view-audit=redaktor"},
		lang: "nb", otherLang: "sv", weak: "basis", strong: "sterk",
		reader: "ansatt", other: "vikar", editor: "redaktor", approver: "redaktor", unknownLevel: "eid",
		word: "dokumentet", query: "dokument",
	},
	{
		name: "English, three levels, English roles",
		args: []string{"--default-lang", "en", "--auth-levels", "low medium high", "--auth-level-map", "amr:pwd=low, amr:otp=medium, amr:mfa=high", "--default-roles", "staff",
			"--oidc-role-map", "G-Temps=temp, G-Web=editor, G-Chief=chief",
			"--grants", "edit-content=editor chief; approve=chief; view-reports=editor chief; post-notice=editor chief; manage-tiles=chief; view-audit=chief"},
		lang: "en", otherLang: "nb", weak: "medium", strong: "high",
		reader: "staff", other: "temp", editor: "editor", approver: "chief", unknownLevel: "password",
		word: "policies", query: "policy",
	},
	{
		name: "Swedish, two Swedish levels, Swedish roles",
		args: []string{"--auth-levels", "enkel stark", "--auth-level-map", "amr:pwd=enkel, amr:mfa=stark", "--default-roles", "medarbetare",
			"--oidc-role-map", "G-Vik=timvikarie, G-Kom=skribent, G-Pub=ansvarig",
			"--grants", "edit-content=skribent ansvarig; approve=ansvarig; view-reports=skribent ansvarig; post-notice=skribent; manage-tiles=ansvarig; view-audit=ansvarig"},
		lang: "sv", otherLang: "en", weak: "enkel", strong: "stark",
		reader: "medarbetare", other: "timvikarie", editor: "skribent", approver: "ansvarig", unknownLevel: "otp",
		word: "rutinerna", query: "rutin",
	},
}

// writeSite writes a content folder: a public start page, and one page and
// one tile (titled in several languages) for readers holding c.reader,
// signed in at minAuth.
func writeSite(t *testing.T, c siteConfig, minAuth string) string {
	dir := t.TempDir()
	files := map[string]string{
		"_index.md":      "---\ntitle: Start\naudience: public\n---\nStart.\n",
		"intern/side.md": "---\ntitle: Intern side\naudience: [" + c.reader + "]\nmin_auth: " + minAuth + "\n---\nOm " + c.word + " och mer.\n",
		"tiles.yaml": "categories:\n  - id: verktyg\n    title: {" + c.lang + ": Verktyg}\ntiles:\n  - id: lonn\n    category: verktyg\n" +
			"    title: {sv: Lonnsystemet, nb: Lonnsystemet, en: Lonnsystemet}\n    url: https://lonn.example/\n    audience: [" + c.reader + "]\n    min_auth: " + minAuth + "\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOtherConfigurations runs check, serve, the editor and search on sites
// configured with another default language, other sign-in levels and
// other role names than the demo's.
func TestOtherConfigurations(t *testing.T) {
	for _, c := range siteConfigs {
		t.Run(c.name, func(t *testing.T) {
			t.Run("check", func(t *testing.T) { checkConfig(t, c) })
			t.Run("serve, editor and search", func(t *testing.T) { serveConfig(t, c) })
			t.Run("index --rebuild", func(t *testing.T) { rebuildConfig(t, c) })
		})
	}
}

// checkConfig builds the site the way torg check does.
func checkConfig(t *testing.T, c siteConfig) {
	check := func(dir string) []string {
		a := apptest.New(t, apptest.Parts(app.Site), apptest.Args(append(slices.Clone(c.args), "--content", dir)...))
		var out []string
		for _, p := range a.Sites.Current().Problems {
			out = append(out, p.String())
		}
		return out
	}
	if problems := check(writeSite(t, c, c.strong)); len(problems) > 0 {
		t.Errorf("check reports problems in valid content: %q", problems)
	}
	widened := writeSite(t, c, c.strong)
	for name, text := range map[string]string{
		"intern/_index.md":                     "---\ntitle: Intern\naudience: [" + c.reader + "]\n---\n",
		"intern/_index." + c.otherLang + ".md": "---\ntitle: Intern\naudience: public\n---\n",
	} {
		if err := os.WriteFile(filepath.Join(widened, filepath.FromSlash(name)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := "audience is wider than the folder's own in the default language (" + c.lang + ")"
	if problems := check(widened); len(problems) != 1 || !strings.Contains(problems[0], want) {
		t.Errorf("check of a translation that widens its folder: got %q, want one problem saying %s", problems, want)
	}
	problems := check(writeSite(t, c, c.unknownLevel))
	want = `unknown sign-in level "` + c.unknownLevel + `"`
	if len(problems) != 1 || !strings.Contains(problems[0], want) || !strings.Contains(problems[0], c.strong) {
		t.Errorf("check of min_auth: %s: got %q, want one problem saying %s and naming %s", c.unknownLevel, problems, want, c.strong)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// searchFindsForReaderOnly: the page and the tile are found, in the
// site's default language, by the reader and not by the other.
func searchFindsForReaderOnly(t *testing.T, c siteConfig, idx *search.Index, reader, other access.Viewer) {
	t.Helper()
	for _, who := range []access.Viewer{reader, other} {
		for query, hit := range map[string]string{c.query: "/intern/side " + c.lang, "lonnsystemet": "/go/lonn " + c.lang} {
			res, err := idx.Search(context.Background(), search.Request{Query: query, Viewer: who, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			var hits []string
			for _, h := range res.Hits {
				hits = append(hits, h.URL+" "+h.Lang)
			}
			if got, want := slices.Contains(hits, hit), who.Subject == reader.Subject; got != want {
				t.Errorf("search %q as %v: hits %q; want %s found: %v", query, who.Roles, hits, hit, want)
			}
		}
	}
}

// rebuildConfig builds the index the way torg index --rebuild does.
func rebuildConfig(t *testing.T, c siteConfig) {
	dir := writeSite(t, c, c.strong)
	a := apptest.New(t, apptest.Parts(app.Site|app.Store|app.Index), apptest.Args(append(slices.Clone(c.args), "--content", dir, "--tiles", filepath.Join(dir, "tiles.yaml"))...))
	if _, err := a.ImportTiles(context.Background(), []byte(readFile(t, filepath.Join(dir, "tiles.yaml")))); err != nil {
		t.Fatal(err)
	}
	n, err := a.RebuildIndex(context.Background(), nil)
	if err != nil || n < 3 {
		t.Fatalf("rebuild: %d documents, %v", n, err)
	}
	searchFindsForReaderOnly(t, c, a.Index,
		access.Viewer{Subject: "reader", Roles: []string{c.reader}, Level: c.strong},
		access.Viewer{Subject: "other", Roles: []string{c.other}, Level: c.strong})
}

// viewerClient is a browser holding a session with the given roles and level.
type viewerClient struct {
	base   string
	cookie *http.Cookie
	viewer access.Viewer
}

func signedIn(t *testing.T, a *app.App, subject, level string, roles ...string) viewerClient {
	t.Helper()
	token := "token-" + subject + "-" + strings.Repeat("x", 32)
	sum := sha256.Sum256([]byte(token))
	now := a.Clock.Now()
	if err := a.DB.CreateSession(context.Background(), &store.Session{
		ID: hex.EncodeToString(sum[:]), Subject: subject, Name: subject, Roles: strings.Join(roles, " "), Level: level,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	return viewerClient{
		base: "http://" + a.Config.Listen, cookie: &http.Cookie{Name: a.Auth.CookieName(), Value: token},
		viewer: access.Viewer{Subject: subject, Roles: roles, Level: level},
	}
}

func (v viewerClient) do(t *testing.T, method, path string, form url.Values) (int, string, *url.URL) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, v.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", v.base)
	}
	if v.cookie != nil {
		req.AddCookie(v.cookie)
	}
	client := http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	loc, _ := res.Location()
	return res.StatusCode, string(data), loc
}

// serveConfig runs Torg on the site and asks it as different people.
func serveConfig(t *testing.T, c siteConfig) {
	ctx := context.Background()
	args := append(slices.Clone(c.args), "--content", writeSite(t, c, c.strong),
		// Sign-in is configured; sessions are made here, so the provider is never asked.
		"--oidc-issuer", "http://127.0.0.1:9/idp", "--oidc-client-id", "torg", "--check-links=false")
	a := apptest.New(t, apptest.Args(args...), apptest.Run())
	const page, marker = "/intern/side", "Intern side"

	reader := signedIn(t, a, "reader", c.strong, c.reader)
	weak := signedIn(t, a, "weak", c.weak, c.reader)
	other := signedIn(t, a, "other", c.strong, c.other)
	editor := signedIn(t, a, "editor", c.strong, c.editor, c.reader)
	anonymous := viewerClient{base: reader.base}

	// serve
	if status, body, _ := reader.do(t, "GET", page, nil); status != http.StatusOK || !strings.Contains(body, marker) {
		t.Errorf("%s at %s: %d, page shown %v; want 200 and the page", c.reader, c.strong, status, strings.Contains(body, marker))
	}
	if status, body, _ := weak.do(t, "GET", page, nil); status != http.StatusForbidden || strings.Contains(body, c.word) ||
		!strings.Contains(body, "level="+c.strong) || strings.Contains(body, "level."+c.strong) {
		t.Errorf("%s at %s: %d, level named %v; want 403 asking to sign in at %s, by its name", c.reader, c.weak, status, !strings.Contains(body, "level."+c.strong), c.strong)
	}
	if status, body, _ := other.do(t, "GET", page, nil); status != http.StatusNotFound || strings.Contains(body, c.word) {
		t.Errorf("%s at %s: %d; want 404", c.other, c.strong, status)
	}
	if status, body, _ := anonymous.do(t, "GET", page, nil); status == http.StatusOK || strings.Contains(body, c.word) {
		t.Errorf("anonymous: %d; want to be asked to sign in", status)
	}

	// the start page, in the default language, with the reader's tile
	if status, body, _ := reader.do(t, "GET", "/", nil); status != http.StatusOK || !strings.Contains(body, `<html lang="`+c.lang+`"`) || !strings.Contains(body, "Lonnsystemet") {
		t.Errorf("start page for %s: %d, in %s %v, tile shown %v", c.reader, status, c.lang, strings.Contains(body, `<html lang="`+c.lang+`"`), strings.Contains(body, "Lonnsystemet"))
	}
	if status, _, loc := reader.do(t, "GET", "/go/lonn", nil); status != http.StatusFound || loc == nil || loc.String() != "https://lonn.example/" {
		t.Errorf("tile for %s at %s: %d %v; want 302 to the tile's address", c.reader, c.strong, status, loc)
	}
	if status, body, _ := weak.do(t, "GET", "/go/lonn", nil); status != http.StatusForbidden || strings.Contains(body, "level."+c.strong) {
		t.Errorf("tile for %s at %s: %d, level named %v; want 403 asking to sign in at %s, by its name", c.reader, c.weak, status, !strings.Contains(body, "level."+c.strong), c.strong)
	}
	if status, body, _ := weak.do(t, "GET", "/", nil); status != http.StatusOK || !strings.Contains(body, "Lonnsystemet") || strings.Contains(body, "level."+c.strong) {
		t.Errorf("start page for %s at %s: %d, tile shown %v, level named %v", c.reader, c.weak, status, strings.Contains(body, "Lonnsystemet"), !strings.Contains(body, "level."+c.strong))
	}
	if status, body, _ := other.do(t, "GET", "/", nil); status != http.StatusOK || strings.Contains(body, "Lonnsystemet") {
		t.Errorf("start page for %s: %d, tile shown %v; want 200 without it", c.other, status, strings.Contains(body, "Lonnsystemet"))
	}
	if status, _, _ := other.do(t, "GET", "/go/lonn", nil); status != http.StatusNotFound {
		t.Errorf("tile for %s: %d; want 404", c.other, status)
	}
	bad := strings.ReplaceAll(readFile(t, filepath.Join(a.Config.Content, "tiles.yaml")), "min_auth: "+c.strong, "min_auth: "+c.unknownLevel)
	if _, err := a.ImportTiles(ctx, []byte(bad)); err == nil || !strings.Contains(err.Error(), c.unknownLevel) {
		t.Errorf("importing a tile with min_auth %s: %v; want it refused", c.unknownLevel, err)
	}

	// search, in the default language's analyzer
	searchFindsForReaderOnly(t, c, a.Index, reader.viewer, other.viewer)
	for _, who := range []viewerClient{reader, other} {
		for _, path := range []string{"/sok?q=" + c.query, "/api/v1/search?q=" + c.query} {
			status, body, _ := who.do(t, "GET", path, nil)
			if got, want := strings.Contains(body, marker), who.viewer.Subject == "reader"; status != http.StatusOK || got != want {
				t.Errorf("%s as %v: %d, finds %s: %v; want %v", path, who.viewer.Roles, status, page, got, want)
			}
		}
	}

	// the editor offers the configured levels and roles
	status, body, _ := editor.do(t, "GET", "/redaktion/ny", nil)
	if status != http.StatusOK {
		t.Fatalf("the editor for %s: %d; want 200", c.editor, status)
	}
	for _, want := range []string{`<option value="` + c.lang + `" selected>`, `name="min_auth"`, `value="` + c.weak + `"`, `value="` + c.strong + `"`, `name="audience_mode" value="signed_in" checked`, `name="audience" value="` + c.reader + `">`, `name="audience" value="` + c.other + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the new-item form lacks %s", want)
		}
	}
	for _, name := range []string{"eid", "otp", "substitute", "employee", "communicator", "publisher"} {
		if !slices.Contains([]string{c.weak, c.strong, c.reader, c.other, c.editor}, name) && strings.Contains(body, `value="`+name+`"`) {
			t.Errorf("the new-item form offers %q, which this site does not know", name)
		}
	}
	if status, _, _ := reader.do(t, "GET", "/redaktion/ny", nil); status != http.StatusNotFound {
		t.Errorf("the editor for %s: %d; want 404", c.reader, status)
	}

	// a writer without the permission is told which roles hold it here
	_, err := a.Publishing.Create(ctx, publishing.Actor{Viewer: reader.viewer}, "nytt/x.md", "---\ntitle: X\n---\nText.\n")
	if err == nil || !strings.Contains(err.Error(), c.editor) || strings.Contains(err.Error(), "communicator") {
		t.Errorf("create as %s: %v; want a refusal naming %s", c.reader, err, c.editor)
	}

	// the editor writes items in the default language without a suffix, others with one
	var created string
	for _, lang := range []string{c.lang, c.otherLang} {
		form := url.Values{"section": {"nytt"}, "slug": {"sida-" + lang}, "lang": {lang}, "title": {"Sida " + lang}, "type": {"page"},
			"body": {"Nytt om " + c.word + "."}, "audience": {c.reader}, "min_auth": {c.strong}}
		status, body, loc := editor.do(t, "POST", "/redaktion/ny", form)
		if status != http.StatusSeeOther || loc == nil {
			t.Fatalf("create in %s: %d %.300s", lang, status, body[min(len(body), strings.Index(body, "<main")+1):])
		}
		reopened := []string{`<option value="` + c.strong + `" selected>`, `name="audience" value="` + c.reader + `" checked`}
		if status, body, _ := editor.do(t, "GET", loc.Path, nil); status != http.StatusOK || !strings.Contains(body, reopened[0]) || !strings.Contains(body, reopened[1]) {
			t.Errorf("the item made in %s, opened again: %d; want its level and audience chosen in the form", lang, status)
		}
		if lang == c.lang {
			created = loc.Path
		}
	}
	items, err := a.Publishing.Items(ctx, editor.viewer)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, it := range items {
		paths = append(paths, it.Path)
	}
	slices.Sort(paths)
	want := []string{"nytt/sida-" + c.lang + ".md", "nytt/sida-" + c.otherLang + "." + c.otherLang + ".md"}
	slices.Sort(want)
	if !slices.Equal(paths, want) {
		t.Errorf("items saved at %q; want %q", paths, want)
	}

	// submitted by the writer and approved by another, the item is served and found as the site's own
	approver := signedIn(t, a, "approver", c.strong, c.approver, c.reader)
	for _, step := range []struct {
		who    viewerClient
		action string
	}{{editor, "submit"}, {approver, "approve"}} {
		_, body, _ := step.who.do(t, "GET", created, nil)
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no version in the form of %s", created)
		}
		status, body, _ := step.who.do(t, "POST", created, url.Values{"action": {step.action}, "version": {m[1]}})
		if status != http.StatusSeeOther {
			t.Fatalf("%s as %v: %d %.300s", step.action, step.who.viewer.Roles, status, body[min(len(body), strings.Index(body, "<main")+1):])
		}
	}
	published := "/nytt/sida-" + c.lang
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, body, _ := reader.do(t, "GET", published, nil)
		if status == http.StatusOK && strings.Contains(body, `<html lang="`+c.lang+`"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the approved item at %s for %s: %d, in %s: %v", published, c.reader, status, c.lang, strings.Contains(body, `<html lang="`+c.lang+`"`))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, r := range []struct {
		who  viewerClient
		path string
		want int
	}{
		{approver, "/redaktion/logg", http.StatusOK}, {reader, "/redaktion/logg", http.StatusNotFound},
		{editor, "/redaktion/halsa", http.StatusOK}, {reader, "/redaktion/halsa", http.StatusNotFound},
	} {
		status, body, _ := r.who.do(t, "GET", r.path, nil)
		if status != r.want || (status == http.StatusOK && r.path == "/redaktion/logg" && !strings.Contains(body, "nytt/sida-"+c.lang+".md")) {
			t.Errorf("%s for %v: %d; want %d (with the approved item)", r.path, r.who.viewer.Roles, status, r.want)
		}
	}
	if status, _, _ := approver.do(t, "GET", "/api/v1/admin/tiles", nil); status != http.StatusOK {
		t.Errorf("the tiles API for %s: %d; want 200", c.approver, status)
	}
	if status, body, _ := reader.do(t, "GET", "/api/v1/admin/tiles", nil); status != http.StatusForbidden || !strings.Contains(body, c.approver) {
		t.Errorf("the tiles API for %s: %d %s; want 403 naming %s", c.reader, status, body, c.approver)
	}
	if status, _, _ := other.do(t, "GET", published, nil); status != http.StatusNotFound {
		t.Errorf("the approved item for %s: %d; want 404", c.other, status)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := a.Index.Search(ctx, search.Request{Query: c.query, Viewer: reader.viewer, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(res.Hits, func(h search.Hit) bool { return h.URL == published && h.Lang == c.lang }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q as %s does not find %s in %s", c.query, c.reader, published, c.lang)
		}
	}
	res, err := a.Index.Search(ctx, search.Request{Query: c.query, Viewer: other.viewer, Now: time.Now()})
	if err != nil || slices.ContainsFunc(res.Hits, func(h search.Hit) bool { return h.URL == published }) {
		t.Errorf("search %q as %s finds %s: %v", c.query, c.other, published, err)
	}
}
