package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outcome stands in for a test and remembers how it ended.
type outcome struct {
	testing.TB
	failed, skipped string
}

func (o *outcome) Helper()                           {}
func (o *outcome) Fatalf(format string, args ...any) { o.failed = fmt.Sprintf(format, args...) }
func (o *outcome) Skip(args ...any)                  { o.skipped = fmt.Sprint(args...) }

func TestMissingThingsFailInCIAndSkipElsewhere(t *testing.T) {
	saved := reasons
	reasons = map[string]int{}
	defer func() { reasons = saved }()
	missing := errors.New("no PostgreSQL at 127.0.0.1:5432")

	t.Setenv("CI", "true")
	o := &outcome{}
	Require(o, missing)
	if o.failed == "" || o.skipped != "" {
		t.Fatalf("in CI: failed %q, skipped %q; want a failure", o.failed, o.skipped)
	}
	if Summary("./x") != "" {
		t.Fatalf("a failure counted as a skip: %s", Summary("./x"))
	}

	t.Setenv("CI", "")
	for range 2 {
		o = &outcome{}
		Require(o, missing)
		if o.failed != "" || o.skipped != missing.Error() {
			t.Fatalf("outside CI: failed %q, skipped %q; want a skip", o.failed, o.skipped)
		}
	}
	Skip(&outcome{}, "the shared corpus is not beside the checkout")
	o = &outcome{}
	Require(o, nil)
	if o.failed != "" || o.skipped != "" {
		t.Fatalf("nothing missing: failed %q, skipped %q", o.failed, o.skipped)
	}

	want := "./x: skipped 3 tests: no PostgreSQL at 127.0.0.1:5432 (2); the shared corpus is not beside the checkout (1)"
	if got := Summary("./x"); got != want {
		t.Fatalf("summary\n got %s\nwant %s", got, want)
	}
}

// A package whose tests can be skipped must print what it skipped, so
// every one of them runs its tests through Main.
func TestEveryPackageThatSkipsPrintsASummary(t *testing.T) {
	root := filepath.Join("..", "..")
	skips := map[string]bool{}
	summarises := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == "." {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if bytes.Contains(src, []byte("testenv.Require(")) || bytes.Contains(src, []byte("testenv.Skip(")) || bytes.Contains(src, []byte("storetest.")) {
			skips[dir] = true
		}
		if bytes.Contains(src, []byte("testenv.Main(m)")) {
			summarises[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(skips) == 0 {
		t.Fatal("found no test that can be skipped; is the walk looking in the right place?")
	}
	for dir := range skips {
		if !summarises[dir] {
			t.Errorf("%s has tests that can be skipped but no TestMain that calls testenv.Main", dir)
		}
	}
}
