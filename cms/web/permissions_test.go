package web

import (
	"github.com/torg-cms/torg/cms/store/storetest"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/publishing"
	"github.com/torg-cms/torg/cms/tiles"
)

// staff are one person per role beyond reading, a reader, and nobody.
var staff = map[string]access.Viewer{
	"":      access.Anonymous,
	"erik":  {Subject: "erik", Roles: []string{"employee", "substitute"}, Level: "eid", Zones: []string{"office"}},
	"klara": {Subject: "klara", Roles: []string{"communicator", "employee"}, Level: "eid", Zones: []string{"office"}},
	"pia":   {Subject: "pia", Roles: []string{"publisher", "employee"}, Level: "eid", Zones: []string{"office"}},
	"anna":  {Subject: "anna", Roles: []string{"admin", "employee"}, Level: "eid", Zones: []string{"office"}},
}

// Who gets past each route's gate, and how the rest are refused.
var (
	editorsOnly = []string{"klara", "pia", "anna"}
	adminsOnly  = []string{"anna"}
)

type guardWant struct {
	pass []string
	// refused is the answer to a signed-in caller without the permission;
	// the anonymous get 401 from the API (unless refused is 404) and are
	// sent to sign in from the editor's pages.
	refused int
}

// editorialRoutes is every route that does more than read published
// content, and who may use it. A route added under /api/v1/admin or
// /redaktion without a row here fails the test.
var editorialRoutes = map[string]guardWant{
	"POST /api/v1/tiles/:id/notices":        {editorsOnly, 403},
	"DELETE /api/v1/tiles/:id/notices/:nid": {editorsOnly, 403},
	"GET /api/v1/admin/tiles":               {adminsOnly, 403},
	"POST /api/v1/admin/tiles":              {adminsOnly, 403},
	"GET /api/v1/admin/tiles/clicks":        {adminsOnly, 403},
	"GET /api/v1/admin/tiles/:id":           {adminsOnly, 403},
	"PUT /api/v1/admin/tiles/:id":           {adminsOnly, 403},
	"PUT /api/v1/admin/tiles/:id/icon":      {adminsOnly, 403},
	"DELETE /api/v1/admin/tiles/:id":        {adminsOnly, 403},
	"GET /api/v1/admin/search/misses":       {editorsOnly, 404},
	"GET /api/v1/admin/feedback":            {editorsOnly, 403},
	"GET /api/v1/admin/feedback.csv":        {editorsOnly, 403},
	"GET /api/v1/admin/feedback/stats":      {editorsOnly, 403},
	"PATCH /api/v1/admin/feedback/:id":      {editorsOnly, 403},
	"GET /api/v1/admin/health":              {editorsOnly, 403},
	"GET /api/v1/admin/items":               {editorsOnly, 403},
	"POST /api/v1/admin/items":              {editorsOnly, 403},
	"GET /api/v1/admin/items/:id":           {editorsOnly, 403},
	"PUT /api/v1/admin/items/:id":           {editorsOnly, 403},
	"GET /api/v1/admin/items/:id/revisions": {editorsOnly, 403},
	"POST /api/v1/admin/items/:id/:action":  {editorsOnly, 403},
	"POST /api/v1/admin/preview":            {editorsOnly, 403},
	"POST /api/v1/admin/media":              {editorsOnly, 403},
	"GET /api/v1/admin/audit":               {adminsOnly, 403},
	"GET /api/v1/admin/audit.csv":           {adminsOnly, 403},
	"GET /redaktion":                        {editorsOnly, 404},
	"GET /redaktion/ny":                     {editorsOnly, 404},
	"POST /redaktion/ny":                    {editorsOnly, 404},
	"POST /redaktion/media":                 {editorsOnly, 404},
	"GET /redaktion/logg":                   {adminsOnly, 404},
	"GET /redaktion/synpunkter":             {editorsOnly, 404},
	"POST /redaktion/synpunkter/:id":        {editorsOnly, 404},
	"GET /redaktion/halsa":                  {editorsOnly, 404},
	"GET /redaktion/:id":                    {editorsOnly, 404},
	"POST /redaktion/:id":                   {editorsOnly, 404},
}

