package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// People are shown by the names their ID tokens gave at the time, on the
// page, in the editor's list and item, the revisions and the audit log; a
// record older than names shows the subject id and says so.
func TestPeopleShownByName(t *testing.T) {
	named(t)
	e := newEditorial(t, storetest.SQLite(t))
	people["anna"] = access.Viewer{Subject: "anna", Name: "Anna Sjö", Roles: []string{"admin", "employee"}, Level: "eid"}
	publishVia(t, e, "nyheter/namn.md", "---\ntitle: Namn i stället för id\ntype: news\ndate: 2026-11-23\naudience: [employee]\n---\nText.\n")
	it, err := e.db.ItemByPath(context.Background(), "nyheter/namn.md")
	if err != nil {
		t.Fatal(err)
	}
	// An item written before names were kept.
	old := &store.Item{Path: "nyheter/gammal.md", Status: store.StatusDraft, Version: 1, AuthorID: "olle", CreatedAt: monday10, UpdatedAt: monday10}
	if err := e.db.CreateItem(context.Background(), old, &store.Revision{Markdown: newsMD, AuthorID: "olle", CreatedAt: monday10}); err != nil {
		t.Fatal(err)
	}
	e.builder.Build(context.Background())

	_, _, page := e.call(t, "erik", "GET", "/nyheter/namn", "")
	if !strings.Contains(page, "Godkänd av Per Nord") || strings.Contains(page, "Godkänd av per ") {
		t.Errorf("the page does not name its approver:\n%s", between(page, `class="pagemeta"`, "</p>"))
	}
	_, _, list := e.call(t, "klara", "GET", "/redaktion", "")
	if !strings.Contains(list, `">Klara Berg</td>`) || strings.Contains(list, `">klara</td>`) {
		t.Errorf("the editor's list shows no name:\n%s", between(list, "<tbody", "</tbody>"))
	}
	if !strings.Contains(list, `<span title="Inget namn sparades med den här raden; det här är personens användar-id">olle</span>`) {
		t.Errorf("a row older than names does not say why it shows an id:\n%s", between(list, "<tbody", "</tbody>"))
	}
	_, _, item := e.call(t, "klara", "GET", fmt.Sprintf("/redaktion/%d", it.ID), "")
	if !strings.Contains(item, "godkänd av Per Nord") {
		t.Errorf("the item does not name its approver:\n%s", between(item, `class="meta"`, "</p>"))
	}
	_, m, raw := e.call(t, "klara", "GET", fmt.Sprintf("/api/v1/admin/items/%d/revisions", it.ID), "")
	if revs, _ := m["items"].([]any); len(revs) == 0 || revs[0].(map[string]any)["author_name"] != "Klara Berg" {
		t.Errorf("the revisions do not name their author: %s", raw)
	}
	_, _, logPage := e.call(t, "anna", "GET", "/redaktion/logg", "")
	body := between(logPage, "<tbody", "</tbody>")
	for _, want := range []string{`">Klara Berg</td>`, `">Per Nord</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit log lacks %s:\n%s", want, body)
		}
	}
	for _, id := range []string{`">klara</td>`, `">per</td>`} {
		if strings.Contains(body, id) {
			t.Errorf("the audit log shows the bare id %s", id)
		}
	}
	_, _, csv := e.call(t, "anna", "GET", "/api/v1/admin/audit.csv", "")
	if !strings.HasPrefix(csv, "at,actor,actor_name,action,") || !strings.Contains(csv, ",per,Per Nord,approve,nyheter/namn.md,") || !strings.Contains(csv, ",klara,Klara Berg,create,nyheter/namn.md,") {
		t.Errorf("the CSV lacks names beside the ids:\n%s", csv)
	}
}

// named gives the demo people their names from the demo sign-in, as their
// ID tokens do, for one test.
func named(t *testing.T) {
	for who, name := range map[string]string{"klara": "Klara Berg", "per": "Per Nord", "erik": "Erik Holm"} {
		v := people[who]
		v.Name = name
		people[who] = v
		t.Cleanup(func() { v.Name = ""; people[who] = v })
	}
}

// between is the part of s from the first from to the next to after it, for messages.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return "(no " + from + ")"
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(to)]
}

// Editorial readers find the editor from every page and "Redigera" on an
// editor item they may edit; an employee sees neither, and a page from a
// file, which the editor cannot edit, has no "Redigera". Pages come through
// the page cache, which keeps one render per access class.
func TestEditLinksForEditorialReaders(t *testing.T) {
	named(t)
	e := newEditorial(t, storetest.SQLite(t))
	publishVia(t, e, "nyheter/redigera.md", "---\ntitle: Går att redigera\ntype: news\ndate: 2026-11-23\naudience: [employee]\n---\nText.\n")
	it, err := e.db.ItemByPath(context.Background(), "nyheter/redigera.md")
	if err != nil {
		t.Fatal(err)
	}
	e.builder.Build(context.Background())
	editorLink := `<a class="to-editor" href="/redaktion">Redaktion</a>`
	editLink := fmt.Sprintf(`<a class="button" href="/redaktion/%d">Redigera</a>`, it.ID)
	for _, c := range []struct {
		who, path          string
		header, editButton bool
	}{
		{"klara", "/nyheter/redigera", true, true},
		{"erik", "/nyheter/redigera", false, false},
		{"klara", "/", true, false},
		{"erik", "/", false, false},
		{"klara", "/inloggning/logga-in", true, false},
		{"per", "/nyheter/redigera", true, true},
	} {
		code, _, page := e.call(t, c.who, "GET", c.path, "")
		if code != 200 {
			t.Fatalf("%s %s: %d", c.who, c.path, code)
		}
		if got := strings.Contains(page, editorLink); got != c.header {
			t.Errorf("%s on %s: the editor in the header is %v, want %v", c.who, c.path, got, c.header)
		}
		if got := strings.Contains(page, ">Redigera</a>"); got != c.editButton || (c.editButton && !strings.Contains(page, editLink)) {
			t.Errorf("%s on %s: Redigera is %v, want %v (%s)", c.who, c.path, got, c.editButton, editLink)
		}
	}
}
