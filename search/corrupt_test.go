package search_test

import (
	"os"
	"path/filepath"
	"testing"
)

// corrupt overwrites every file of an index with garbage.
func corrupt(t *testing.T, dir string) {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.WriteFile(p, []byte("not an index"), 0o644)
			n++
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no index files to corrupt")
	}
}