// everyFeature is a server with every feature on and the staff above.
func everyFeature(t *testing.T) *fixture {
	return newFixture(t, monday10, func(d *Deps) {
		withSearch(t)(d)
		db := storetest.SQLite(t)
		*d = withStore(db, *d)
		clk := d.Clock
		d.Tiles = tiles.NewService(db, clk, quietLog(), access.Policy{}, stockholm, tiles.Rules{})
		d.Feedback = feedback.New(db, clk, quietLog(), 1000, 10*time.Minute)
		d.Publishing = publishing.New(db, clk, quietLog(), content.Options{DefaultLang: "sv", Location: stockholm}, nil)
		d.Viewer = func(c *fiber.Ctx) access.Viewer { return staff[c.Get("X-Test-As")] }
		d.SignIn = func(back string) string { return "/auth/login?return=" + back }
	})
}

// isGate reports whether h is a permission gate.
func isGate(h fiber.Handler) bool {
	return strings.Contains(runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name(), ".(*Server).require.")
}

// Every editorial route runs a permission gate before its handler, and
// each caller without the permission gets the uniform refusal: 401 or a
// sign-in page when anonymous, otherwise 403 from the API and 404 from the
// editor (404 from search statistics, whose existence is editorial).
func TestEditorialRoutesDeclareTheirPermission(t *testing.T) {
	f := everyFeature(t)
	routes := f.srv.App().GetRoutes(false)
	// gated reports whether a gate runs for method and path: in the
	// route's own handlers, or in the middleware of a group it is in.
	gated := func(method, path string, own []fiber.Handler) bool {
		if slices.ContainsFunc(own, isGate) {
			return true
		}
		for _, r := range routes {
			if r.Method == method && len(r.Handlers) > 1 && isGate(r.Handlers[0]) && strings.HasPrefix(path+"/", strings.TrimSuffix(r.Path, "/")+"/") {
				return true
			}
		}
		return false
	}
	seen := map[string]bool{}
	for _, r := range f.srv.App().GetRoutes(true) {
		key := r.Method + " " + r.Path
		if r.Method == fiber.MethodHead || seen[key] {
			continue
		}
		want, listed := editorialRoutes[key]
		editorial := strings.HasPrefix(r.Path, "/api/v1/admin") || r.Path == "/redaktion" || strings.HasPrefix(r.Path, "/redaktion/")
		if !listed && !editorial {
			continue
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			if !listed {
				t.Fatalf("%s is editorial but not in editorialRoutes: say who may use it", key)
			}
			if !gated(r.Method, r.Path, r.Handlers) {
				t.Errorf("%s runs no permission gate", key)
			}
			target := strings.NewReplacer(":nid", "1", ":id", "1", ":action", "submit").Replace(r.Path)
			for who := range staff {
				if slices.Contains(want.pass, who) {
					continue
				}
				req := httptest.NewRequest(r.Method, target, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", "http://torg.test")
				req.Header.Set("X-Test-As", who)
				res, err := f.srv.App().Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				page := strings.HasPrefix(r.Path, "/redaktion")
				switch {
				case who == "" && page:
					if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login") {
						t.Errorf("anonymous: %d to %q, want 303 to sign in", res.StatusCode, res.Header.Get("Location"))
					}
				case who == "" && want.refused != 404:
					if res.StatusCode != 401 {
						t.Errorf("anonymous: %d, want 401", res.StatusCode)
					}
				case res.StatusCode != want.refused:
					t.Errorf("%s: %d, want %d", who, res.StatusCode, want.refused)
				}
			}
		})
	}
	for key := range editorialRoutes {
		if !seen[key] {
			t.Errorf("%s is listed but not routed with every feature on", key)
		}
	}
}

// roleNames are the roles of the demo and the default configuration:
// they belong in configuration, in access's table and in the demo, not in
// the HTTP layer.
var roleNames = []string{"communicator", "publisher", "admin", "employee", "substitute", "manager"}

// The HTTP layer asks for permissions; no role is named in its code.
func TestWebNamesNoRole(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && slices.Contains(roleNames, s) {
				t.Errorf("%s: the role %q; ask for an access.Permission instead", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
