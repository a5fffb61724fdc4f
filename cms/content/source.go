package content

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Source yields content items and the files beside them.
type Source interface {
	// Name identifies the source in logs and problems.
	Name() string
	// Load reads every item and asset the source holds now.
	Load(ctx context.Context, opts Options) (*Snapshot, error)
	// Open opens an asset by the path Load gave it.
	Open(name string) (fs.File, error)
}

// Watcher is a source that can say when its content changed.
type Watcher interface {
	// Watch calls changed after each change until ctx ends. What it cannot
	// watch it names in a warning to log.
	Watch(ctx context.Context, changed func(), log *slog.Logger) error
}

// Snapshot is what a source held at one moment.
type Snapshot struct {
	Items    []*Item
	Assets   []Asset
	Problems Problems
	// Failed names the files that could not be read into an item, so that a
	// caller can keep their last good version.
	Failed []string
}

// Asset is an image or attachment beside the pages.
type Asset struct {
	Source  string
	File    string // slash path inside the source
	Size    int64
	ModTime time.Time
}

// MaxFileSize bounds a Markdown file, so that one mistaken upload cannot
// exhaust memory.
const MaxFileSize = 8 << 20

// DirSource reads a tree of Markdown files from a file system: the embedded
// demo, or a folder on disk.
type DirSource struct {
	name      string
	fsys      fs.FS
	root      string // the folder on disk, for watching; "" when not on disk
	allowHTML bool
}

// NewDirSource returns a source over fsys. root is the same tree's folder on
// disk, or "" for an embedded tree. allowHTML keeps raw HTML in its Markdown,
// sanitised.
func NewDirSource(name string, fsys fs.FS, root string, allowHTML bool) *DirSource {
	return &DirSource{name: name, fsys: fsys, root: root, allowHTML: allowHTML}
}

// OpenDir returns a source over a folder on disk.
func OpenDir(dir string, allowHTML bool) (*DirSource, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("content folder %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("content folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("content folder %s is not a folder", dir)
	}
	return NewDirSource(dir, os.DirFS(abs), abs, allowHTML), nil
}

// Name implements Source.
func (d *DirSource) Name() string { return d.name }

// Open implements Source.
func (d *DirSource) Open(name string) (fs.File, error) { return d.fsys.Open(name) }

// Load implements Source.
func (d *DirSource) Load(ctx context.Context, opts Options) (*Snapshot, error) {
	opts.AllowHTML = d.allowHTML
	snap := &Snapshot{}
	err := fs.WalkDir(d.fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			snap.Problems = append(snap.Problems, Problem{File: p, Severity: Error, Message: err.Error()})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := e.Name()
		if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") || strings.HasSuffix(name, "~")) {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.Type()&fs.ModeSymlink != 0 && !d.insideRoot(p) {
			snap.Problems = append(snap.Problems, Problem{File: p, Severity: Warning, Message: "ignored: a link that points outside the content folder"})
			return nil
		}
		if e.IsDir() || name == "embed.go" {
			return nil
		}
		info, err := fs.Stat(d.fsys, p)
		if err != nil {
			snap.Problems = append(snap.Problems, Problem{File: p, Severity: Error, Message: err.Error()})
			return nil
		}
		if info.IsDir() {
			return nil // a link to a folder inside the root: its files are reached through the real path
		}
		if path.Ext(name) != ".md" {
			snap.Assets = append(snap.Assets, Asset{Source: d.name, File: p, Size: info.Size(), ModTime: info.ModTime()})
			return nil
		}
		if info.Size() > MaxFileSize {
			snap.Problems = append(snap.Problems, Problem{File: p, Severity: Error, Message: fmt.Sprintf("file is %d bytes; the limit is %d", info.Size(), MaxFileSize)})
			snap.Failed = append(snap.Failed, p)
			return nil
		}
		data, err := fs.ReadFile(d.fsys, p)
		if err != nil {
			snap.Problems = append(snap.Problems, Problem{File: p, Severity: Error, Message: err.Error()})
			snap.Failed = append(snap.Failed, p)
			return nil
		}
		it, probs := ParseFile(p, data, opts)
		snap.Problems = append(snap.Problems, probs...)
		if it == nil {
			snap.Failed = append(snap.Failed, p)
			return nil
		}
		it.Source = d.name
		it.ModTime = info.ModTime()
		snap.Items = append(snap.Items, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", d.name, err)
	}
	sort.Slice(snap.Items, func(i, j int) bool { return snap.Items[i].File < snap.Items[j].File })
	return snap, nil
}

// insideRoot reports whether a link inside the tree resolves to a place inside it.
func (d *DirSource) insideRoot(p string) bool {
	if d.root == "" {
		return false
	}
	target, err := filepath.EvalSymlinks(filepath.Join(d.root, filepath.FromSlash(p)))
	if err != nil {
		return false
	}
	root, err := filepath.EvalSymlinks(d.root)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
