package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/auth/nodeidp"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/testenv"
)

// startNodeProvider runs the npm package oidc-provider (OpenID Certified)
// as a separate process on a free loopback port.
func startNodeProvider(t *testing.T, redirect string) *nodeidp.Provider {
	t.Helper()
	p, err := nodeidp.Start(redirect)
	if errors.Is(err, nodeidp.ErrMissing) {
		testenv.Require(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// signInAt starts a sign-in at svc and goes through the provider as person.
func signInAt(t *testing.T, svc *Service, person, browser, redirect string) (string, *store.Session, string) {
	t.Helper()
	ctx := context.Background()
	authURL, err := svc.BeginLogin(ctx, "/personal", "", browser)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	callback, err := nodeidp.SignIn(c, authURL, person, func(u *url.URL) bool { return strings.HasPrefix(u.String(), redirect) })
	if err != nil {
		t.Fatal(err)
	}
	token, sess, back, err := svc.FinishLogin(ctx, Callback{State: callback.Query().Get("state"), Browser: browser, Code: callback.Query().Get("code")})
	if err != nil {
		t.Fatal(err)
	}
	return token, sess, back
}

func nodeSettings(issuer, redirect string) Settings {
	return Settings{
		Issuer: issuer, ClientID: nodeidp.ClientID, ClientSecret: nodeidp.ClientSecret, RedirectURL: redirect,
		Scopes: []string{"openid", "profile", "email", "groups"},
		Roles:  RoleMapping{Claim: "groups", Map: map[string]string{"GRP-IT-Admin": "admin", "GRP-Medarbetare": "employee"}, Default: []string{"employee"}},
		Levels: LevelMapping{Levels: []string{"password", "otp", "eid"}}, PostLogoutURL: "http://127.0.0.1:9/",
	}
}

// TestSignInWithAnIndependentProvider signs in against oidc-provider with
// its development interactions: a login form, then consent.
func TestSignInWithAnIndependentProvider(t *testing.T) {
	const redirect = "http://127.0.0.1:9/auth/callback" // never fetched: the test stops at it
	issuer := startNodeProvider(t, redirect).URL
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := New(nodeSettings(issuer, redirect), db, clock.System{}, quiet())
		token, sess, back := signInAt(t, svc, "anna", "browser-1", redirect)
		// oidc-provider puts groups only in userinfo; Torg fetched them there.
		if back != "/personal" || sess.Subject != "anna" || sess.Roles != "admin employee" || sess.Name != "Anna Sjö" {
			t.Fatalf("session: %+v, back to %s", sess, back)
		}
		if v, s := svc.Viewer(context.Background(), token, netip.Addr{}); s == nil || !v.HasRole("admin") {
			t.Fatal("no viewer for the session")
		}
		if target := svc.Logout(context.Background(), token); !strings.HasPrefix(target, issuer+"/session/end?") {
			t.Fatalf("logout should go through the provider's end_session_endpoint, went to %s", target)
		}
	})
}

// TestSignInWhenTheProviderGoesAway stops the provider after a sign-in:
// the session goes on, and a new sign-in is refused with
// ErrProviderUnavailable (the page that links to the login help) instead
// of sending the browser to an address that does not answer.
func TestSignInWhenTheProviderGoesAway(t *testing.T) {
	const redirect = "http://127.0.0.1:9/auth/callback"
	p := startNodeProvider(t, redirect)
	clk := clock.NewManual(time.Now())
	svc := New(nodeSettings(p.URL, redirect), storetest.SQLite(t), clk, quiet())
	token, _, _ := signInAt(t, svc, "sara", "browser-1", redirect)
	p.Stop()
	clk.Advance(probeUpFor + time.Second)
	if _, err := svc.BeginLogin(context.Background(), "/", "", "browser-2"); !errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("a sign-in while the provider is stopped: %v, want ErrProviderUnavailable", err)
	}
	if v, s := svc.Viewer(context.Background(), token, netip.Addr{}); s == nil || v.Subject != "sara" {
		t.Fatal("the session ended with the provider")
	}
}
