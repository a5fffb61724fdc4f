package web

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/auth/demoidp"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

// slotCall finds where a template places a personal slot.
var slotCall = regexp.MustCompile(`\{\{[^{}]*\.Slot "[a-z]+"\}\}`)

// framedTheme is the default theme with every personal slot framed in
// <x-personal> tags, so a test can tell the declared personal parts of a
// page from the rest; nothing else in it differs.
func framedTheme(t *testing.T, change func(name, text string) string) (fs.FS, int) {
	t.Helper()
	out, slots := fstest.MapFS{}, 0
	err := fs.WalkDir(themes.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(themes.Default(), p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p, "templates/") {
			text := string(data)
			slots += len(slotCall.FindAllString(text, -1))
			text = slotCall.ReplaceAllString(text, "<x-personal>$0</x-personal>")
			if change != nil {
				text = change(p, text)
			}
			data = []byte(text)
		}
		out[p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, slots
}

// twinSite is the whole of Torg on a loopback listener, with the demo
// provider, tiles, feedback and search, and two people of one access class.
func twinSite(t *testing.T, theme fs.FS) *liveSite {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	log, clk, db := quietLog(), clock.NewManual(monday10), storetest.SQLite(t)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, log, content.NewDirSource("content", demo.Files, "", false))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	acr := map[string]string{}
	for _, l := range demoidp.Levels {
		acr[l.ACR] = l.Name
	}
	settings := auth.Settings{
		Issuer: base + "/demo-idp", ClientID: "torg", ClientSecret: "s", RedirectURL: base + "/auth/callback",
		Scopes: []string{"openid", "profile", "email", "groups"}, Roles: auth.RoleMapping{Claim: "groups", Map: demoidp.RoleMap},
		Levels: auth.LevelMapping{Levels: []string{"password", "otp", "eid"}, ACR: acr}, PostLogoutURL: base + "/",
	}
	// Only the employees' group is mapped, so Erik and Klara (who also
	// writes news) are readers of one class: employees who signed in with a password.
	settings.Roles.Map = map[string]string{"GRP-Medarbetare": "employee"}
	idp, err := demoidp.New(demoidp.Config{Issuer: settings.Issuer, ClientID: "torg", ClientSecret: "s",
		RedirectURIs: []string{settings.RedirectURL}, PostLogoutURIs: []string{settings.PostLogoutURL}})
	if err != nil {
		t.Fatal(err)
	}
	tileSvc := tiles.NewService(db, clk, log, access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
	tilesYAML, _ := fs.ReadFile(demo.Files, "tiles.yaml")
	if _, err := tileSvc.Seed(context.Background(), tilesYAML); err != nil {
		t.Fatal(err)
	}
	d := Deps{Sites: b, Clock: clk, Log: log, Theme: theme, BaseURL: base, DefaultLang: "sv", DemoIdP: idp, Tiles: tileSvc}
	withSearch(t)(&d)
	d.Store, d.Auth, d.Feedback = db, auth.New(settings, db, clock.System{}, log), feedback.New(db, clk, log, 3, 10*time.Minute)
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	go srv.App().Listener(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return &liveSite{base: base, srv: srv, clock: clk}
}

var personalPart = regexp.MustCompile(`(?s)<x-personal>.*?</x-personal>`)

// TestReadersOfOneClassShareAllButPersonalParts: two people with the same
// roles, level and zones, but their own names, subjects, sessions, form
// tokens and favourites, signed in through the provider, get every kind of page byte for byte the same
// outside the declared personal parts — the second from the kept copy of
// the first's.
func TestReadersOfOneClassShareAllButPersonalParts(t *testing.T) {
	theme, slots := framedTheme(t, nil)
	if slots < 3 {
		t.Fatalf("the theme declares %d personal slots; the name, the form token and the tiles are personal", slots)
	}
	ls := twinSite(t, theme)
	erik, klara := newBrowser(""), newBrowser("")
	erik.signIn(t, ls, "erik", "password", "/personal/distansarbete")
	klara.signIn(t, ls, "klara", "password", "/personal/distansarbete")
	// Klara pins a tile, so her home page holds her own favourites.
	_, home := klara.do(t, "GET", ls.base+"/", nil, false)
	pin := regexp.MustCompile(`action="/tiles/([^"]+)/favorite"`).FindStringSubmatch(home)
	if pin == nil {
		t.Fatal("no tile to pin on the home page")
	}
	if res, _ := klara.do(t, "POST", ls.base+"/tiles/"+pin[1]+"/favorite", url.Values{"action": {"pin"}, "return": {"/"}}, false); res.StatusCode != 303 {
		t.Fatalf("pinning a tile: %d", res.StatusCode)
	}
	token := func(b *browser) string {
		u, _ := url.Parse(ls.base)
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == csrfCookie {
				return c.Value
			}
		}
		return ""
	}
	pages := []string{
		"/",                                   // home: tiles and favourites
		"/personal",                           // section
		"/personal/distansarbete",             // page with the feedback form
		"/nyheter",                            // news listing
		"/nyheter/lonesystemet-uppgraderas",   // news
		"/jobb/lonehandlaggare",               // job ad
		"/kontakt/hr-direkt",                  // contact card with opening hours
		"/fragor/vanliga-fragor",              // FAQ
		"/sok?q=l%C3%B6n",                     // search results
		"/personal/distansarbete?feedback=ok", // the form with a result
	}
	get := func(b *browser, p string) string {
		t.Helper()
		res, body := b.do(t, "GET", ls.base+p, nil, false)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", p, res.StatusCode)
		}
		return body
	}
	for _, p := range pages {
		// Each reads the page as kept for the other, and as rendered for themself.
		erikFresh, klaraKept := get(erik, p), get(klara, p)
		ls.srv.pages.writes.Add(1) // a write on this instance: the kept copy is old
		klaraFresh, erikKept := get(klara, p), get(erik, p)
		if !strings.Contains(strings.Join(personalPart.FindAllString(erikFresh, -1), ""), "Erik Holm") {
			t.Errorf("%s: Erik's name is not in a personal part of his page", p)
		}
		for _, own := range []string{"Erik Holm", "erik.holm@", token(erik)} {
			if own != "" && (strings.Contains(klaraKept, own) || strings.Contains(klaraFresh, own)) {
				t.Errorf("%s: Klara's page holds Erik's %q", p, own)
			}
		}
		if p == "/" && (strings.Contains(erikFresh, `value="unpin"`) || !strings.Contains(strings.Join(personalPart.FindAllString(klaraKept, -1), ""), `value="unpin"`)) {
			t.Error("Klara's favourite is not in a personal part of her home page only")
		}
		sameOutsidePersonalParts(t, p, erikFresh, map[string]string{"Klara's, kept from Erik's": klaraKept, "Klara's own": klaraFresh, "Erik's, kept from Klara's": erikKept})
	}
	// Two readers who have not signed in differ in their browsers' form tokens only.
	one, other := newBrowser(""), newBrowser("")
	for _, p := range []string{"/", "/inloggning", "/kontakt/lonesupport", "/jobb/timvikarier-skola", "/sok?q=l%C3%B6senord"} {
		oneFresh, otherKept := get(one, p), get(other, p)
		ls.srv.pages.writes.Add(1)
		otherFresh, oneKept := get(other, p), get(one, p)
		if own := token(one); own != "" && (strings.Contains(otherKept, own) || strings.Contains(otherFresh, own)) {
			t.Errorf("%s: one reader's form token reached another", p)
		}
		sameOutsidePersonalParts(t, p, oneFresh, map[string]string{"kept": otherKept, "fresh": otherFresh, "kept back": oneKept})
	}
}

// sameOutsidePersonalParts fails when a page differs from want anywhere
// but in its framed personal parts.
func sameOutsidePersonalParts(t *testing.T, path, want string, pages map[string]string) {
	t.Helper()
	want = personalPart.ReplaceAllString(want, "<x-personal/>")
	for name, body := range pages {
		if got := personalPart.ReplaceAllString(body, "<x-personal/>"); got != want {
			t.Errorf("%s: the page (%s) differs from the first reader's outside the personal parts:\n%s", path, name, firstDifference(want, got))
		}
	}
}

// firstDifference shows where two texts part, with some context.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("first: …%s…\nsecond: …%s…", a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// TestSharedRenderCannotReachPersonalValues: a theme that prints a
// reader's own value outside a personal slot, or puts a slot where its
// HTML would be escaped, does not render — for the reader or anyone else.
func TestSharedRenderCannotReachPersonalValues(t *testing.T) {
	people := map[string]access.Viewer{
		"sara": {Subject: "sara-7f3a", Name: "Sara Lind", Roles: []string{"employee"}, Level: "password"},
	}
	for _, inject := range []string{
		`<meta name="who" content="{{.UserName}}">`,
		`<meta name="who" content="{{.Name}}">`,
		`<meta name="who" content="{{.Subject}}">`,
		`<meta name="who" content="{{.CSRF}}">`,
		`<meta name="who" content="{{with .FeedbackForm}}{{.CSRF}}{{end}}">`,
		`<meta name="who" content="{{.Slot "name"}}">`,
		`<script>var who = {{.Slot "name"}};</script>`,
		`<title>{{.Slot "name"}}</title>`,
		`<a href="/people/{{.Slot "name"}}">me</a>`,
		`{{.Slot "nobody"}}`,
	} {
		theme, _ := framedTheme(t, func(name, text string) string {
			if name == "templates/layout.html" {
				return strings.Replace(text, "</head>", inject+"\n</head>", 1)
			}
			return text
		})
		f := newFixture(t, monday10, func(d *Deps) {
			db := storetest.SQLite(t)
			d.Theme, d.Store = theme, db
			d.Auth = auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb"}, db, d.Clock, quietLog())
			d.Feedback = feedback.New(db, d.Clock, quietLog(), 3, 10*time.Minute)
			d.Viewer = func(c *fiber.Ctx) access.Viewer { return people[c.Get("X-Test-As")] }
		})
		res := f.do(t, "GET", "/personal/distansarbete", map[string]string{"X-Test-As": "sara", "Cookie": "torg_csrf=AAAAAAAAAAAAAAAAAAAAAAAA"})
		shared := personalPart.ReplaceAllString(res.body, "")
		if res.status == 200 || strings.Contains(shared, "Sara Lind") || strings.Contains(shared, "AAAAAAAAAAAAAAAAAAAAAAAA") {
			t.Errorf("%s: rendered with status %d", inject, res.status)
		}
	}
}

// TestViewHoldsNothingPersonal: the data of the shared render — View and
// the page's own types it holds — has no field for a reader's own values,
// so a template cannot print one outside a personal slot.
func TestViewHoldsNothingPersonal(t *testing.T) {
	personal := regexp.MustCompile(`(?i)user|subject|csrf|token|email|session|favou?rite|viewer`)
	home := reflect.TypeOf(View{}).PkgPath()
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		switch {
		case typ == reflect.TypeOf(access.Viewer{}) || typ == reflect.TypeOf(fiber.Ctx{}) || typ == reflect.TypeOf(TileGroup{}):
			t.Errorf("%s is a %s: the reader's own values in the shared render", path, typ)
		case typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != home:
			// Not a type of this package's views: the site's pages and sections, which are the same for every reader.
		default:
			seen[typ] = true
			for i := 0; i < typ.NumField(); i++ {
				f := typ.Field(i)
				if personal.MatchString(f.Name) {
					t.Errorf("%s.%s: a reader's own value belongs in a personal slot, not in the shared render", path, f.Name)
				}
				walk(path+"."+f.Name, f.Type)
			}
		}
	}
	walk("View", reflect.TypeOf(View{}))
	if len(seen) < 5 {
		t.Fatalf("walked only %d types", len(seen))
	}
}

