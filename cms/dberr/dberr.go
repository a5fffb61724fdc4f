// Package dberr tells the kinds of database failure apart, for the store
// that meets them and for the HTTP layer that answers them, without either
// the HTTP layer knowing the store or the store knowing HTTP.
package dberr

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable tells whether err means the database could not be reached or
// was going away — not that the request was wrong. Callers answer such a
// write with 503 and "nothing was saved"; it goes through once the
// database is back, without a restart (the pool reconnects by itself).
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	var pg *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exception; 57P01–57P03: the server is
		// shutting down or starting; 53300: too many connections.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || pg.Code == "53300"
	}
	msg := err.Error()
	// pgx's own words for a connection that died under it, and SQLite's
	// for a file another writer held past the busy timeout.
	for _, s := range []string{"conn closed", "unexpected EOF", "failed to connect", "database is locked", "SQLITE_BUSY"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
