package auth

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// startNodeProvider runs the npm package oidc-provider (OpenID Certified)
// as a separate process on a free loopback port.
func startNodeProvider(t *testing.T, redirect string) string {
	t.Helper()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	if _, err := os.Stat(filepath.Join(root, "node_modules", "oidc-provider")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node_modules/oidc-provider is missing: .ci/run installs it with npm ci")
		}
		t.Skip("the independent provider needs `npm ci` in the repository root")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on this machine")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "oidc-provider.mjs"), strconv.Itoa(port), redirect)
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the provider exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the provider did not start within 30 s")
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

var uidInPath = regexp.MustCompile(`/interaction/([A-Za-z0-9_-]+)`)

// TestSignInWithAnIndependentProvider signs in against oidc-provider with
// its development interactions: a login form, then consent.
func TestSignInWithAnIndependentProvider(t *testing.T) {
	const redirect = "http://127.0.0.1:9/auth/callback" // never fetched: the test stops at it
	issuer := startNodeProvider(t, redirect)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := New(Settings{
			Issuer: issuer, ClientID: "torg", ClientSecret: "hemligt-for-test", RedirectURL: redirect,
			Scopes: []string{"openid", "profile", "email", "groups"},
			Roles:  RoleMapping{Claim: "groups", Map: map[string]string{"GRP-IT-Admin": "admin", "GRP-Medarbetare": "employee"}, Default: []string{"employee"}},
			Levels: LevelMapping{Levels: []string{"password", "otp", "eid"}}, PostLogoutURL: "http://127.0.0.1:9/",
		}, db, clock.System{}, quiet())
		ctx := context.Background()
		const browser = "browser-1"
		authURL, err := svc.BeginLogin(ctx, "/personal", "", browser)
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		next := authURL
		var callback *url.URL
		for step := 0; step < 12 && callback == nil; step++ {
			res, err := c.Get(next)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			switch {
			case res.StatusCode >= 300 && res.StatusCode < 400:
				loc, _ := res.Request.URL.Parse(res.Header.Get("Location"))
				if strings.HasPrefix(loc.String(), redirect) {
					callback = loc
					break
				}
				next = loc.String()
			case res.StatusCode == 200 && uidInPath.MatchString(res.Request.URL.Path):
				// The interaction page asks either to log in or to consent.
				form := url.Values{"prompt": {"consent"}}
				if strings.Contains(string(page), `name="login"`) {
					form = url.Values{"prompt": {"login"}, "login": {"anna"}, "password": {"x"}}
				}
				pres, err := c.PostForm(res.Request.URL.String(), form)
				if err != nil {
					t.Fatal(err)
				}
				pres.Body.Close()
				loc, _ := pres.Request.URL.Parse(pres.Header.Get("Location"))
				if strings.HasPrefix(loc.String(), redirect) {
					callback = loc
				}
				next = loc.String()
			default:
				t.Fatalf("unexpected answer %d at %s", res.StatusCode, res.Request.URL)
			}
		}
		if callback == nil {
			t.Fatal("never came back with a code")
		}
		token, sess, back, err := svc.FinishLogin(ctx, Callback{State: callback.Query().Get("state"), Browser: browser, Code: callback.Query().Get("code")})
		if err != nil {
			t.Fatal(err)
		}
		// oidc-provider puts groups only in userinfo; Torg fetched them there.
		if back != "/personal" || sess.Subject != "anna" || sess.Roles != "admin employee" || sess.Name != "Anna Sjö" {
			t.Fatalf("session: %+v, back to %s", sess, back)
		}
		if v, s := svc.Viewer(ctx, token, netip.Addr{}); s == nil || !v.HasRole("admin") {
			t.Fatal("no viewer for the session")
		}
		if target := svc.Logout(ctx, token); !strings.HasPrefix(target, issuer+"/session/end?") {
			t.Fatalf("logout should go through the provider's end_session_endpoint, went to %s", target)
		}
	})
}
