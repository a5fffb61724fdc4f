package searchstats

import (
	"context"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestReadersCountOncePerDay counts searches and followed hits by readers,
// not requests: a repeated search, a hit followed twice, and a hit
// followed without a counted search add nothing; a new day counts afresh.
// The misses split what was counted into queries that find nothing and
// queries whose hits nobody followed.
func TestReadersCountOncePerDay(t *testing.T) {
	ctx := context.Background()
	svc := New(storetest.SQLite(t))
	day1 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 1)
	steps := []struct {
		click     bool
		at        time.Time
		reader, q string
	}{
		{false, day1, "address:10.0.0.1", "Lön"},
		{false, day1, "address:10.0.0.1", "  lön "}, // the same query again
		{false, day1, "subject:per", "lön"},
		{true, day1, "subject:per", "LÖN"},
		{true, day1, "subject:per", "lön"},       // the same hit again
		{true, day1, "subject:eva", "lön"},       // never searched
		{false, day1, "subject:eva", "semester"}, // searched, not followed
		{false, day1, "subject:eva", "xyzzy"},    // finds nothing
		{false, day2, "address:10.0.0.1", "lön"}, // the next day
		{true, day2, "address:10.0.0.1", "lön"},
	}
	for _, s := range steps {
		count := svc.Search
		if s.click {
			count = svc.Click
		}
		if err := count(ctx, s.at, s.reader, s.q); err != nil {
			t.Fatal(err)
		}
	}
	finds := func(_ context.Context, q string) (bool, error) { return q != "xyzzy", nil }
	zero, noClick, err := svc.Misses(ctx, day1, day2, 10, finds)
	if err != nil {
		t.Fatal(err)
	}
	if len(zero) != 1 || zero[0] != (Term{Query: "xyzzy", Searches: 1, LastDay: "2026-11-23"}) {
		t.Errorf("queries that find nothing: %+v", zero)
	}
	if len(noClick) != 1 || noClick[0] != (Term{Query: "semester", Searches: 1, LastDay: "2026-11-23"}) {
		t.Errorf("queries whose hits nobody followed: %+v", noClick)
	}
	all, _, err := svc.Misses(ctx, day1, day2, 10, func(context.Context, string) (bool, error) { return false, nil })
	if err != nil {
		t.Fatal(err)
	}
	if all[0] != (Term{Query: "lön", Searches: 3, Clicks: 2, LastDay: "2026-11-24"}) {
		t.Errorf("lön counted as %+v; want 3 searches by readers and 2 followed hits", all[0])
	}
}
