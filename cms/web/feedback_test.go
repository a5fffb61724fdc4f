package web

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/site"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	demo "github.com/torg-cms/torg/content"
	"github.com/torg-cms/torg/themes"
)

type fbSite struct {
	app   *fiber.App
	db    *store.DB
	clock *clock.Manual
	svc   *feedback.Service
}

func newFeedbackSite(t *testing.T, db *store.DB, mod func(*Deps)) *fbSite {
	t.Helper()
	clk := clock.NewManual(monday10)
	b := site.NewBuilder(site.Options{DefaultLang: "sv", Location: stockholm}, clk, quietLog(), content.NewDirSource("content", demo.Files, "", false))
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := Deps{Sites: b, Clock: clk, Log: quietLog(), Theme: themes.Default(), BaseURL: "http://torg.test", DefaultLang: "sv",
		Feedback: feedback.New(db, clk, quietLog(), 3, 10*time.Minute), Viewer: func(c *fiber.Ctx) access.Viewer { return people[c.Get("X-Test-As")] }}
	if mod != nil {
		mod(&d)
	}
	srv, err := New(withStore(db, d))
	if err != nil {
		t.Fatal(err)
	}
	return &fbSite{app: srv.App(), db: db, clock: clk, svc: d.Feedback}
}

func (f *fbSite) req(t *testing.T, method, target, body string, h map[string]string) (int, string, string) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range h {
		r.Header.Set(k, v)
	}
	res, err := f.app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location") + "|" + res.Header.Get("Set-Cookie"), string(b)
}

const evil = `<script>alert("x")</script> =HYPERLINK("http://evil.example","klick")`

func TestFeedbackFormEndToEnd(t *testing.T) {
	f := newFeedbackSite(t, storetest.SQLite(t), nil)
	code, hdr, page := f.req(t, "GET", "/inloggning/logga-in", "", nil)
	if code != 200 || !strings.Contains(page, "Var sidan till hjälp?") || !strings.Contains(hdr, "torg_csrf=") {
		t.Fatalf("the page has no form or token: %d", code)
	}
	token := strings.SplitN(strings.SplitN(hdr, "torg_csrf=", 2)[1], ";", 2)[0]
	if !strings.Contains(page, `name="csrf" value="`+token+`"`) {
		t.Fatal("the form does not carry the token")
	}
	post := func(form url.Values, cookie, origin string) (int, string) {
		h := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
		if cookie != "" {
			h["Cookie"] = "torg_csrf=" + cookie
		}
		code, loc, _ := f.req(t, "POST", "/feedback", form.Encode(), h)
		return code, strings.SplitN(loc, "|", 2)[0]
	}
	good := url.Values{"path": {"/inloggning/logga-in"}, "csrf": {token}, "helpful": {"no"}, "comment": {evil}, "contact_me": {"1"}, "contact": {"anna@example.se"}}
	if code, loc := post(good, token, "http://torg.test"); code != 303 || loc != "/inloggning/logga-in?feedback=thanks#feedback" {
		t.Fatalf("post: %d %s", code, loc)
	}
	if _, loc := post(good, "someone-elses-token-1234", "http://torg.test"); loc != "/inloggning/logga-in?feedback=expired#feedback" {
		t.Fatalf("a wrong token: %s", loc)
	}
	if _, loc := post(good, token, "https://evil.example"); loc != "/inloggning/logga-in?feedback=expired#feedback" {
		t.Fatalf("a cross-site post: %s", loc)
	}
	bot := url.Values{"path": {"/inloggning/logga-in"}, "csrf": {token}, "helpful": {"yes"}, "website": {"http://spam.example"}}
	if _, loc := post(bot, token, "http://torg.test"); loc != "/inloggning/logga-in?feedback=thanks#feedback" {
		t.Fatalf("the honeypot should look like success: %s", loc)
	}
	restricted := url.Values{"path": {"/vikarie/boka-pass"}, "csrf": {token}, "helpful": {"yes"}}
	if code, _ := post(restricted, token, "http://torg.test"); code != 404 {
		t.Fatalf("feedback on a page the reader may not see: %d", code)
	}
	_, _, page = f.req(t, "GET", "/inloggning/logga-in?feedback=thanks", "", nil)
	if !strings.Contains(page, "Tack för ditt svar!") {
		t.Fatal("no thank-you")
	}
	_, _, page = f.req(t, "GET", "/en/inloggning/logga-in?feedback=later", "", nil)
	if !strings.Contains(page, "Please try again in a few minutes") {
		t.Fatal("the message is not in the page's language")
	}
	// Stored verbatim: exactly one answer (the bot and the refused ones are not).
	items, _ := f.db.FeedbackList(context.Background(), store.FeedbackFilter{}, 0)
	if len(items) != 1 || items[0].Comment != evil || items[0].Helpful || items[0].Contact != "anna@example.se" || items[0].Lang != "sv" || items[0].Section != "inloggning" || len(items[0].Revision) != 16 {
		t.Fatalf("stored: %+v", items)
	}
	// A comment that is a formula.
	if code, _, out := f.req(t, "POST", "/api/v1/feedback", `{"path":"/inloggning/logga-in","helpful":false,"comment":"=cmd|' /C calc'!A0"}`,
		map[string]string{"Content-Type": "application/json", "Origin": "http://torg.test"}); code != 201 {
		t.Fatalf("formula comment: %d %s", code, out)
	}
	// Shown escaped to communicators, and exported harmlessly.
	_, _, inbox := f.req(t, "GET", "/api/v1/admin/feedback", "", map[string]string{"X-Test-As": "klara"})
	if strings.Contains(inbox, "<script>") || !strings.Contains(inbox, `\u003cscript\u003e`) {
		t.Fatalf("inbox: %s", inbox)
	}
	_, _, csv := f.req(t, "GET", "/api/v1/admin/feedback.csv", "", map[string]string{"X-Test-As": "klara"})
	if !strings.Contains(csv, `"'<script>alert(""x"")</script> =HYPERLINK(`) && !strings.Contains(csv, `<script>alert(""x"")</script> =HYPERLINK(`) {
		t.Fatalf("csv: %s", csv)
	}
	if !strings.Contains(csv, `'=cmd|`) {
		t.Fatalf("the formula comment is not neutralised: %s", csv)
	}
	for _, line := range strings.Split(csv, "\n") {
		for _, cell := range strings.Split(line, ",") {
			if strings.HasPrefix(strings.TrimLeft(cell, `"`), "=") {
				t.Fatalf("a cell starts with a formula: %s", line)
			}
		}
	}
}

