package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/torg-cms/torg/cms/store/storetest"
)

// FuzzCallback sends the sign-in callback parameters of every shape, with
// and without a state this service handed out and the browser it was
// bound to, against the real demo provider: never a panic, never a session,
// always a refusal that says why. The return path is always local.
func FuzzCallback(f *testing.F) {
	f.Add(true, true, "", "kod", "", "", "/vikarie")
	f.Add(true, false, "", "", "access_denied", "Användaren avbröt", "//evil.example")
	f.Add(false, true, "x", "kod", "", "", "/\\evil.example")
	f.Add(false, false, "", "", "", "", "https://evil.example/")
	f.Add(true, true, "", "", "", "", "/auth/callback?state=x")
	e := newDemoEnv(f, storetest.SQLite(f))
	ctx := context.Background()
	const browser = "fuzz-browser"
	f.Fuzz(func(t *testing.T, realState, sameBrowser bool, state, code, perr, pdesc, ret string) {
		if r := SafeReturn(ret); r != "/" && (!strings.HasPrefix(r, "/") || strings.HasPrefix(r, "//") || strings.ContainsAny(r, "\\\r\n\t")) {
			t.Fatalf("SafeReturn(%q) = %q leaves the site", ret, r)
		}
		if realState {
			authURL, err := e.svc.BeginLogin(ctx, ret, "", browser)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			state = u.Query().Get("state")
		}
		b := "another-browser"
		if sameBrowser {
			b = browser
		}
		token, sess, _, err := e.svc.FinishLogin(ctx, Callback{State: state, Browser: b, Code: code, Error: perr, ErrorDescription: pdesc})
		if err == nil || token != "" || sess != nil {
			t.Fatalf("a made-up callback signed in: %v", err)
		}
		var le *LoginError
		if !errors.As(err, &le) || le.Error() == "" {
			t.Fatalf("refused without a reason a person can read: %v", err)
		}
	})
}
