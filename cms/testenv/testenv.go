// Package testenv decides what a test does when this machine lacks
// something it needs (PostgreSQL, an npm package, a command, the shared
// corpus): in CI (the variable CI set) a missing database, package or
// command fails the test; elsewhere the test is skipped, and the package's
// TestMain prints one line that says what was skipped and why.
package testenv

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// InCI reports whether the tests run in CI, where nothing may be missing.
func InCI() bool { return os.Getenv("CI") != "" }

var (
	mu      sync.Mutex
	reasons = map[string]int{}
)

// Require stops the test when err says that something it needs is
// missing: the test fails in CI and is skipped, and counted, elsewhere.
func Require(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if InCI() {
		t.Fatalf("%v (CI must provide it)", err)
		return
	}
	Skip(t, err.Error())
}

// Skip skips the test for a reason that holds in CI too (a folder outside
// the repository, -short), and counts it for the package's summary.
func Skip(t testing.TB, reason string) {
	t.Helper()
	mu.Lock()
	reasons[reason]++
	mu.Unlock()
	t.Skip(reason)
}

// Summary is the line that lists the skipped tests by reason, or "".
func Summary(pkg string) string {
	mu.Lock()
	defer mu.Unlock()
	if len(reasons) == 0 {
		return ""
	}
	n := 0
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		n += reasons[r]
		parts = append(parts, fmt.Sprintf("%s (%d)", r, reasons[r]))
	}
	tests := "tests"
	if n == 1 {
		tests = "test"
	}
	return fmt.Sprintf("%s: skipped %d %s: %s", pkg, n, tests, strings.Join(parts, "; "))
}

// Main runs a package's tests and prints the summary of what was skipped.
// go test hides the output of a package that passes unless -v is given,
// so without -v the line goes to the terminal go test runs in, when
// there is one.
func Main(m *testing.M) {
	code := m.Run()
	if line := Summary(packagePath()); line != "" {
		var w io.Writer = os.Stdout
		if !testing.Verbose() {
			if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
				defer tty.Close()
				w = tty
			}
		}
		fmt.Fprintln(w, line)
	}
	os.Exit(code)
}

// packagePath is the package's folder relative to the module, where go
// test runs its tests.
func packagePath() string {
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Base(os.Args[0])
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, _ := filepath.Rel(dir, wd)
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}
