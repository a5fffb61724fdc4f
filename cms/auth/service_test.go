package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/torg-cms/torg/cms/auth/demoidp"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// demoEnv is Torg's sign-in against the demo provider, over real HTTP.
type demoEnv struct {
	svc   *Service
	db    *store.DB
	clock *clock.Manual
	srv   *httptest.Server
}

func newDemoEnv(t testing.TB, db *store.DB) *demoEnv {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// Tokens are signed at the real time, so the injected clock starts there.
	clk := clock.NewManual(time.Now().UTC())
	issuer := srv.URL + "/idp"
	idp, err := demoidp.New(demoidp.Config{
		Issuer: issuer, ClientID: "torg", ClientSecret: "hemligt", RedirectURIs: []string{srv.URL + "/auth/callback"},
		PostLogoutURIs: []string{srv.URL + "/"}, ServiceID: "svc", ServiceSecret: "svc-hemligt", ServiceAudience: "torg-api",
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", http.StripPrefix("/idp", idp))
	acr := map[string]string{}
	for _, l := range demoidp.Levels {
		acr[l.ACR] = l.Name
	}
	zones, _ := ParseZones("office=10.0.0.0/8")
	svc := New(Settings{
		Issuer: issuer, ClientID: "torg", ClientSecret: "hemligt", RedirectURL: srv.URL + "/auth/callback",
		Scopes: []string{"openid", "profile", "email", "groups"},
		Roles:  RoleMapping{Claim: "groups", Map: demoidp.RoleMap},
		Levels: LevelMapping{Levels: []string{"password", "otp", "eid"}, ACR: acr},
		Zones:  zones, APIAudience: "torg-api", PostLogoutURL: srv.URL + "/",
	}, db, clk, quiet())
	return &demoEnv{svc: svc, db: db, clock: clk, srv: srv}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// browse follows the provider's redirects as a browser would, signing in
// as person at level, and returns the callback's query.
func (e *demoEnv) browse(t *testing.T, authURL, person, level string) url.Values {
	t.Helper()
	res, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	login, _ := url.Parse(res.Header.Get("Location"))
	id := login.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the provider did not ask for a sign-in: %d %s", res.StatusCode, login)
	}
	res, err = noRedirect.PostForm(e.srv.URL+"/idp/login", url.Values{"authRequestID": {id}, "person": {person}, "level": {level}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = noRedirect.Get(res.Header.Get("Location")) // the provider's own callback
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb, _ := url.Parse(res.Header.Get("Location"))
	if !strings.HasPrefix(cb.String(), e.srv.URL+"/auth/callback") {
		t.Fatalf("did not come back to Torg: %s", cb)
	}
	return cb.Query()
}

func (e *demoEnv) signIn(t *testing.T, person, level, ret string) (string, *store.Session, string) {
	t.Helper()
	ctx := context.Background()
	browser := "browser-1"
	authURL, err := e.svc.BeginLogin(ctx, ret, "", browser)
	if err != nil {
		t.Fatal(err)
	}
	q := e.browse(t, authURL, person, level)
	token, sess, back, err := e.svc.FinishLogin(ctx, Callback{State: q.Get("state"), Browser: browser, Code: q.Get("code")})
	if err != nil {
		t.Fatal(err)
	}
	return token, sess, back
}

func loginCode(err error) string {
	var le *LoginError
	if errors.As(err, &le) {
		return le.Code
	}
	return ""
}

func TestSignInWithTheDemoProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newDemoEnv(t, db)
		ctx := context.Background()
		token, sess, back := e.signIn(t, "klara", "eid", "/nyheter?x=1")
		if back != "/nyheter?x=1" {
			t.Errorf("return path %q", back)
		}
		if sess.Subject != "klara" || sess.Level != "eid" || sess.Name != "Klara Berg" || sess.Roles != "communicator employee" {
			t.Fatalf("session: %+v", sess)
		}
		if sess.ID == token || len(token) < 40 {
			t.Fatal("the store must hold a hash of the token, not the token")
		}
		v, s := e.svc.Viewer(ctx, token, netip.MustParseAddr("10.2.3.4"))
		if s == nil || v.Subject != "klara" || !v.HasRole("communicator") || v.Zones[0] != "office" {
			t.Fatalf("viewer: %+v", v)
		}
		// Two sign-ins of one person are two sessions with two ids.
		token2, _, _ := e.signIn(t, "klara", "password", "/")
		if token2 == token {
			t.Fatal("a new sign-in must get a new session id")
		}
		// Signing out ends the session here and sends the browser to the provider.
		target := e.svc.Logout(ctx, token)
		if !strings.HasPrefix(target, e.srv.URL+"/idp/end_session?") || !strings.Contains(target, "id_token_hint=") ||
			!strings.Contains(target, "post_logout_redirect_uri="+url.QueryEscape(e.srv.URL+"/")) {
			t.Fatalf("logout target %s", target)
		}
		if _, s := e.svc.Viewer(ctx, token, netip.Addr{}); s != nil {
			t.Fatal("the session outlived its logout")
		}
	})
}

func stateOf(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

func TestCallbackRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newDemoEnv(t, db)
		ctx := context.Background()
		const browser = "browser-1"
		begin := func() string {
			t.Helper()
			authURL, err := e.svc.BeginLogin(ctx, "/", "", browser)
			if err != nil {
				t.Fatal(err)
			}
			return authURL
		}

		// A callback carried to another browser is refused, and the attempt is spent.
		q := e.browse(t, begin(), "sara", "password")
		stolen := Callback{State: q.Get("state"), Browser: "someone-else", Code: q.Get("code")}
		if _, _, _, err := e.svc.FinishLogin(ctx, stolen); loginCode(err) != "state_mismatch" {
			t.Fatalf("callback in another browser: %v", err)
		}
		if _, _, _, err := e.svc.FinishLogin(ctx, Callback{State: q.Get("state"), Browser: browser, Code: q.Get("code")}); loginCode(err) != "state_unknown" {
			t.Fatalf("a spent attempt: %v", err)
		}

		q = e.browse(t, begin(), "sara", "password")
		cb := Callback{State: q.Get("state"), Browser: browser, Code: q.Get("code")}
		if _, _, _, err := e.svc.FinishLogin(ctx, cb); err != nil {
			t.Fatalf("the real callback: %v", err)
		}
		if _, _, _, err := e.svc.FinishLogin(ctx, cb); loginCode(err) != "state_unknown" {
			t.Fatalf("replayed state: %v", err)
		}
		// The same code under a fresh, valid state: the provider refuses a reused code.
		fresh := stateOf(t, begin())
		if _, _, _, err := e.svc.FinishLogin(ctx, Callback{State: fresh, Browser: browser, Code: cb.Code}); loginCode(err) != "code_rejected" {
			t.Fatalf("reused code: %v", err)
		}
		// An attempt left too long.
		q3 := e.browse(t, begin(), "sara", "password")
		e.clock.Advance(11 * time.Minute)
		if _, _, _, err := e.svc.FinishLogin(ctx, Callback{State: q3.Get("state"), Browser: browser, Code: q3.Get("code")}); loginCode(err) != "state_expired" {
			t.Fatalf("slow sign-in: %v", err)
		}
		e.clock.Set(time.Now().UTC())
		denied := stateOf(t, begin())
		if _, _, _, err := e.svc.FinishLogin(ctx, Callback{State: denied, Browser: browser, Error: "access_denied"}); loginCode(err) != "provider_refused" {
			t.Fatalf("provider error: %v", err)
		}
		if _, _, _, err := e.svc.FinishLogin(ctx, Callback{Browser: browser, Code: "x"}); loginCode(err) != "state_unknown" {
			t.Fatalf("no state: %v", err)
		}
		if n, _ := db.CountSessions(ctx); n != 1 {
			t.Fatalf("%d sessions; only the one good sign-in may have made one", n)
		}
	})
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newDemoEnv(t, db)
		ctx := context.Background()
		t0 := e.clock.Now()
		token, _, _ := e.signIn(t, "erik", "password", "/")
		alive := func() bool { _, s := e.svc.Viewer(ctx, token, netip.Addr{}); return s != nil }

		e.clock.Advance(14*time.Minute + 59*time.Second)
		if !alive() {
			t.Fatal("ended before the idle limit")
		}
		// That visit counted as activity: another 14 minutes are fine.
		e.clock.Advance(14 * time.Minute)
		if !alive() {
			t.Fatal("activity did not extend the session")
		}
		// Active every ten minutes, it still ends ten hours after sign-in.
		for e.clock.Now().Before(t0.Add(10*time.Hour - 10*time.Minute)) {
			e.clock.Advance(10 * time.Minute)
			if !alive() {
				t.Fatalf("ended early at %v", e.clock.Now())
			}
		}
		e.clock.Set(t0.Add(10 * time.Hour))
		if alive() {
			t.Fatal("outlived its absolute lifetime")
		}

		e.clock.Set(time.Now().UTC()) // a new sign-in is verified against the real time again
		idle, _, _ := e.signIn(t, "erik", "password", "/")
		e.clock.Advance(15 * time.Minute)
		if _, s := e.svc.Viewer(ctx, idle, netip.Addr{}); s != nil {
			t.Fatal("outlived the idle limit")
		}
		// The sweeper removes what nobody will use again.
		e.clock.Set(time.Now().UTC())
		e.signIn(t, "sara", "password", "/")
		e.clock.Advance(16 * time.Minute)
		e.svc.SweepOnce(ctx)
		if n, _ := db.CountSessions(ctx); n != 0 {
			t.Fatalf("%d sessions left after the sweep", n)
		}
	})
}

