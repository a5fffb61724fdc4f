// Package nodeidp runs an independent OpenID provider for tests: the npm
// package oidc-provider (OpenID Certified), as a separate Node process on a
// free loopback port, and signs people in through its development login
// and consent pages over plain HTTP, as a browser would.
//
// Its people: sara (group GRP-Timvikarier), anna (GRP-Medarbetare and
// GRP-IT-Admin); any other name signs in with no groups. The client is
// "torg" with the secret "hemligt-for-test".
package nodeidp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ClientID and ClientSecret are the one client the provider knows.
const (
	ClientID     = "torg"
	ClientSecret = "hemligt-for-test"
)

// ErrMissing means Node or the npm package is not installed; tests skip
// with it outside CI.
var ErrMissing = errors.New("the independent provider needs node and `npm ci` in the repository root")

// Provider is a running oidc-provider process.
type Provider struct {
	URL    string // the issuer
	cmd    *exec.Cmd
	cancel context.CancelFunc
}

// Start runs the provider with one client whose callback is redirect and
// returns once it listens.
func Start(redirect string) (*Provider, error) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(dir, "..", "..", "..", "node_modules", "oidc-provider")); err != nil {
		return nil, ErrMissing
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, ErrMissing
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "provider.mjs"), strconv.Itoa(port), redirect)
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	p := &Provider{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, cancel: cancel}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			p.Stop()
			return nil, errors.New("the provider exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		p.Stop()
		return nil, errors.New("the provider did not start within 30 s")
	}
	return p, nil
}

// Stop ends the process; safe to call twice.
func (p *Provider) Stop() {
	p.cancel()
	p.cmd.Wait()
}

var interaction = regexp.MustCompile(`/interaction/([A-Za-z0-9_-]+)`)

// SignIn follows redirects from start (an authorization URL, or a page of
// the relying party that leads to one) through the provider's login and
// consent pages as person, and returns the first address that done
// accepts, without fetching it: normally the callback with the code.
// The client must not follow redirects itself and should carry a cookie jar.
func SignIn(c *http.Client, start, person string, done func(*url.URL) bool) (*url.URL, error) {
	next, err := url.Parse(start)
	if err != nil {
		return nil, err
	}
	for step := 0; step < 16; step++ {
		if done(next) {
			return next, nil
		}
		res, err := c.Get(next.String())
		if err != nil {
			return nil, err
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode >= 300 && res.StatusCode < 400:
			if next, err = res.Request.URL.Parse(res.Header.Get("Location")); err != nil {
				return nil, err
			}
		case res.StatusCode == http.StatusOK && interaction.MatchString(res.Request.URL.Path):
			// The interaction page asks either to log in or to consent.
			form := url.Values{"prompt": {"consent"}}
			if strings.Contains(string(page), `name="login"`) {
				form = url.Values{"prompt": {"login"}, "login": {person}, "password": {"x"}}
			}
			pres, err := c.PostForm(res.Request.URL.String(), form)
			if err != nil {
				return nil, err
			}
			pres.Body.Close()
			if next, err = pres.Request.URL.Parse(pres.Header.Get("Location")); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unexpected answer %d at %s", res.StatusCode, res.Request.URL)
		}
	}
	return nil, errors.New("the sign-in did not finish within 16 steps")
}
