package publishing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

var (
	klara = Actor{Viewer: access.Viewer{Subject: "klara", Roles: []string{"communicator", "employee"}}, Address: "10.0.0.1"}
	karin = Actor{Viewer: access.Viewer{Subject: "karin", Roles: []string{"communicator", "employee"}}}
	per   = Actor{Viewer: access.Viewer{Subject: "per", Roles: []string{"publisher", "communicator", "employee"}}}
	erik  = Actor{Viewer: access.Viewer{Subject: "erik", Roles: []string{"employee"}}}
	anna  = Actor{Viewer: access.Viewer{Subject: "anna", Roles: []string{"admin", "employee"}}}
)

const news = "---\ntitle: Julbord\ntype: news\ndate: 2026-11-23\naudience: [employee]\n---\nVälkommen på julbord.\n"

func newService(t *testing.T, db *store.DB) *Service {
	return New(db, clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), slog.New(slog.NewTextHandler(io.Discard, nil)), content.Options{DefaultLang: "sv"}, nil)
}

func kind(err error) string {
	var fe FieldErrors
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &fe):
		return "invalid"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrState):
		return "state"
	case errors.Is(err, ErrConflict):
		return "conflict"
	}
	return err.Error()
}

func TestWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		ctx := context.Background()
		if _, err := s.Create(ctx, erik, "nyheter/julbord.md", news); kind(err) != "forbidden" {
			t.Fatalf("an employee writing: %v", err)
		}
		if _, err := s.Create(ctx, klara, "nyheter/../etc.md", news); kind(err) != "invalid" {
			t.Fatalf("a path trick: %v", err)
		}
		if _, err := s.Create(ctx, klara, "nyheter/julbord.md", "---\ntype: blogg\n---\n"); kind(err) != "invalid" || !strings.Contains(err.Error(), `unknown type "blogg"`) {
			t.Fatalf("bad front matter: %v", err)
		}
		it, err := s.Create(ctx, klara, "nyheter/julbord.md", news)
		if err != nil {
			t.Fatal(err)
		}
		v := it.Version
		step := func(name string, got *Item, err error, want string) {
			t.Helper()
			if kind(err) != want {
				t.Fatalf("%s: %v, want %s", name, err, want)
			}
			if got != nil {
				v = got.Version
			}
		}
		got, err := s.Approve(ctx, per, it.ID, v)
		step("approve a draft", got, err, "state")
		got, err = s.Submit(ctx, erik, it.ID, v)
		step("an employee submits", got, err, "forbidden")
		got, err = s.Submit(ctx, klara, it.ID, v)
		step("submit", got, err, "ok")
		got, err = s.Save(ctx, klara, it.ID, v, news, "")
		step("edit in review", got, err, "state")
		got, err = s.Approve(ctx, klara, it.ID, v)
		step("a communicator approves", got, err, "forbidden")
		got, err = s.Reject(ctx, per, it.ID, v, "  ")
		step("reject without a comment", got, err, "invalid")
		got, err = s.Reject(ctx, per, it.ID, v, "Lägg till tid och plats.")
		step("reject", got, err, "ok")
		if got.Status != store.StatusDraft || got.Comment != "Lägg till tid och plats." {
			t.Fatalf("after reject: %+v", got)
		}
		got, err = s.Save(ctx, klara, it.ID, v, strings.Replace(news, "julbord.", "julbord den 11 december kl 18 i Stadshuset.", 1), "tid och plats")
		step("save", got, err, "ok")
		got, err = s.Submit(ctx, klara, it.ID, v)
		step("submit again", got, err, "ok")
		got, err = s.Withdraw(ctx, erik, it.ID, v)
		step("a stranger withdraws", got, err, "forbidden")
		got, err = s.Withdraw(ctx, klara, it.ID, v)
		step("the author withdraws", got, err, "ok")
		got, err = s.Submit(ctx, klara, it.ID, v)
		step("submit once more", got, err, "ok")
		got, err = s.Approve(ctx, per, it.ID, v-1)
		step("approve a stale version", got, err, "conflict")
		got, err = s.Approve(ctx, per, it.ID, v)
		step("approve", got, err, "ok")
		if got.Status != store.StatusPublished || got.ApprovedBy != "per" || got.ApprovedAt == nil || got.PublishedRev == 0 || got.DraftRev != 0 {
			t.Fatalf("after approve: %+v", got)
		}
		// A new draft of a published item: the published one stays live.
		got, err = s.Save(ctx, karin, it.ID, v, strings.Replace(news, "Julbord", "Julbord 2026", 1), "ny rubrik")
		step("edit a published item", got, err, "ok")
		pub, _ := db.PublishedMarkdown(ctx)
		if !strings.Contains(pub["nyheter/julbord.md"], "title: Julbord\n") {
			t.Fatal("the published revision changed before approval")
		}
		got, err = s.Submit(ctx, karin, it.ID, v)
		step("submit the edit", got, err, "ok")
		got, err = s.Approve(ctx, klara, it.ID, v)
		step("the item's own author approves", got, err, "forbidden")
		got, err = s.Approve(ctx, anna, it.ID, v)
		step("an admin approves", got, err, "ok")
		got, err = s.Unpublish(ctx, klara, it.ID, v, "fel datum")
		step("a communicator unpublishes", got, err, "forbidden")
		got, err = s.Unpublish(ctx, per, it.ID, v, "")
		step("unpublish without a reason", got, err, "invalid")
		got, err = s.Unpublish(ctx, per, it.ID, v, "Julbordet är inställt.")
		step("unpublish", got, err, "ok")
		revs, _ := s.Revisions(ctx, klara.Viewer, it.ID)
		if len(revs) != 3 || revs[0].AuthorID != "karin" || revs[2].Note != "created" {
			t.Fatalf("revisions: %+v", revs)
		}
		log, _ := db.AuditLog(ctx, 0)
		var actions []string
		for i := len(log) - 1; i >= 0; i-- {
			actions = append(actions, log[i].Actor+":"+log[i].Action)
		}
		want := "klara:create per:reject klara:save klara:submit klara:withdraw klara:submit per:approve karin:save karin:submit anna:approve per:unpublish"
		if strings.Join(actions, " ") != strings.Replace(want, "per:reject", "klara:submit per:reject", 1) {
			t.Fatalf("audit log:\n%s\nwant\n%s", strings.Join(actions, " "), want)
		}
		if log[len(log)-1].Address != "10.0.0.1" {
			t.Fatalf("the audit log should hold the address: %+v", log[len(log)-1])
		}
	})
}

func TestConcurrentSavesConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		ctx := context.Background()
		it, err := s.Create(ctx, klara, "nyheter/a.md", news)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, klara, it.ID, it.Version, news+"Klaras ändring.\n", ""); err != nil {
			t.Fatal(err)
		}
		_, err = s.Save(ctx, karin, it.ID, it.Version, news+"Karins ändring.\n", "")
		if kind(err) != "conflict" || !strings.Contains(err.Error(), "changed by someone else") {
			t.Fatalf("a stale save: %v", err)
		}
		_, draft, _, _ := s.Item(ctx, klara.Viewer, it.ID)
		if !strings.Contains(draft, "Klaras ändring") || strings.Contains(draft, "Karins") {
			t.Fatal("a stale save overwrote the draft")
		}
	})
}

func TestSourceServesOnlyPublishedRevisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		ctx := context.Background()
		src := NewSource(db, time.Second)
		load := func() []string {
			snap, err := src.Load(ctx, content.Options{DefaultLang: "sv"})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range snap.Items {
				out = append(out, it.URL+"="+it.Title+"/"+it.ApprovedBy)
			}
			return out
		}
		it, _ := s.Create(ctx, klara, "nyheter/julbord.md", news)
		it, _ = s.Submit(ctx, klara, it.ID, it.Version)
		if got := load(); len(got) != 0 {
			t.Fatalf("a draft in review is served: %v", got)
		}
		it, _ = s.Approve(ctx, per, it.ID, it.Version)
		if got := load(); len(got) != 1 || got[0] != "/nyheter/julbord=Julbord/per" {
			t.Fatalf("after approval: %v", got)
		}
		it, _ = s.Save(ctx, klara, it.ID, it.Version, strings.Replace(news, "Julbord", "Nytt namn", 1), "")
		if got := load(); got[0] != "/nyheter/julbord=Julbord/per" {
			t.Fatalf("a pending draft replaced the published item: %v", got)
		}
		s.Unpublish(ctx, per, it.ID, it.Version, "inställt")
		if got := load(); len(got) != 0 {
			t.Fatalf("an unpublished item is served: %v", got)
		}
	})
}
