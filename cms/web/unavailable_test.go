package web

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// cutLine forwards TCP to a server until it is cut: then every connection
// through it drops and no new one is accepted.
type cutLine struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutLine(t *testing.T, target string) *cutLine {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &cutLine{ln: ln}
	t.Cleanup(l.cut)
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, in, out)
			l.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return l
}

func (l *cutLine) port() string { return strconv.Itoa(l.ln.Addr().(*net.TCPAddr).Port) }

func (l *cutLine) cut() {
	l.ln.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// TestWritesAnswer503WhileTheDatabaseIsAway cuts the line to PostgreSQL
// under a running server: a write through a service answers 503
// database_unavailable with Retry-After, as JSON to the API and with the
// theme's message to a form, while pages are still served.
func TestWritesAnswer503WhileTheDatabaseIsAway(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	line := newCutLine(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	db, err := store.Open(context.Background(), dsn+" host=127.0.0.1 port="+line.port()+" connect_timeout=2", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := newFeedbackSite(t, db, nil)
	call := func(method, target, body, who string) (*http.Response, string) {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Origin", "http://torg.test")
		r.Header.Set("X-Test-As", who)
		res, err := f.app.Test(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	answer := `{"path":"/inloggning/logga-in","helpful":true}`
	if res, out := call("POST", "/api/v1/feedback", answer, ""); res.StatusCode != 201 {
		t.Fatalf("with the database there: %d %s", res.StatusCode, out)
	}

	line.cut()
	for _, c := range []struct{ method, target, body, who string }{
		{"POST", "/api/v1/feedback", answer, ""},
		{"PATCH", "/api/v1/admin/feedback/1", `{"status":"handled"}`, "klara"},
	} {
		res, out := call(c.method, c.target, c.body, c.who)
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal([]byte(out), &e)
		if res.StatusCode != 503 || e.Error.Code != codeDatabaseUnavailable || !strings.Contains(e.Error.Message, "nothing was saved") || res.Header.Get("Retry-After") != "30" {
			t.Errorf("%s %s with the database away: %d %s, Retry-After %q", c.method, c.target, res.StatusCode, out, res.Header.Get("Retry-After"))
		}
	}
	if code, _, page := f.req(t, "GET", "/redaktion/synpunkter", "", map[string]string{"X-Test-As": "klara"}); code != 503 || !strings.Contains(page, "Databasen svarar inte") {
		t.Errorf("the dashboard with the database away: %d", code)
	}
	if code, _, _ := f.req(t, "GET", "/inloggning/logga-in", "", nil); code != 200 {
		t.Errorf("a page with the database away: %d", code)
	}
}
