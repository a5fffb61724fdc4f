package content

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// debounce is how long the watcher waits for a burst of events (an editor's
// save is often several) to end before it reports one change.
const debounce = 100 * time.Millisecond

// Watch implements Watcher for a source on disk.
func (d *DirSource) Watch(ctx context.Context, changed func(), log *slog.Logger) error {
	if d.root == "" {
		return nil // an embedded tree never changes
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	addTree := func(dir string) {
		_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if e.IsDir() {
				if p != dir && strings.HasPrefix(e.Name(), ".") {
					return filepath.SkipDir
				}
				if err := w.Add(p); err != nil {
					unwatched(log, p, err)
				}
			}
			return nil
		})
	}
	addTree(d.root)

	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(ev.Name)
				}
			}
			if timer == nil {
				timer = time.AfterFunc(debounce, func() {
					select {
					case fire <- struct{}{}:
					default:
					}
				})
			} else {
				timer.Reset(debounce)
			}
		case <-fire:
			changed()
		case _, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// Events may have been lost (an overflow): read everything again.
			changed()
		}
	}
}

// unwatched warns that changes in folder dir will go unseen: a change
// elsewhere, which reloads everything, or a restart brings them in.
func unwatched(log *slog.Logger, dir string, err error) {
	msg := "content folder cannot be watched; changes in it show only after a change elsewhere or a restart"
	if errors.Is(err, syscall.ENOSPC) {
		msg += "; raise the system's limit fs.inotify.max_user_watches"
	}
	log.Warn(msg, "folder", dir, "err", err)
}