func TestStepUpAsksForTheLevel(t *testing.T) {
	e := newDemoEnv(t, storetest.SQLite(t))
	authURL, err := e.svc.BeginLogin(context.Background(), "/personal/inloggningsadministration", "eid", "browser-1")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("acr_values") != "eid" || q.Get("prompt") != "login" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" {
		t.Fatalf("authorization request: %s", authURL)
	}
	// The demo provider then offers only e-ID.
	res, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), `value="password"`) || !strings.Contains(string(body), `value="eid"`) {
		t.Fatal("the provider should offer only the stronger sign-in")
	}
}

func TestBearerTokens(t *testing.T) {
	e := newDemoEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: "svc-hemligt", TokenURL: e.srv.URL + "/idp/oauth/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Bearer(ctx, tok.AccessToken, netip.MustParseAddr("203.0.113.1"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Subject != "svc" || !v.HasRole("service") || len(v.Zones) != 0 {
		t.Fatalf("service viewer: %+v", v)
	}
	// An ID token is for Torg's sign-in, not for the API.
	_, sess, _ := e.signIn(t, "anna", "eid", "/")
	if _, err := e.svc.Bearer(ctx, sess.IDToken, netip.Addr{}); loginCode(err) != "bearer_invalid" {
		t.Fatalf("an ID token as bearer: %v", err)
	}
	if _, err := e.svc.Bearer(ctx, "garbage", netip.Addr{}); loginCode(err) != "bearer_invalid" {
		t.Fatalf("garbage bearer: %v", err)
	}
}

