package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// A page offers the feedback form only where an answer can be posted.
func TestFeedbackFormOnlyWhereAnswersArePosted(t *testing.T) {
	const form = `action="/feedback"`
	for _, tt := range []struct {
		name     string
		withForm bool
		mod      func(*Deps)
	}{
		{"off", false, nil},
		{"on", true, func(d *Deps) {
			d.Feedback = feedback.New(storetest.SQLite(t), d.Clock, quietLog(), 10, time.Minute)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, monday10, tt.mod)
			res := f.do(t, "GET", "/inloggning/logga-in", nil)
			if res.status != 200 {
				t.Fatalf("status %d", res.status)
			}
			if got := strings.Contains(res.body, form); got != tt.withForm {
				t.Errorf("form shown: %v, want %v", got, tt.withForm)
			}
			post := f.do(t, "POST", "/feedback", map[string]string{"Origin": "http://torg.test"})
			if routed := post.status != 404 && post.status != 405; routed != tt.withForm {
				t.Errorf("POST /feedback: %d with the form shown %v", post.status, tt.withForm)
			}
		})
	}
}

// switchable are the Deps fields of features a site may switch off.
var switchable = []string{"Auth", "DemoIdP", "Tiles", "Search", "SearchStats", "Audit", "Publishing", "Feedback", "Feeds", "Links"}

// Pages and middleware ask a feature's service, or its disabled
// implementation, and never whether it is nil. Only the wiring decides
// that: which routes and metrics to register (server.go, metrics.go) and
// which implementation stands in (features.go). The search statistics,
// which have no disabled implementation yet, are counted apart so that
// their number can only fall.
func TestHandlersDoNotAskWhetherAFeatureIsNil(t *testing.T) {
	allowed := map[string]int{"server.go": 10, "features.go": 5, "search.go": 3, "metrics.go": 2}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		ast.Inspect(file, func(n ast.Node) bool {
			b, ok := n.(*ast.BinaryExpr)
			if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
				return true
			}
			nilOn := func(x, y ast.Expr) bool {
				id, ok := y.(*ast.Ident)
				sel, isSel := x.(*ast.SelectorExpr)
				if !ok || id.Name != "nil" || !isSel || !slices.Contains(switchable, sel.Sel.Name) {
					return false
				}
				owner, ok := sel.X.(*ast.Ident) // s.Tiles (the server), d.Tiles (its Deps)
				return ok && (owner.Name == "s" || owner.Name == "d")
			}
			if nilOn(b.X, b.Y) || nilOn(b.Y, b.X) {
				found = append(found, fset.Position(b.Pos()).String())
			}
			return true
		})
		if len(found) > allowed[name] {
			t.Errorf("%s asks %d times whether a feature is nil (at most %d): %s", name, len(found), allowed[name], strings.Join(found, ", "))
		}
	}
}
