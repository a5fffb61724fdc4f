package content

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log destination that the watcher's goroutine and the
// test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// deepTree makes, under dir, folders nested until their path is longer
// than the kernel accepts in one call (PATH_MAX, 4096 bytes), by making
// each one relative to its parent. It returns the first folder whose path
// is too long.
func deepTree(t *testing.T, dir string) string {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("d", 200)
	p := dir
	for len(p) <= 4096 {
		if err := r.Mkdir(name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := r.OpenRoot(name)
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		r, p = next, p+"/"+name
	}
	r.Close()
	return p
}

// Tests run as root, for whom no folder is unreadable, and the watch limit
// is shared by the machine; a folder too deep for the kernel to name is a
// real folder that inotify refuses.
func TestWatchWarnsOfFolderItCannotWatch(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "nyheter"), 0o755); err != nil {
		t.Fatal(err)
	}
	deep := deepTree(t, dir)
	src, err := OpenDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	var logged lockedBuffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	changes := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Watch(ctx, func() { changes <- struct{}{} }, log) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	// Not a speed test: the deadlines only stop a broken watcher hanging.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logged.String(), "cannot be watched") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logged.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "cannot be watched") || !strings.Contains(out, "folder="+deep+" ") {
		t.Fatalf("no warning naming %s…%s; the log:\n%s", deep[:40], deep[len(deep)-40:], out)
	}
	// The other folders are still watched.
	if err := os.WriteFile(filepath.Join(dir, "nyheter", "a.md"), []byte("---\ntitle: A\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("a change in a watched folder was not reported")
	}
}
