package web

import (
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// TestPageCache: kept pages are shared only by readers who may see the
// same things, carry each reader's own name and form token, and follow
// the clock to the minute.
func TestPageCache(t *testing.T) {
	people := map[string]access.Viewer{
		"sara": {Subject: "s1", Name: "Sara <Lind>", Roles: []string{"substitute"}, Level: "password"},
		"sam":  {Subject: "s2", Name: "Sam Berg", Roles: []string{"substitute"}, Level: "password"},
		"erik": {Subject: "e1", Name: "Erik", Roles: []string{"employee"}, Level: "password"},
	}
	db := storetest.SQLite(t)
	f := newFixture(t, time.Date(2027, 1, 7, 7, 59, 0, 0, stockholm), func(d *Deps) {
		// A provider that is never asked: the readers come from a header.
		d.Auth = auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb"}, db, d.Clock, quietLog())
		d.Store, d.Feedback = db, feedback.New(db, d.Clock, quietLog(), 3, 10*time.Minute)
		d.Viewer = func(c *fiber.Ctx) access.Viewer { return people[c.Get("X-Test-As")] }
	})
	as := func(who, cookie string) map[string]string {
		return map[string]string{"X-Test-As": who, "Cookie": cookie}
	}
	get := func(path, who, cookie string) response {
		t.Helper()
		res := f.do(t, "GET", path, as(who, cookie))
		if strings.Contains(res.body, "torgslot") {
			t.Fatalf("%s as %s: a marker reached the reader", path, who)
		}
		return res
	}
	const page = "/vikarie/ob-tillagg"
	sara := get(page, "sara", "torg_csrf=AAAAAAAAAAAAAAAAAAAAAAAA")
	sam := get(page, "sam", "torg_csrf=BBBBBBBBBBBBBBBBBBBBBBBB")
	if sara.status != 200 || sam.status != 200 {
		t.Fatalf("status %d, %d", sara.status, sam.status)
	}
	if !strings.Contains(sara.body, "Sara &lt;Lind&gt;") || !strings.Contains(sara.body, `value="AAAAAAAAAAAAAAAAAAAAAAAA"`) {
		t.Error("Sara's page lacks her name or her form token")
	}
	if !strings.Contains(sam.body, "Sam Berg") || strings.Contains(sam.body, "Sara") || !strings.Contains(sam.body, `value="BBBBBBBBBBBBBBBBBBBBBBBB"`) || strings.Contains(sam.body, "AAAA") {
		t.Error("Sam got Sara's name or token from the kept page")
	}
	// Someone who may not see the page does not get the kept copy.
	if res := get(page, "erik", ""); res.status != 404 {
		t.Errorf("Erik, not a substitute, got %d for a kept substitute page", res.status)
	}
	// A reader without a form token gets a new one, the same in the cookie and the form.
	res := get(page, "sam", "")
	cookie := res.header.Get("Set-Cookie")
	token, _, _ := strings.Cut(strings.TrimPrefix(cookie, "torg_csrf="), ";")
	if len(token) < 20 || !strings.Contains(res.body, `value="`+token+`"`) {
		t.Errorf("new token %q not in the form", token)
	}
	// At 08:00 the scheduled news item appears in the listing, although
	// the listing was kept a moment ago.
	before := get("/nyheter", "sara", "")
	f.clock.Set(time.Date(2027, 1, 7, 8, 0, 0, 0, stockholm))
	after := get("/nyheter", "sara", "")
	if strings.Contains(before.body, "Nya OB-tillägg") || !strings.Contains(after.body, "Nya OB-tillägg") {
		t.Error("the kept listing did not follow the clock to the minute")
	}
}
