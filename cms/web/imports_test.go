package web

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWebReachesTheDatabaseOnlyThroughServices keeps the HTTP layer to
// translating requests: the rules about stored data live in the services,
// so no handler file imports the store.
func TestWebReachesTheDatabaseOnlyThroughServices(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "github.com/torg-cms/torg/cms/store" || strings.HasPrefix(path, "github.com/torg-cms/torg/cms/store/") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