// TestSlotsOfAnonymousReadersKeptWithPage: for readers who have not signed
// in, only the form token stays a slot; the tiles are kept with the page.
func TestSlotsOfAnonymousReadersKeptWithPage(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, monday10, func(d *Deps) {
		d.Tiles = tiles.NewService(db, d.Clock, quietLog(), access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
		data, _ := fs.ReadFile(demo.Files, "tiles.yaml")
		if _, err := d.Tiles.Seed(context.Background(), data); err != nil {
			t.Fatal(err)
		}
		d.Store, d.Feedback = db, feedback.New(db, d.Clock, quietLog(), 3, 10*time.Minute)
	})
	slots := func(path string) (n int, text string) {
		if res := f.do(t, "GET", path, nil); res.status != 200 {
			t.Fatalf("%s: %d", path, res.status)
		}
		f.srv.pages.mu.Lock()
		defer f.srv.pages.mu.Unlock()
		for k, e := range f.srv.pages.entries {
			if strings.HasPrefix(k, path+"\x00") {
				for _, pt := range e.page.parts {
					if pt.slot != nil {
						n++
					}
					text += string(pt.text)
				}
			}
		}
		return n, text
	}
	if n, text := slots("/"); n != 0 || !strings.Contains(text, `class="tiles"`) {
		t.Errorf("home: %d slots left, tiles kept: %v", n, strings.Contains(text, `class="tiles"`))
	}
	if n, _ := slots("/kontakt/lonesupport"); n != 1 {
		t.Errorf("page with the feedback form: %d slots, want the form token's", n)
	}
}
