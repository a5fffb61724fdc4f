// Package apptest builds Torg for tests the way torg serve builds it: from
// a configuration, on the demo content, with a fresh SQLite database and
// search index in a temporary folder.
package apptest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/app"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
	"github.com/torg-cms/torg/cms/content"
)

type settings struct {
	args []string
	opts app.Options
	run  bool
}

// Option changes what New builds.
type Option func(*settings)

// Args are torg serve's flags, on top of those New sets.
func Args(args ...string) Option {
	return func(s *settings) { s.args = append(s.args, args...) }
}

// Parts builds only these parts of Torg.
func Parts(p app.Parts) Option { return func(s *settings) { s.opts.Parts = p } }

// Clock is the clock every part reads.
func Clock(c clock.Clock) Option { return func(s *settings) { s.opts.Clock = c } }

// Log receives what Torg logs; by default nothing is kept.
func Log(l *slog.Logger) Option { return func(s *settings) { s.opts.Log = l } }

// Content is the content instead of the demo's.
func Content(src content.Source) Option { return func(s *settings) { s.opts.Content = src } }

// Run runs the background work and the web server, on a free port of
// 127.0.0.1 (the App's Config.Listen), until the test ends.
func Run() Option { return func(s *settings) { s.run = true } }

// New builds Torg with a fresh data folder and closes it when the test
// ends. Without options it builds every part and runs nothing.
func New(t testing.TB, opts ...Option) *app.App {
	t.Helper()
	s := settings{args: []string{"--data", filepath.Join(t.TempDir(), "data"), "--listen", freeAddr(t)}}
	for _, o := range opts {
		o(&s)
	}
	if s.opts.Log == nil {
		s.opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, rest, err := config.Load("apptest", s.args, func(string) (string, bool) { return "", false })
	if err != nil || len(rest) > 0 {
		t.Fatalf("configuration %v: %v %v", s.args, err, rest)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, err := app.New(ctx, cfg, s.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if !s.run {
		return a
	}
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	t.Cleanup(func() {
		a.Close() // stops Run, and waits for it
		if err := <-ran; err != nil && !errors.Is(err, app.ErrClosed) {
			t.Errorf("run: %v", err)
		}
	})
	if a.Server != nil {
		waitListening(t, cfg.Listen)
	}
	return a
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitListening(t testing.TB, addr string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never listened on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