func TestFeedbackJSONAndRateLimit(t *testing.T) {
	f := newFeedbackSite(t, storetest.SQLite(t), nil)
	h := map[string]string{"Content-Type": "application/json", "Origin": "http://torg.test"}
	send := func(body string, extra map[string]string) (int, string) {
		hh := map[string]string{}
		for k, v := range h {
			hh[k] = v
		}
		for k, v := range extra {
			hh[k] = v
		}
		code, _, out := f.req(t, "POST", "/api/v1/feedback", body, hh)
		return code, out
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"path":"/inloggning/logga-in"}`, 400},
		{`{"path":"/inloggning/logga-in","helpful":true,"comment":"` + strings.Repeat("a", 2001) + `"}`, 400},
		{`{"path":"/inloggning/logga-in","helpful":true,"contact_me":true,"contact":"inte en adress"}`, 400},
		{`{"path":"/finns/inte","helpful":true}`, 404},
		{`{"path":"/inloggning/logga-in","helpful":true,"extra":1}`, 400},
	} {
		if code, out := send(c.body, nil); code != c.want {
			t.Errorf("%s: %d %s", c.body, code, out)
		}
	}
	for i := 0; i < 3; i++ {
		if code, out := send(`{"path":"/inloggning/logga-in","helpful":true}`, nil); code != 201 {
			t.Fatalf("answer %d: %d %s", i, code, out)
		}
	}
	if code, out := send(`{"path":"/inloggning/logga-in","helpful":true}`, nil); code != 429 || !strings.Contains(out, "too_many_requests") {
		t.Fatalf("the fourth answer in ten minutes: %d %s", code, out)
	}
	f.clock.Advance(10 * time.Minute)
	if code, _ := send(`{"path":"/inloggning/logga-in","helpful":false}`, nil); code != 201 {
		t.Fatalf("after the window: %d", code)
	}
	// Signed in, the person is contacted by who they are.
	if code, _ := send(`{"path":"/inloggning/logga-in","helpful":true,"contact_me":true}`, map[string]string{"X-Test-As": "erik", "X-Forwarded-For": "1"}); code != 201 {
		t.Fatalf("signed-in answer: %d", code)
	}
}

func TestFeedbackRetentionAndFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(monday10)
		svc := feedback.New(db, clk, quietLog(), 1000, time.Minute)
		yes, no := true, false
		add := func(path string, h *bool, comment string, daysAgo int) {
			clk.Set(monday10.AddDate(0, 0, -daysAgo))
			if _, err := svc.Submit(ctx, feedback.Answer{Path: path, Section: strings.Split(strings.Trim(path, "/"), "/")[0], Lang: "sv", Helpful: h, Comment: comment, ClientAddress: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		add("/a/sida", &yes, "bra", 1)
		add("/a/sida", &yes, "", 8)
		add("/a/sida", &no, "svårt", 200)
		add("/b/sida", &no, "fel", 2)
		add("/b/sida", &no, "", 3)
		clk.Set(monday10)
		stats, err := db.FeedbackStats(ctx, store.FeedbackFilter{})
		if err != nil || len(stats) != 2 || stats[0].Path != "/a/sida" || stats[0].Yes != 2 || stats[0].No != 1 || stats[1].No != 2 {
			t.Fatalf("stats: %+v %v", stats, err)
		}
		recent, _ := db.FeedbackStats(ctx, store.FeedbackFilter{From: monday10.AddDate(0, 0, -30)})
		if recent[0].Yes != 2 || recent[0].No != 0 {
			t.Fatalf("last 30 days: %+v", recent)
		}
		inB, _ := db.FeedbackStats(ctx, store.FeedbackFilter{Section: "b"})
		if len(inB) != 1 || inB[0].Path != "/b/sida" {
			t.Fatalf("section filter: %+v", inB)
		}
		svc.ForgetOnce(ctx, 180*24*time.Hour)
		all, _ := db.FeedbackList(ctx, store.FeedbackFilter{}, 0)
		kept := 0
		for _, f := range all {
			if f.Comment != "" {
				kept++
			}
			if f.Comment == "svårt" {
				t.Fatal("a comment older than the retention survived")
			}
		}
		if kept != 2 || len(all) != 5 {
			t.Fatalf("retention should drop one comment and keep every answer: %d comments of %d", kept, len(all))
		}
	})
}

// Who a signed-in sender is comes from the session alone: a contact typed
// as the server's own marker names nobody, whoever sends it.
func TestFeedbackContactCannotNameSomeoneElse(t *testing.T) {
	f := newFeedbackSite(t, storetest.SQLite(t), nil)
	h := map[string]string{"Content-Type": "application/json", "Origin": "http://torg.test"}
	// Signed in with no address typed: the server names the sender.
	if code, _, out := f.req(t, "POST", "/api/v1/feedback", `{"path":"/inloggning/logga-in","helpful":true,"contact_me":true}`,
		map[string]string{"Content-Type": "application/json", "Origin": "http://torg.test", "X-Test-As": "erik"}); code != 201 {
		t.Fatalf("signed-in answer: %d %s", code, out)
	}
	for _, c := range []struct{ as, contact string }{
		{"", "subject:per"}, {"", "subject:per Per Nord"}, {"", "SUBJECT:per"},
		{"erik", "subject:per"}, {"erik", " subject:per Per Nord"}, {"klara", "Subject:per <per.nord@sjobacka.example>"},
	} {
		hh := map[string]string{"X-Test-As": c.as}
		for k, v := range h {
			hh[k] = v
		}
		body := `{"path":"/inloggning/logga-in","helpful":true,"contact_me":true,"contact":` + strconv.Quote(c.contact) + `}`
		f.req(t, "POST", "/api/v1/feedback", body, hh)
	}
	// The plain form, anonymous.
	_, hdr, _ := f.req(t, "GET", "/inloggning/logga-in", "", nil)
	token := strings.SplitN(strings.SplitN(hdr, "torg_csrf=", 2)[1], ";", 2)[0]
	form := url.Values{"path": {"/inloggning/logga-in"}, "csrf": {token}, "helpful": {"no"}, "contact_me": {"1"}, "contact": {"subject:per Per Nord"}}
	f.req(t, "POST", "/feedback", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://torg.test", "Cookie": "torg_csrf=" + token})
	items, _ := f.db.FeedbackList(context.Background(), store.FeedbackFilter{}, 0)
	named := 0
	for _, it := range items {
		switch {
		case it.Contact == "subject:erik":
			named++
		case strings.Contains(strings.ToLower(it.Contact), "subject:"):
			t.Errorf("an answer names a signed-in person the server did not: %q", it.Contact)
		}
	}
	if named != 1 {
		t.Fatalf("the signed-in sender is not named by the server: %+v", items)
	}
}
