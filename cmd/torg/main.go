// Command torg serves a Torg site, checks content and looks after its
// data. It parses flags and prints; cms/app builds and runs Torg.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/torg-cms/torg/cms/app"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/search"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
}

const usage = `torg — intranet content and link hub

Usage:
  torg serve [flags]   serve the site (see torg serve -h for every flag)
  torg check DIR       check a content folder; exits 1 when any problem is an error
  torg tiles import F  replace the stored tiles with those of a tiles.yaml
  torg index --rebuild build the search index again
  torg backup FILE     copy the SQLite database while it is in use
  torg version         print the version
`

// commands are the commands that take flags: the usage of their
// arguments, how many they take, and what runs them.
var commands = map[string]struct {
	usage string
	args  int
	run   func(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) int
}{
	"serve":           {"[flags]", 0, serve},
	"check":           {"DIR", 1, check},
	"tiles import":    {"[flags] FILE", 1, tilesImport},
	"index --rebuild": {"[flags]", 0, index},
	"backup":          {"[--data DIR | --database-url sqlite:PATH] FILE", 1, backup},
	"tiles":           {"import [flags] FILE", 0, nil},
	"index":           {"--rebuild [flags]", 0, nil},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "torg", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	name, rest := args[0], args[1:]
	rebuild := func(a string) bool { return a == "--rebuild" || a == "-rebuild" }
	switch {
	case name == "tiles" && len(rest) > 0 && rest[0] == "import":
		name, rest = "tiles import", rest[1:]
	case name == "index" && slices.ContainsFunc(rest, rebuild):
		name, rest = "index --rebuild", slices.DeleteFunc(slices.Clone(rest), rebuild)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "torg: unknown command %q\n\n%s", name, usage)
		return 2
	}
	if cmd.run == nil {
		fmt.Fprintf(stderr, "usage: torg %s %s\n", name, cmd.usage)
		return 2
	}
	cfg, rest, err := config.Load("torg "+name, rest, lookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg:", err)
		return 2
	}
	if len(rest) != cmd.args {
		fmt.Fprintf(stderr, "usage: torg %s %s\n", name, cmd.usage)
		return 2
	}
	return cmd.run(ctx, cfg, rest, stdout, stderr)
}

func serve(ctx context.Context, cfg *config.Config, _ []string, _, stderr io.Writer) int {
	log := app.Logger(cfg, stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, app.Options{Log: log, Version: versionString()})
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// check loads a content folder the way serve would and prints every problem.
func check(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) int {
	cfg.Content = args[0]
	a, err := app.New(ctx, cfg, app.Options{Parts: app.Site})
	if err != nil {
		fmt.Fprintln(stderr, "torg check:", err)
		return 2
	}
	defer a.Close()
	st, errs := a.Sites.Current(), 0
	for _, p := range st.Problems {
		p.File = filepath.ToSlash(p.File)
		fmt.Fprintln(stdout, p)
		if p.Severity == content.Error {
			errs++
		}
	}
	fmt.Fprintf(stdout, "%s: %d pages, %d errors, %d warnings\n", args[0], st.Len(), errs, len(st.Problems)-errs)
	return min(errs, 1)
}

// index is `torg index --rebuild`: the index built again from all content,
// the editor's items and the tiles, with a progress bar on a terminal. It
// refuses while a server holds the index.
func index(ctx context.Context, cfg *config.Config, _ []string, stdout, stderr io.Writer) int {
	a, err := app.New(ctx, cfg, app.Options{Parts: app.Site | app.Store | app.Index})
	if errors.Is(err, search.ErrInUse) {
		fmt.Fprintf(stderr, "torg index: %v: a torg server is probably running on this data folder; it keeps the index up to date by itself. Stop it first to rebuild.\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	defer a.Close()
	start, tty := time.Now(), isTerminal(stderr)
	n, err := a.RebuildIndex(ctx, func(done, total int) {
		if tty {
			fmt.Fprintf(stderr, "\r%s", progressBar(done, total, 30))
		}
	})
	if tty {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg index:", err)
		return 1
	}
	fmt.Fprintf(stdout, "indexed %d documents in %s (%s)\n", n, time.Since(start).Round(time.Millisecond), app.IndexDir(cfg))
	return 0
}

func progressBar(done, total, width int) string {
	if total == 0 {
		return "[" + strings.Repeat("=", width) + "] 100%"
	}
	n := done * width / total
	return fmt.Sprintf("[%s%s] %3d%% %d/%d", strings.Repeat("=", n), strings.Repeat(" ", width-n), done*100/total, done, total)
}

// tilesImport is `torg tiles import FILE`: the file replaces the stored tiles.
func tilesImport(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "torg tiles import:", err)
		return 1
	}
	a, err := app.New(ctx, cfg, app.Options{Parts: app.Store})
	if err != nil {
		fmt.Fprintln(stderr, "torg tiles import:", err)
		return 1
	}
	defer a.Close()
	set, err := a.ImportTiles(ctx, data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d tiles in %d categories imported\n", args[0], len(set.Tiles), len(set.Categories))
	return 0
}

// backup is `torg backup FILE`: an online copy of the SQLite database the
// server uses. It refuses, and creates nothing, when there is none.
func backup(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) int {
	db, err := store.OpenForBackup(ctx, cfg.DatabaseURL, cfg.Data)
	if err == nil {
		defer db.Close()
		err = db.Backup(ctx, args[0])
	}
	if errors.Is(err, store.ErrNoOnlineBackup) {
		fmt.Fprintln(stderr, "torg backup:", err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "torg backup:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up to %s\n", args[0])
	return 0
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
