package auth

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// A provider whose metadata names no acr value and neither acr nor amr
// is warned about once; a step-up it does not confirm is refused without
// a session; acr and amr are read from userinfo when the ID token has
// neither.
func TestSignInLevelsFromAProviderThatDoesNotSayThem(t *testing.T) {
	f := newForger(t)
	var logged bytes.Buffer
	db := storetest.SQLite(t)
	svc := New(Settings{Issuer: f.srv.URL, ClientID: "torg", ClientSecret: "x", RedirectURL: "http://127.0.0.1/auth/callback",
		Levels: LevelMapping{Levels: []string{"password", "otp", "eid"}, AMR: map[string]string{"pwd": "password", "otp": "otp"}}},
		db, clock.System{}, slog.New(slog.NewTextHandler(&logged, nil)))
	ctx := context.Background()
	signIn := func(level string, userinfo map[string]any, extra map[string]any) (string, error) {
		t.Helper()
		authURL, err := svc.BeginLogin(ctx, "/", level, "browser-1")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(authURL)
		if got := u.Query().Get("claims"); got != `{"id_token":{"amr":{"essential":true}}}` {
			t.Errorf("claims request %q", got)
		}
		now := time.Now()
		c := map[string]any{"iss": f.srv.URL, "sub": "erik", "aud": "torg", "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "nonce": u.Query().Get("nonce")}
		for k, v := range extra {
			c[k] = v
		}
		f.mu.Lock()
		f.userinfo = userinfo
		f.mu.Unlock()
		f.idToken = f.sign(t, f.key, c)
		_, sess, _, err := svc.FinishLogin(ctx, Callback{State: u.Query().Get("state"), Browser: "browser-1", Code: "c"})
		if err != nil {
			return "", err
		}
		return sess.Level, nil
	}

	if level, err := signIn("", nil, nil); err != nil || level != "password" {
		t.Fatalf("a plain sign-in: %q %v", level, err)
	}
	if _, err := signIn("otp", nil, nil); loginCode(err) != "level_not_reached" {
		t.Fatalf("a step-up the provider did not confirm: %v", err)
	}
	if n, _ := db.CountSessions(ctx); n != 1 {
		t.Fatalf("%d sessions: an unconfirmed step-up must not start one", n)
	}
	if level, err := signIn("otp", nil, map[string]any{"amr": []string{"pwd", "otp"}}); err != nil || level != "otp" {
		t.Fatalf("a step-up with amr in the ID token: %q %v", level, err)
	}
	if level, err := signIn("otp", map[string]any{"sub": "erik", "amr": []string{"pwd", "otp"}}, nil); err != nil || level != "otp" {
		t.Fatalf("a step-up with amr in userinfo: %q %v", level, err)
	}
	if n := strings.Count(logged.String(), "metadata names neither"); n != 1 {
		t.Fatalf("the provider's metadata was warned about %d times, want once:\n%s", n, logged.String())
	}
}
