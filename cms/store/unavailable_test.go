package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestUnavailable tells a database that cannot be reached from a request
// the database refused, with errors from real connections.
func TestUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Nothing listens on port 1: the error a stopped server gives.
	if _, err := store.Open(ctx, "host=127.0.0.1 port=1 user=postgres dbname=test sslmode=disable connect_timeout=2", ""); !store.Unavailable(err) {
		t.Fatalf("a server that does not answer: %v is not Unavailable", err)
	}
	db := storetest.Postgres(t)
	// A statement the server refuses is the request's fault, not an outage.
	err := db.Gorm().WithContext(ctx).Exec("SELECT * FROM no_such_table").Error
	if err == nil || store.Unavailable(err) {
		t.Fatalf("an unknown table: %v counted as Unavailable", err)
	}
	// The server ending this connection (as a shutdown does) is an outage.
	err = db.Gorm().WithContext(ctx).Exec("SELECT pg_terminate_backend(pg_backend_pid())").Error
	if !store.Unavailable(err) {
		t.Fatalf("a terminated connection: %v is not Unavailable", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("the pool did not reconnect after the connection ended: %v", err)
	}
	if store.Unavailable(store.ErrNotFound) || store.Unavailable(errors.New("version conflict")) {
		t.Fatal("ordinary errors counted as Unavailable")
	}
}

// TestLimitConns: with the pool capped, a burst waits for a connection
// instead of opening one per request.
func TestLimitConns(t *testing.T) {
	db := storetest.Postgres(t)
	db.LimitConns(3)
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 12)
	for range 12 {
		go func() { errs <- db.Gorm().Exec("SELECT pg_sleep(0.05)").Error }()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := sqlDB.Stats(); st.MaxOpenConnections != 3 || st.OpenConnections > 3 || st.WaitCount == 0 {
		t.Fatalf("pool after a burst of 12: %+v", st)
	}
}
