package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// sessionCookie is the browser's session cookie value.
func (b *browser) sessionCookie(t *testing.T, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "torg_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// whoHolds is the subject /api/v1/me gives for a bare session cookie, or "".
func whoHolds(t *testing.T, base, cookie string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "torg_session", Value: cookie})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return ""
	}
	var me struct{ Subject string }
	if err := json.NewDecoder(res.Body).Decode(&me); err != nil {
		t.Fatal(err)
	}
	return me.Subject
}

// A sign-in or a step-up in a browser that holds a session ends that
// session: its cookie value, copied before, identifies nobody afterwards.
func TestSignInAgainEndsThePreviousSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		live := startLiveSite(t, db, monday10)
		b := newBrowser("10.0.0.5")
		b.signIn(t, live, "anna", "password", "/auth/login?return=/")
		first := b.sessionCookie(t, live.base)
		if who := whoHolds(t, live.base, first); who != "anna" {
			t.Fatalf("the first session holds %q", who)
		}
		b.signIn(t, live, "anna", "password", "/auth/login?return=/")
		second := b.sessionCookie(t, live.base)
		if second == first {
			t.Fatal("signing in again kept the session id")
		}
		if who := whoHolds(t, live.base, first); who != "" {
			t.Fatalf("after signing in again, the old cookie still identifies %q", who)
		}
		// Step-up through the page that needs e-ID.
		b.signIn(t, live, "anna", "eid", "/auth/login?return=%2Fpersonal%2Finloggningsadministration&level=eid")
		third := b.sessionCookie(t, live.base)
		if who := whoHolds(t, live.base, second); who != "" {
			t.Fatalf("after stepping up, the old cookie still identifies %q", who)
		}
		if who := whoHolds(t, live.base, third); who != "anna" {
			t.Fatalf("the stepped-up session holds %q", who)
		}
	})
}
