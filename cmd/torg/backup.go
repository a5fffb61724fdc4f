package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/store"
)

// backupCmd is torg backup FILE: an online copy of the SQLite database
// the server uses. It refuses, and creates nothing, when there is none.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	cfg, rest, err := config.Load("torg backup", args, lookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "torg:", err)
		return 2
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: torg backup [--data DIR | --database-url sqlite:PATH] FILE")
		return 2
	}
	db, err := store.OpenForBackup(ctx, cfg.DatabaseURL, cfg.Data)
	if err != nil {
		fmt.Fprintln(stderr, "torg backup:", err)
		if errors.Is(err, store.ErrNoOnlineBackup) {
			return 2
		}
		return 1
	}
	defer db.Close()
	if err := db.Backup(ctx, rest[0]); err != nil {
		fmt.Fprintln(stderr, "torg backup:", err)
		if errors.Is(err, store.ErrNoOnlineBackup) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "backed up to %s\n", rest[0])
	return 0
}
