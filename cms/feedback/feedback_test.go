package feedback

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

func TestLimiterCountsPerWindowAndForgetsDaily(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 11, 23, 23, 50, 0, 0, time.UTC))
	l := newLimiter(clk, 2, 10*time.Minute)
	if first, second := l.allow("addr:10.0.0.1"), l.allow("addr:10.0.0.1"); !first || !second || l.allow("addr:10.0.0.1") {
		t.Fatal("the third answer in the window is allowed")
	}
	if !l.allow("addr:10.0.0.2") {
		t.Fatal("another address is held back")
	}
	for h := range l.counts {
		if strings.Contains(h, "10.0.0") {
			t.Fatal("the address is kept in the clear")
		}
	}
	key := bytes.Clone(l.key)
	clk.Advance(11 * time.Minute) // past midnight: a new key, nothing remembered
	if !l.allow("addr:10.0.0.1") {
		t.Fatal("the window did not end")
	}
	if bytes.Equal(key, l.key) || len(l.counts) != 1 {
		t.Fatalf("the key did not change at midnight, or old counts survived: %d", len(l.counts))
	}
}

func TestSubmitChecksAndStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
		svc := New(db, clk, slog.New(slog.NewTextHandler(io.Discard, nil)), 100, time.Minute)
		yes := true
		ok := Answer{Path: "/a", Section: "a", Lang: "sv", Helpful: &yes, ClientAddress: "10.0.0.1"}
		cases := []struct {
			name string
			edit func(*Answer)
			want error
		}{
			{"no yes or no", func(a *Answer) { a.Helpful = nil }, ErrInvalid},
			{"too long", func(a *Answer) { a.Comment = strings.Repeat("å", MaxComment+1) }, ErrInvalid},
			{"not text", func(a *Answer) { a.Comment = "\xff" }, ErrInvalid},
			{"contact without address", func(a *Answer) { a.ContactMe, a.Contact = true, "ring mig" }, ErrInvalid},
			{"a bot", func(a *Answer) { a.Honeypot = "http://spam.example" }, ErrBot},
			{"at the limit", func(a *Answer) { a.Comment = strings.Repeat("å", MaxComment) }, nil},
			{"contact given but not asked", func(a *Answer) { a.Contact = "a@example.org" }, nil},
			{"contact asked", func(a *Answer) { a.ContactMe, a.Contact = true, "a@example.org" }, nil},
			{"contact that names a person", func(a *Answer) { a.ContactMe, a.Contact = true, "subject:per Per Nord" }, ErrInvalid},
		}
		for _, c := range cases {
			a := ok
			c.edit(&a)
			if _, err := svc.Submit(ctx, a); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		all, _ := db.FeedbackList(ctx, store.FeedbackFilter{}, 0)
		if len(all) != 3 {
			t.Fatalf("stored %d answers, want the 3 good ones", len(all))
		}
		contacts := 0
		for _, f := range all {
			if f.Contact != "" {
				contacts++
			}
			if f.Status != store.FeedbackNew {
				t.Errorf("status %q", f.Status)
			}
		}
		if contacts != 1 {
			t.Errorf("%d answers keep a contact, want only the one that asked", contacts)
		}
	})
}
