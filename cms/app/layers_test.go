package app_test

import (
	"bufio"
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import rules of ARCHITECTURE.md, checked on the non-test code of every
// package in the module, so that the document and the code cannot drift
// apart. A new package, or a new third-party module, fails here until it is
// given its place.

// tier is a layer of Torg: a package imports packages of its own tier or
// a lower one, never a higher one.
type tier int

const (
	foundation tier = iota // types, rules and pipelines that hold no stored state
	services               // the database, the index, the site and the services over them
	top                    // HTTP, the assembly of Torg and the command
)

func (t tier) String() string { return [...]string{"foundation", "services", "top"}[t] }

// layers places every package of the module, by path inside the module.
var layers = map[string]tier{
	"cms/access":   foundation,
	"cms/clock":    foundation,
	"cms/config":   foundation,
	"cms/content":  foundation,
	"cms/dberr":    foundation,
	"cms/hours":    foundation,
	"cms/i18n":     foundation,
	"cms/outbound": foundation,
	"cms/redirect": foundation,
	"cms/render":   foundation,
	"cms/testenv":  foundation,
	"content":      foundation,
	"themes":       foundation,

	"cms/audit":           services,
	"cms/auth":            services,
	"cms/auth/demoidp":    services,
	"cms/auth/nodeidp":    services,
	"cms/feedback":        services,
	"cms/feeds":           services,
	"cms/health":          services,
	"cms/indexing":        services,
	"cms/publishing":      services,
	"cms/report":          services,
	"cms/searchstats":     services,
	"cms/finder":          services,
	"cms/site":            services,
	"cms/store":           services,
	"cms/store/storetest": services,
	"cms/tiles":           services,
	"search":              services,

	"cms/web":         top,
	"cms/app":         top,
	"cms/app/apptest": top,
	"cmd/torg":        top,
}

// onlyImports are packages that may import no Torg packages but these.
var onlyImports = map[string][]string{
	"cms/access":  {},
	"cms/clock":   {},
	"cms/store":   {"cms/dberr"},
	"search":      {"cms/access"},
	"cms/render":  {"cms/content"},
	"cms/content": {"cms/access", "cms/hours"},
}

// onlyImportedBy are packages that only these packages may import.
var onlyImportedBy = map[string][]string{
	"cms/web":             {"cms/app"},
	"cms/app":             {"cmd/torg", "cms/app/apptest"},
	"cms/app/apptest":     {},
	"cms/store/storetest": {},
	"cms/auth/nodeidp":    {},
	"cms/testenv":         {"cms/store/storetest"},
}

// never are imports that the tiers allow and the design does not.
var never = []struct{ from, to, why string }{
	{"cms/web", "cms/store", "web reaches the database only through the services"},
	{"cms/site", "cms/store", "the editor's items reach the site as a content source (publishing.Source)"},
}

// owners say which packages may import a third-party module, by prefix of
// its import path: each library lives in one package.
var owners = []struct {
	prefix string
	pkgs   []string
}{
	{"github.com/gofiber/", []string{"cms/web"}},
	{"github.com/prometheus/", []string{"cms/web"}},
	{"gorm.io/", []string{"cms/store"}},
	{"github.com/glebarez/", []string{"cms/store"}},
	{"github.com/jackc/pgx/", []string{"cms/dberr", "cms/store/storetest"}},
	{"github.com/blevesearch/", []string{"search"}},
	{"github.com/RoaringBitmap/", []string{"search"}},
	{"go.etcd.io/bbolt/", []string{"search"}},
	{"github.com/yuin/goldmark", []string{"cms/render"}},
	{"github.com/microcosm-cc/bluemonday", []string{"cms/render"}},
	{"golang.org/x/net/", []string{"cms/render"}},
	{"github.com/coreos/go-oidc/", []string{"cms/auth"}},
	{"golang.org/x/oauth2", []string{"cms/auth"}},
	{"github.com/go-jose/", []string{"cms/auth", "cms/auth/demoidp"}},
	{"github.com/zitadel/", []string{"cms/auth/demoidp"}},
	{"github.com/fsnotify/", []string{"cms/content"}},
	// Small extensions of the standard library, for anyone.
	{"golang.org/x/sync/", nil},
	{"golang.org/x/text/", nil},
	{"gopkg.in/yaml.v3", nil},
}

func TestImportsFollowTheLayers(t *testing.T) {
	root, module := moduleRoot(t)
	pkgs := modulePackages(t, root)
	if len(pkgs) < len(layers)/2 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		from, ok := layers[name]
		if !ok {
			t.Errorf("%s has no place in the layers; give it one here and in ARCHITECTURE.md", name)
			continue
		}
		for _, imp := range pkgs[name] {
			own, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				checkThirdParty(t, name, imp)
				continue
			}
			if to, ok := layers[own]; ok && to > from {
				t.Errorf("%s (%s) imports %s (%s): a package imports only its own tier or lower ones", name, from, own, to)
			}
			if allowed, ok := onlyImports[name]; ok && !slices.Contains(allowed, own) {
				t.Errorf("%s imports %s: %s", name, own, list(allowed, "it imports no Torg package", "of Torg's packages it imports only "))
			}
			if importers, ok := onlyImportedBy[own]; ok && !slices.Contains(importers, name) {
				t.Errorf("%s imports %s: %s", name, own, list(importers, "only tests import it", "only these import it: "))
			}
			for _, n := range never {
				if n.from == name && n.to == own {
					t.Errorf("%s imports %s: %s", name, own, n.why)
				}
			}
		}
	}
}

// checkThirdParty holds an import from outside the module to its owners.
func checkThirdParty(t *testing.T, pkg, imp string) {
	t.Helper()
	first, _, _ := strings.Cut(imp, "/")
	if !strings.Contains(first, ".") {
		return // the standard library
	}
	for _, o := range owners {
		if imp == strings.TrimSuffix(o.prefix, "/") || strings.HasPrefix(imp, o.prefix) {
			if o.pkgs != nil && !slices.Contains(o.pkgs, pkg) {
				t.Errorf("%s imports %s: %s", pkg, imp, list(o.pkgs, "", "the library belongs to "))
			}
			return
		}
	}
	t.Errorf("%s imports %s, which has no owner; name the one package that may import it", pkg, imp)
}

// moduleRoot finds go.mod above this folder and returns its folder and
// the module path.
func moduleRoot(t *testing.T) (string, string) {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return dir, strings.TrimSpace(m)
				}
			}
			t.Fatalf("%s/go.mod names no module", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// modulePackages maps each package with non-test Go files, by path inside
// the module, to what those files import.
func modulePackages(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(p, 0)
		if _, none := errors.AsType[*build.NoGoError](err); none {
			return nil
		}
		if err != nil {
			return err
		}
		if len(pkg.GoFiles)+len(pkg.CgoFiles) == 0 {
			return nil // tests only
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = pkg.Imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// list says none when pkgs is empty, else some followed by the packages.
func list(pkgs []string, none, some string) string {
	if len(pkgs) == 0 {
		return none
	}
	return some + strings.Join(pkgs, ", ")
}
