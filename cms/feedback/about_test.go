package feedback

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/site"
	demo "github.com/torg-cms/torg/content"
)

// TestAnswerAboutOnlyPagesTheReaderSees: an answer takes its page's
// address, top section, revision and language, and a signed-in sender;
// a page the reader may not see, or that is not there, takes no answer.
func TestAnswerAboutOnlyPagesTheReaderSees(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st, err := site.NewBuilder(site.Options{DefaultLang: "sv", Location: time.UTC}, clock.NewManual(now), slog.New(slog.NewTextHandler(io.Discard, nil)),
		content.NewDirSource("content", demo.Files, "", false)).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var a Answer
	if !a.About(st, access.Anonymous, now, "/inloggning/glomt-losenord") {
		t.Fatal("a public page took no answer")
	}
	p, _, _ := st.Lookup(access.Anonymous, now, "/inloggning/glomt-losenord")
	if a.Path != "/inloggning/glomt-losenord" || a.Section != "inloggning" || a.Lang != "sv" || a.Revision != p.Hash[:16] || a.Sender != (Sender{}) {
		t.Fatalf("anonymous answer: %+v", a)
	}
	erik := access.Viewer{Subject: "erik", Name: "Erik E", Roles: []string{"substitute", "employee"}, Level: "password"}
	var b Answer
	if !b.About(st, erik, now, "/vikarie/boka-pass") || b.Sender != (Sender{Subject: "erik", Name: "Erik E"}) || b.Section != "vikarie" {
		t.Fatalf("signed-in answer: %+v", b)
	}
	for _, path := range []string{"/personal/inloggningsadministration", "/borttagen/sida"} {
		var c Answer
		if c.About(st, access.Anonymous, now, path) {
			t.Errorf("%s took an anonymous answer: %+v", path, c)
		}
	}
	var d Answer
	if d.About(nil, erik, now, "/vikarie/boka-pass") {
		t.Error("an answer before the site is built")
	}
}