func TestProviderDownAtStart(t *testing.T) {
	db := storetest.SQLite(t)
	svc := New(Settings{Issuer: "http://127.0.0.1:1/nowhere", ClientID: "x", RedirectURL: "http://127.0.0.1/cb",
		HTTPClient: &http.Client{Timeout: time.Second}}, db, clock.System{}, quiet())
	if _, err := svc.BeginLogin(context.Background(), "/", "", "browser-1"); !errors.Is(err, ErrProviderUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

// Sessions are read from memory for a moment, so a page view does not read
// the database each time; a sign-out elsewhere reaches this instance within
// that moment; and while the database is away, known sessions go on.
func TestSessionsReadFromMemoryAndSurviveALostDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newDemoEnv(t, db)
		ctx := context.Background()
		token, sess, _ := e.signIn(t, "sara", "password", "/")
		if _, err := e.svc.Session(ctx, token); err != nil {
			t.Fatal(err)
		}
		// Signed out on another instance: the row goes.
		if err := db.DeleteSession(ctx, sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Session(ctx, token); err != nil {
			t.Fatalf("within the moment the session is read from memory: %v", err)
		}
		e.clock.Advance(sessionCacheFor + time.Second)
		if _, err := e.svc.Session(ctx, token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a sign-out elsewhere did not reach this instance: %v", err)
		}

		token, _, _ = e.signIn(t, "erik", "password", "/")
		if _, err := e.svc.Session(ctx, token); err != nil {
			t.Fatal(err)
		}
		db.Close() // the database is gone
		e.clock.Advance(sessionCacheFor + time.Second)
		if s, err := e.svc.Session(ctx, token); err != nil || s.Subject != "erik" {
			t.Fatalf("a known session while the database is away: %v", err)
		}
		if _, err := e.svc.Session(ctx, "unknown-token"); err == nil {
			t.Fatal("an unknown token passed while the database is away")
		}
		e.clock.Advance(e.svc.Settings().IdleTimeout)
		if _, err := e.svc.Session(ctx, token); err == nil {
			t.Fatal("an idle session outlived its timeout while the database is away")
		}
	})
}
