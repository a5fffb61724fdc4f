package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return code, out.String(), errb.String()
}

// noEnv is an environment without TORG_* variables.
func noEnv(string) (string, bool) { return "", false }

func TestCheckDemoContent(t *testing.T) {
	code, out, errs := runCmd(t, nil, "check", filepath.Join("..", "..", "content"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "0 errors, 0 warnings") {
		t.Fatalf("output: %s", out)
	}
}

func TestCheckReportsEveryErrorWithFileAndLine(t *testing.T) {
	code, out, _ := runCmd(t, nil, "check", "testdata/broken")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"testdata/broken/_index.md:5: error: link to saknas.md: no such page or file",
		"testdata/broken/datum.md:3: error: date: \"igår\" is not a date",
		"testdata/broken/okand-typ.md:3: error: unknown type \"blogg\"",
		"testdata/broken/okant-sprak.md:3: error: unknown language \"de\"",
		"testdata/broken/ordning.md:4: error: expire_at (2026-11-01 00:00:00) is not after publish_at (2026-12-01 00:00:00)",
		"testdata/broken/sektion/krock.md:3: error: alias /gammal is already an alias of /sektion/ok",
		"testdata/broken/sektion/dubblett.md:8: error: image bild-saknas.png does not exist",
		"testdata/broken/sektion/ok.md: error: URL /sektion/ok is already used by testdata/broken/sektion/dubblett.md",
		"testdata/broken/trasig-yaml.md:",
		"front matter is not valid YAML",
		"testdata/broken/personal/_index.nb.md:3: error: audience is wider than the folder's own in the default language (sv)",
		"10 errors, 0 warnings",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

func TestCheckUsage(t *testing.T) {
	if code, _, errs := runCmd(t, nil, "check"); code != 2 || !strings.Contains(errs, "usage: torg check DIR") {
		t.Fatalf("%d %s", code, errs)
	}
	if code, _, errs := runCmd(t, nil, "check", "no/such/dir"); code != 2 || !strings.Contains(errs, "content folder") {
		t.Fatalf("%d %s", code, errs)
	}
	if code, _, errs := runCmd(t, nil, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Fatalf("%d %s", code, errs)
	}
	if code, out, _ := runCmd(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "torg ") {
		t.Fatalf("%d %s", code, out)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitFor(t *testing.T, url string, ok func(int, string) bool) (int, string) {
	t.Helper()
	// The deadline only stops a broken server from hanging the test.
	deadline := time.Now().Add(15 * time.Second)
	var code int
	var body string
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			code, body = res.StatusCode, string(b)
			if ok(code, body) {
				return code, body
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s never answered as expected; last: %d %.200s", url, code, body)
	return 0, ""
}

// The real binary's serve path: a content folder on disk, a saved edit
// served without restart, a broken edit that keeps the page, and a graceful
// stop when the context ends.
func TestServeWatchesAndStops(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "sida.md")
	os.WriteFile(filepath.Join(dir, "_index.md"), []byte("---\ntitle: Hem\naudience: public\n---\n"), 0o644)
	os.WriteFile(page, []byte("---\ntitle: Första versionen\naudience: public\n---\n"), 0o644)
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--content", dir, "--data", filepath.Join(dir, ".data"), "--log-format", "json"}, io.Discard, &syncWriter{w: &logs}, noEnv)
	}()
	base := "http://" + addr
	waitFor(t, base+"/sida", func(c int, b string) bool { return c == 200 && strings.Contains(b, "Första versionen") })

	os.WriteFile(page, []byte("---\ntitle: Andra versionen\naudience: public\n---\n"), 0o644)
	waitFor(t, base+"/sida", func(c int, b string) bool { return c == 200 && strings.Contains(b, "Andra versionen") })

	os.WriteFile(page, []byte("---\ntitle: [trasig\n---\n"), 0o644)
	waitFor(t, base+"/readyz", func(c int, b string) bool { return c == 200 && strings.Contains(b, `"problems":1`) })
	if code, body := waitFor(t, base+"/sida", func(c int, _ string) bool { return true }); code != 200 || !strings.Contains(body, "Andra versionen") {
		t.Fatalf("a broken edit should keep the last good version: %d", code)
	}
	if code, _ := waitFor(t, base+"/healthz", func(c int, _ string) bool { return true }); code != 200 {
		t.Fatalf("healthz %d", code)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d\n%s", code, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, want := range []string{`"msg":"request"`, `"request_id":`, `"msg":"content reloaded"`, `"msg":"stopped"`, `"msg":"content problem"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

type syncWriter struct {
	mu chan struct{}
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	if s.mu == nil {
		s.mu = make(chan struct{}, 1)
	}
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.w.Write(p)
}

func TestDemoProviderRefusesNonLoopback(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--demo", "--base-url", "https://intra.example.se"},
		{"serve", "--demo", "--listen", "0.0.0.0:0"},
	} {
		args = append(args, "--data", t.TempDir())
		code, _, errs := runCmd(t, nil, args...)
		if code != 1 || !strings.Contains(errs, "only runs on a loopback address") || !strings.Contains(errs, "--demo-unsafe-expose") {
			t.Errorf("%v: exit %d\n%s", args, code, errs)
		}
	}
}

func TestTilesImport(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "tiles.yaml")
	os.WriteFile(bad, []byte("categories: [{id: c}]\ntiles:\n  - id: a\n    title: {sv: A}\n    url: ftp://x\n    category: c\n"), 0o644)
	code, _, errs := runCmd(t, nil, "tiles", "import", "--data", data, bad)
	if code != 1 || !strings.Contains(errs, bad+": tiles: tile 1 (a): url: must be a full http(s) address") {
		t.Fatalf("bad file: %d %s", code, errs)
	}
	code, out, errs := runCmd(t, nil, "tiles", "import", "--data", data, filepath.Join("..", "..", "content", "tiles.yaml"))
	if code != 0 || !strings.Contains(out, "15 tiles in 6 categories imported") {
		t.Fatalf("demo file: %d %s %s", code, out, errs)
	}
}

// torg backup copies a SQLite database that is being written to, and the
// copy opens with everything committed before it started.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 50 {
		if err := db.CreateFeedback(ctx, &store.Feedback{Path: "/a", Comment: fmt.Sprint("före-", i), Status: store.FeedbackNew, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // writers keep writing during the backup
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				db.CreateFeedback(ctx, &store.Feedback{Path: "/a", Comment: fmt.Sprint("under-", i), Status: store.FeedbackNew, CreatedAt: time.Now()})
			}
		}
	}()
	file := filepath.Join(t.TempDir(), "kopia.db")
	code, out, errOut := runCmd(t, nil, "backup", "--data", data, file)
	close(stop)
	<-done
	if code != 0 || !strings.Contains(out, "backed up to") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	copyDB, err := store.Open(ctx, "sqlite:"+file, "")
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	all, err := copyDB.FeedbackList(ctx, store.FeedbackFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := 0
	for _, f := range all {
		if strings.HasPrefix(f.Comment, "före-") {
			before++
		}
	}
	if before != 50 {
		t.Fatalf("the copy holds %d of the 50 answers written before it", before)
	}
	if code, _, errOut := runCmd(t, nil, "backup", "--data", data, file); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("a second backup over the first: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, nil, "backup", "--data", data); code != 2 || !strings.Contains(errOut, "usage") {
		t.Fatalf("no file: %d %s", code, errOut)
	}
}
