package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// serve runs app on a loopback listener and returns its base URL.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithContext(context.Background()) })
	return "http://" + ln.Addr().String()
}

// rawRequest sends target exactly as written, which no HTTP client would,
// and returns the answer.
func rawRequest(t *testing.T, base, method, target, body string, header ...string) *http.Response {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if body != "" {
		req += fmt.Sprintf("Content-Length: %d\r\n", len(body))
	}
	if _, err := conn.Write([]byte(req + "\r\n" + body)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	res.Body = io.NopCloser(bytes.NewReader(got))
	return res
}

// leavesSite tells whether a browser given this Location would go to a
// host other than host: browsers drop tabs and newlines, and read "\" as "/".
func leavesSite(loc, host string) bool {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(strings.TrimSpace(loc))
	u, err := url.Parse(loc)
	return err != nil || (u.Scheme != "" || u.Host != "" || strings.HasPrefix(loc, "//")) && u.Host != host
}

// walk follows redirects from target the way a browser would, by raw
// requests that keep every byte of the Location, and fails the test at
// the first one that would leave the site.
func walk(t *testing.T, base, method, target, body string, header ...string) {
	t.Helper()
	chain := []string{target}
	for hop := 0; hop < 6; hop++ {
		res := rawRequest(t, base, method, target, body, header...)
		loc := res.Header.Get("Location")
		if res.StatusCode < 300 || res.StatusCode > 399 || loc == "" {
			return
		}
		chain = append(chain, fmt.Sprintf("%d %s", res.StatusCode, loc))
		if leavesSite(loc, strings.TrimPrefix(base, "http://")) {
			t.Errorf("redirected off the site: %s", strings.Join(chain, " → "))
			return
		}
		cur, _ := url.Parse(base + target)
		next, err := url.Parse(loc)
		if err != nil {
			t.Errorf("unreadable Location: %s", strings.Join(chain, " → "))
			return
		}
		target, method, body = cur.ResolveReference(next).RequestURI(), "GET", ""
	}
}

// TestRedirectsStayOnTheSite asks every route that redirects to a place
// the request names, with the tricks that make a browser leave the site.
func TestRedirectsStayOnTheSite(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, monday10, func(d *Deps) {
		*d = withStore(db, *d)
		withSearch(t)(d)
		d.Feedback = feedback.New(db, d.Clock, quietLog(), 5, time.Minute)
	})
	base := serve(t, f.srv.App())
	evil := []string{
		"//evil.example/", "/\\evil.example/", "/.//evil.example/", "/..//evil.example/", "///evil.example/",
		"/%2F%2Fevil.example/", "/%2f/evil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/", "/\\/evil.example/",
		"/%09/evil.example/", "/%252F%252Fevil.example/", "//evil.example/x/",
	}
	for _, p := range evil {
		walk(t, base, "GET", p, "")
		walk(t, base, "GET", "/_lang/en?return="+url.QueryEscape(p), "")
		walk(t, base, "GET", "/sok/go?q=x&u="+url.QueryEscape(p), "")
		walk(t, base, "POST", "/feedback", "helpful=yes&path="+url.QueryEscape(p),
			"Content-Type: application/x-www-form-urlencoded")
		walk(t, base, "POST", "/feedback", "helpful=yes&path="+url.QueryEscape(strings.TrimSuffix(p, "/")+"/x"),
			"Content-Type: application/x-www-form-urlencoded")
	}
	// A path on the site is still where the redirects go.
	for target, want := range map[string]string{
		"/inloggning/": "/inloggning",
		"/_lang/sv?return=%2Finloggning%2Flogga-in":    "/inloggning/logga-in",
		"/sok/go?q=x&u=%2Finloggning%2Fglomt-losenord": "/inloggning/glomt-losenord",
	} {
		if res := rawRequest(t, base, "GET", target, ""); res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want %q", target, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

// TestSignInReturnStaysOnTheSite signs in through the demo provider with
// return addresses that pass a naive check, and follows every redirect.
func TestSignInReturnStaysOnTheSite(t *testing.T) {
	live := startLiveSite(t, storetest.SQLite(t), monday10)
	host := strings.TrimPrefix(live.base, "http://")
	for _, ret := range []string{"/.//evil.example/", "/..//evil.example/", "/%2F%2Fevil.example/", "/%5Cevil.example/", "/\\evil.example/"} {
		var left []string
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if loc := req.Response.Header.Get("Location"); req.URL.Host != host || leavesSite(loc, host) {
				left = append(left, loc)
				return http.ErrUseLastResponse
			}
			return nil
		}}
		res, err := c.Get(live.base + "/auth/login?return=" + url.QueryEscape(ret))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		id := res.Request.URL.Query().Get("authRequestID")
		if id == "" {
			t.Fatalf("return=%s: no sign-in page, got %s (%d)", ret, res.Request.URL, res.StatusCode)
		}
		res, err = c.PostForm(live.base+"/demo-idp/login", url.Values{"authRequestID": {id}, "person": {"erik"}, "level": {"password"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if len(left) > 0 || res.Request.URL.Host != host {
			t.Errorf("return=%s: after signing in, sent to %q (last %s)", ret, left, res.Request.URL)
		}
	}
}
