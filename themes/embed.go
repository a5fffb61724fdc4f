// Package themes holds the default theme (templates, static files and UI
// strings), embedded in the binary, and lets a folder on disk override any
// part of it.
package themes

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

//go:embed default
var files embed.FS

// Default is the embedded default theme.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Load returns the default theme with the files of dir laid over it: a file
// in dir replaces the default file of the same name, the rest falls back.
// An empty dir gives the default theme.
func Load(dir string) (fs.FS, error) {
	if dir == "" {
		return Default(), nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("theme folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("theme folder %s is not a folder", dir)
	}
	return overlay{top: os.DirFS(dir), base: Default()}, nil
}

type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		if st, err := f.Stat(); err == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}
