//go:build faults

// Package faults is Torg's fault and load suite. It builds the torg binary,
// runs it on this machine's PostgreSQL against an independent OpenID
// provider (oidc-provider, a Node process), and, on 127.0.0.1 only:
//
//  1. measures the most mixed traffic it answers (signed-in page views,
//     API, search, feedback) and soaks it at 70 % of that for -soak (10
//     minutes): no 5xx, no unexpected answer, RSS growth under 10 %;
//  2. stops PostgreSQL under traffic: pages, search and known sessions go
//     on, writes answer 503 with a clear message, and everything recovers
//     when the database is back, without a restart;
//  3. stops the identity provider: sessions go on, a new sign-in gets the
//     page that links to the public login help;
//  4. SIGKILLs Torg under write load and restarts it: every write that had
//     been answered 2xx is in the database;
//  5. corrupts, then deletes, the search index on disk: rebuilt at start.
//
// Run it with bash bench/faults.sh (which passes -tags faults). It prints
// a Markdown summary, also written to -report when given. It stops and
// starts the local PostgreSQL cluster, so run it alone.
package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/auth/nodeidp"
	"github.com/torg-cms/torg/cms/store/storetest"
)

var (
	soakFor   = flag.Duration("soak", 10*time.Minute, "how long the soak runs")
	measure   = flag.Duration("measure", 20*time.Second, "how long the maximum is measured")
	reportOut = flag.String("report", "", "file to write the Markdown summary to, besides standard output")
)

// TestFaults runs the phases in order on one Torg: each needs the sessions
// and data the ones before it made.
func TestFaults(t *testing.T) {
	s := setUp(t)
	t.Run("soak", s.soak)
	t.Run("database stopped", s.databaseStopped)
	t.Run("provider stopped", s.providerStopped)
	t.Run("SIGKILL under writes", s.killUnderWrites)
	t.Run("index damaged", s.indexDamaged)
	s.printReport(t)
}

// server is one torg process.
type server struct {
	bin, addr, base string
	args            []string
	cmd             *exec.Cmd
	exited          chan struct{}
	log             *os.File
}

func (v *server) start(t *testing.T) {
	t.Helper()
	v.cmd = exec.Command(v.bin, v.args...)
	v.cmd.Stdout, v.cmd.Stderr = v.log, v.log
	if err := v.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	v.exited = exited
	go func(c *exec.Cmd) { c.Wait(); close(exited) }(v.cmd)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("torg exited during start; its log is %s", v.log.Name())
		default:
		}
		if res, err := http.Get(v.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("torg was not ready within 2 minutes; its log is %s", v.log.Name())
}

func (v *server) signal(sig syscall.Signal) {
	if v.cmd == nil || v.cmd.Process == nil {
		return
	}
	v.cmd.Process.Signal(sig)
	select {
	case <-v.exited:
	case <-time.After(30 * time.Second):
		v.cmd.Process.Kill()
		<-v.exited
	}
	v.cmd = nil
}

// memoryKB is the resident memory of the process and its private part
// (RssAnon: heap and stacks, not the binary's or the index's mapped file
// pages), from /proc.
func (v *server) memoryKB() (rss, anon int64) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(v.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n
		case "RssAnon:":
			anon = n
		}
	}
	return rss, anon
}

type person struct {
	name  string
	c     *http.Client
	pages []string
}

type suite struct {
	torg     *server
	provider *nodeidp.Provider
	dsn      string
	data     string
	people   []*person
	rows     [][2]string // the summary: check, result
}

func (s *suite) result(check, format string, args ...any) {
	s.rows = append(s.rows, [2]string{check, fmt.Sprintf(format, args...)})
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// transport is shared by every simulated person: keep-alive connections,
// enough of them for the load.
var transport = &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}

func setUp(t *testing.T) *suite {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "torg")
	build := exec.Command("go", "build", "-o", bin, "./cmd/torg")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	base := "http://" + addr
	provider, err := nodeidp.Start(base + "/auth/callback")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(provider.Stop)
	s := &suite{provider: provider, dsn: storetest.PostgresURL(t), data: filepath.Join(dir, "data")}
	// The server's log outlives the run, for a look after a failure.
	logFile, err := os.CreateTemp("", "torg-faults-*.log")
	if err != nil {
		t.Fatal(err)
	}
	s.torg = &server{bin: bin, addr: addr, base: base, log: logFile, args: []string{
		"serve", "--listen", addr, "--data", s.data, "--database-url", s.dsn,
		"--oidc-issuer", provider.URL, "--oidc-client-id", nodeidp.ClientID, "--oidc-client-secret", nodeidp.ClientSecret,
		"--oidc-scopes", "openid profile email groups",
		"--oidc-role-map", "GRP-Timvikarier=substitute, GRP-Medarbetare=employee, GRP-IT-Admin=admin",
		"--check-links=false", "--signin-rate", "0", "--search-rate", "0", "--api-rate", "0", "--feedback-rate", "1000000",
		"--log-format", "json", "--log-level", "warn",
	}}
	t.Logf("built; starting torg at %s, its log in %s", base, logFile.Name())
	s.torg.start(t)
	t.Cleanup(func() { s.torg.signal(syscall.SIGTERM) })
	t.Log("torg is ready; signing in")
	for _, name := range []string{"sara", "anna", "erik", "maja", "klara", "per"} {
		s.people = append(s.people, s.signIn(t, name))
	}
	t.Log("signed in")
	return s
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// signIn goes through Torg's /auth/login, the provider's pages and back,
// and lists the pages the person may read.
func (s *suite) signIn(t *testing.T, name string) *person {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: transport, Timeout: 30 * time.Second, CheckRedirect: noRedirects}
	cb, err := nodeidp.SignIn(c, s.torg.base+"/auth/login?return=/", name, func(u *url.URL) bool {
		return strings.HasPrefix(u.String(), s.torg.base+"/auth/callback")
	})
	if err != nil {
		t.Fatalf("sign-in as %s: %v", name, err)
	}
	res, err := c.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback for %s: %d", name, res.StatusCode)
	}
	p := &person{name: name, c: c}
	var list struct {
		Items []struct {
			URL string `json:"url"`
		} `json:"items"`
	}
	if status := p.getJSON(t, s.torg.base+"/api/v1/pages?limit=100", &list); status != 200 || len(list.Items) == 0 {
		t.Fatalf("%s's pages: %d, %d pages", name, status, len(list.Items))
	}
	for _, it := range list.Items {
		u, err := url.Parse(it.URL)
		if err != nil {
			t.Fatal(err)
		}
		p.pages = append(p.pages, u.Path)
	}
	return p
}

func (p *person) getJSON(t *testing.T, u string, into any) int {
	t.Helper()
	res, err := p.c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if into != nil {
		json.NewDecoder(res.Body).Decode(into)
	}
	return res.StatusCode
}

var words = []string{"lösenord", "vikarie", "lön", "semester", "schema", "inloggning", "sjukanmälan", "pass", "e-post", "bankid", "friskvård", "lönespecifikation", "timvikarie", "kontakt"}

// request is one step of mixed traffic, as staff make it: mostly page
// views, then searches, API reads, and now and then a feedback answer.
type request struct {
	kind   string // page, api, search, feedback, favourites
	method string
	url    string
	body   []byte
	want   int
}

func (s *suite) mixed(p *person, r *mrand.Rand) request {
	base := s.torg.base
	switch n := r.IntN(100); {
	case n < 50:
		return request{kind: "page", method: "GET", url: base + p.pages[r.IntN(len(p.pages))], want: 200}
	case n < 65:
		api := []string{"/api/v1/pages?limit=20", "/api/v1/news", "/api/v1/tiles", "/api/v1/me", "/api/v1/jobs", "/api/v1/sections"}
		return request{kind: "api", method: "GET", url: base + api[r.IntN(len(api))], want: 200}
	case n < 90:
		q := url.QueryEscape(words[r.IntN(len(words))])
		if r.IntN(2) == 0 {
			return request{kind: "search", method: "GET", url: base + "/sok?q=" + q, want: 200}
		}
		return request{kind: "search", method: "GET", url: base + "/api/v1/search?q=" + q, want: 200}
	default:
		return s.feedback(p, r, "soak")
	}
}

func (s *suite) feedback(p *person, r *mrand.Rand, comment string) request {
	body, _ := json.Marshal(map[string]any{"path": p.pages[r.IntN(len(p.pages))], "helpful": r.IntN(2) == 0, "comment": comment})
	return request{kind: "feedback", method: "POST", url: s.torg.base + "/api/v1/feedback", body: body, want: 201}
}

type answer struct {
	status int
	body   []byte
	err    error
	took   time.Duration
}

func (s *suite) send(p *person, q request) answer {
	var rd io.Reader
	if q.body != nil {
		rd = bytes.NewReader(q.body)
	}
	req, err := http.NewRequest(q.method, q.url, rd)
	if err != nil {
		return answer{err: err}
	}
	if q.body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", s.torg.base)
	}
	start := time.Now()
	res, err := p.c.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start)}
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	return answer{status: res.StatusCode, body: b, err: err, took: time.Since(start)}
}

// tally counts answers; judge says whether one was as it should be.
type tally struct {
	mu       sync.Mutex
	n, bad   int
	fivexx   int
	errs     int
	byKind   map[string]int
	lat      []time.Duration
	examples []string
	judge    func(request, answer) bool
}

func newTally(judge func(request, answer) bool) *tally {
	if judge == nil {
		judge = func(q request, a answer) bool { return a.status == q.want }
	}
	return &tally{byKind: map[string]int{}, judge: judge}
}

func (t *tally) add(q request, a answer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	t.byKind[q.kind]++
	t.lat = append(t.lat, a.took)
	switch {
	case a.err != nil:
		t.errs++
	case a.status >= 500 && !t.judge(q, a):
		t.fivexx++
	}
	if a.err != nil || !t.judge(q, a) {
		t.bad++
		if len(t.examples) < 5 {
			t.examples = append(t.examples, fmt.Sprintf("%s %s → %d %v %.200s", q.method, q.url, a.status, a.err, a.body))
		}
	}
}

func (t *tally) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

func (t *tally) percentile(p float64) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lat) == 0 {
		return 0
	}
	l := slices.Clone(t.lat)
	slices.Sort(l)
	return l[int(float64(len(l)-1)*p)]
}

func (t *tally) check(tb *testing.T, what string) {
	tb.Helper()
	if t.bad > 0 {
		tb.Errorf("%s: %d of %d answers were not as they should be (%d 5xx, %d transport errors), e.g.:\n%s",
			what, t.bad, t.n, t.fivexx, t.errs, strings.Join(t.examples, "\n"))
	}
}

// closedLoop keeps workers busy for d, each sending its next request as
// soon as the last was answered: the most the server answers.
func (s *suite) closedLoop(workers int, d time.Duration, next func(*person, *mrand.Rand) request, t *tally) {
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := mrand.New(mrand.NewPCG(uint64(w), 7))
			p := s.people[w%len(s.people)]
			for time.Now().Before(stop) {
				q := next(p, r)
				t.add(q, s.send(p, q))
			}
		}()
	}
	wg.Wait()
}

// openLoop sends rate requests a second for d whatever the answers take,
// as many people do; it returns how many it could not send because all
// workers were waiting (the server fell behind).
func (s *suite) openLoop(rate float64, d time.Duration, next func(*person, *mrand.Rand) request, t *tally, every func(time.Duration)) int {
	tokens := make(chan struct{}, 4096)
	var wg sync.WaitGroup
	for w := range 256 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := mrand.New(mrand.NewPCG(uint64(w), 11))
			p := s.people[w%len(s.people)]
			for range tokens {
				q := next(p, r)
				t.add(q, s.send(p, q))
			}
		}()
	}
	start := time.Now()
	sent, dropped := 0, 0
	tick := time.NewTicker(5 * time.Millisecond)
	lastEvery := time.Duration(0)
	for now := range tick.C {
		el := now.Sub(start)
		if el >= d {
			break
		}
		for due := int(el.Seconds() * rate); sent < due; sent++ {
			select {
			case tokens <- struct{}{}:
			default:
				dropped++
			}
		}
		if every != nil && el-lastEvery >= 2*time.Second {
			lastEvery = el
			every(el)
		}
	}
	tick.Stop()
	close(tokens)
	wg.Wait()
	return dropped
}

func (s *suite) soak(t *testing.T) {
	warm := newTally(nil)
	s.closedLoop(16, 5*time.Second, s.mixed, warm)
	max := newTally(nil)
	s.closedLoop(48, *measure, s.mixed, max)
	max.check(t, "at the maximum")
	maxRate := float64(max.n) / measure.Seconds()
	rate := 0.7 * maxRate
	s.result("maximum, mixed traffic, 48 connections", "%.0f requests/s (p99 %s)", maxRate, max.percentile(0.99).Round(time.Millisecond))

	type sample struct {
		at        time.Duration
		rss, anon int64 // kB: all resident memory, and the private part (heap, stacks)
	}
	var samples []sample
	soak := newTally(nil)
	dropped := s.openLoop(rate, *soakFor, s.mixed, soak, func(at time.Duration) {
		rss, anon := s.torg.memoryKB()
		samples = append(samples, sample{at, rss, anon})
		if len(samples)%15 == 0 {
			t.Logf("soak at %s: RSS %d MB (%d MB private), %d requests", at.Round(time.Second), rss/1024, anon/1024, soak.count())
		}
	})
	soak.check(t, "soak")
	if dropped > soak.n/100 {
		t.Errorf("soak: %d requests could not be sent, the server fell behind at 70 %% of its maximum", dropped)
	}
	// The median RSS of the second fifth of the run against that of the
	// last fifth. The first fifth is the warm-up, in which the server opens
	// a connection and its buffers for each of the load's workers as
	// answers now and then take longer; medians, because the garbage
	// collector lets the heap swing by a few MB from one sample to the next.
	window := *soakFor / 5
	median := func(from, to time.Duration, anon bool) float64 {
		var v []int64
		for _, x := range samples {
			if x.at >= from && x.at < to {
				v = append(v, map[bool]int64{false: x.rss, true: x.anon}[anon])
			}
		}
		if len(v) == 0 {
			return 0
		}
		slices.Sort(v)
		return float64(v[len(v)/2])
	}
	early, late := median(window, 2*window, false), median(*soakFor-window, *soakFor, false)
	earlyAnon, lateAnon := median(window, 2*window, true), median(*soakFor-window, *soakFor, true)
	growth := 0.0
	if early > 0 {
		growth = (late - early) / early * 100
	}
	if early == 0 || growth >= 10 {
		t.Errorf("soak: RSS grew from %.0f MB to %.0f MB (%.1f %%), more than 10 %%", early/1024, late/1024, growth)
	}
	kinds := []string{}
	for _, k := range []string{"page", "search", "api", "feedback"} {
		kinds = append(kinds, fmt.Sprintf("%d %s", soak.byKind[k], k))
	}
	s.result(fmt.Sprintf("soak, %s at 70 %% (%.0f requests/s)", *soakFor, rate),
		"%d requests (%s): %d 5xx, %d other failures; p50 %s, p99 %s; RSS %.0f → %.0f MB (%+.1f %%; private %.0f → %.0f MB)",
		soak.n, strings.Join(kinds, ", "), soak.fivexx, soak.bad-soak.fivexx, soak.percentile(0.5).Round(100*time.Microsecond),
		soak.percentile(0.99).Round(100*time.Microsecond), early/1024, late/1024, growth, earlyAnon/1024, lateAnon/1024)
}

// postgres stops or starts this machine's PostgreSQL cluster.
func postgres(t *testing.T, action string) {
	t.Helper()
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Fatalf("no PostgreSQL cluster under /etc/postgresql to %s: %v", action, err)
	}
	args := []string{"--skip-systemctl-redirect", versions[0].Name(), "main", action}
	cmd := exec.Command("pg_ctlcluster", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctlcluster %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (s *suite) databaseStopped(t *testing.T) {
	// Reads must be answered as always; writes with 201, or 503 and the
	// message while the database is away — never anything else.
	judge := func(q request, a answer) bool {
		if q.kind == "feedback" || q.kind == "favourites" {
			return a.status == q.want || (a.status == 503 && bytes.Contains(a.body, []byte(`"database_unavailable"`)))
		}
		return a.status == q.want
	}
	during := newTally(judge)
	done := make(chan int)
	go func() { done <- s.openLoop(100, 40*time.Second, s.mixed, during, nil) }()
	time.Sleep(5 * time.Second)
	postgres(t, "stop")
	stopped := time.Now()
	restarted := false
	defer func() {
		if !restarted {
			postgres(t, "start")
		}
	}()
	time.Sleep(3 * time.Second) // past the 2-second session cache
	p := s.people[0]
	r := mrand.New(mrand.NewPCG(1, 1))
	for _, q := range []request{
		{kind: "page", method: "GET", url: s.torg.base + p.pages[0], want: 200},
		{kind: "search", method: "GET", url: s.torg.base + "/sok?q=l%C3%B6senord", want: 200},
		{kind: "search", method: "GET", url: s.torg.base + "/api/v1/search?q=vikarie", want: 200},
		{kind: "api", method: "GET", url: s.torg.base + "/api/v1/me", want: 200},
	} {
		if a := s.send(p, q); a.status != q.want {
			t.Errorf("with the database stopped, %s answered %d: %.300s", q.url, a.status, a.body)
		}
	}
	var writeMsg string
	for _, q := range []request{s.feedback(p, r, "while the database is away"),
		{kind: "favourites", method: "PUT", url: s.torg.base + "/api/v1/me/favorites", body: []byte(`{"tiles": []}`), want: 200}} {
		a := s.send(p, q)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(a.body, &e)
		if a.status != 503 || e.Error.Code != "database_unavailable" || !strings.Contains(e.Error.Message, "nothing was saved") {
			t.Errorf("a write with the database stopped: %s %s answered %d %s, want 503 database_unavailable", q.method, q.url, a.status, a.body)
		}
		writeMsg = e.Error.Message
	}
	var ready struct{ Status, Database string }
	if st := p.getJSON(t, s.torg.base+"/readyz", &ready); st != 200 || ready.Database != "unavailable" {
		t.Errorf("/readyz with the database stopped: %d %+v, want 200 and database unavailable", st, ready)
	}
	time.Sleep(10 * time.Second)
	postgres(t, "start")
	restarted = true
	back := time.Now()
	recovered := time.Duration(-1)
	for time.Since(back) < time.Minute {
		if a := s.send(p, s.feedback(p, r, "after the database came back")); a.status == 201 {
			recovered = time.Since(back)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if recovered < 0 {
		t.Error("writes did not work again within a minute of the database coming back")
	}
	if dropped := <-done; dropped > 0 {
		t.Errorf("%d requests could not be sent during the outage", dropped)
	}
	during.check(t, "traffic through the outage")
	s.result("PostgreSQL stopped for "+back.Sub(stopped).Round(time.Second).String()+" under 100 requests/s",
		"%d requests: reads all answered (%d page, %d search, %d API), writes 503 %q; writes work again %s after it returns, no restart",
		during.n, during.byKind["page"], during.byKind["search"], during.byKind["api"], writeMsg, recovered.Round(100*time.Millisecond))
}

func (s *suite) providerStopped(t *testing.T) {
	s.provider.Stop()
	// A new sign-in gets the page that explains and links to the login
	// help; Torg believes its last look at the provider for 5 seconds.
	jar, _ := cookiejar.New(nil)
	fresh := &http.Client{Jar: jar, Transport: transport, Timeout: 10 * time.Second, CheckRedirect: noRedirects}
	var status int
	var page []byte
	start := time.Now()
	for time.Since(start) < 15*time.Second {
		res, err := fresh.Get(s.torg.base + "/auth/login?return=/")
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if status = res.StatusCode; status == 503 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if status != 503 || !bytes.Contains(page, []byte(`href="/inloggning"`)) || !bytes.Contains(page, []byte("Inloggningen fungerar inte just nu")) {
		t.Errorf("a new sign-in with the provider stopped: %d %.500s", status, page)
	}
	noticed := time.Since(start)
	// Sessions go on, past the in-memory session cache.
	time.Sleep(3 * time.Second)
	ok := 0
	for _, p := range s.people {
		for _, u := range []string{"/", p.pages[len(p.pages)-1], "/api/v1/me"} {
			if st := p.getJSON(t, s.torg.base+u, nil); st != 200 {
				t.Errorf("%s's session with the provider stopped: %s answered %d", p.name, u, st)
			} else {
				ok++
			}
		}
	}
	s.result("identity provider stopped", "%d/%d requests in %d existing sessions answered 200; a new sign-in got 503 with the link to /inloggning after %s",
		ok, 3*len(s.people), len(s.people), noticed.Round(100*time.Millisecond))
}

func (s *suite) killUnderWrites(t *testing.T) {
	var acked sync.Map
	var n atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	run := make([]byte, 4)
	rand.Read(run)
	tag := fmt.Sprintf("kill-%x", run)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := s.people[w%len(s.people)]
			r := mrand.New(mrand.NewPCG(uint64(w), 3))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				comment := fmt.Sprintf("%s-%d-%d", tag, w, i)
				a := s.send(p, s.feedback(p, r, comment))
				if a.err != nil {
					return // the server is gone
				}
				if a.status == 201 {
					acked.Store(comment, true)
					n.Add(1)
				}
			}
		}()
	}
	time.Sleep(3 * time.Second)
	s.torg.signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	s.torg.start(t)
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), "SELECT comment FROM feedbacks WHERE comment LIKE $1", tag+"-%")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		stored[c] = true
	}
	rows.Close()
	missing := 0
	acked.Range(func(k, _ any) bool {
		if !stored[k.(string)] {
			missing++
		}
		return true
	})
	if n.Load() == 0 || missing > 0 {
		t.Errorf("SIGKILL: %d of %d acknowledged answers are missing", missing, n.Load())
	}
	s.result("SIGKILL under 8 writers, restart", "%d answers acknowledged with 201 before the kill, %d missing after the restart (%d stored)", n.Load(), missing, len(stored))
}

func (s *suite) indexDamaged(t *testing.T) {
	dir := filepath.Join(s.data, "search")
	search := func(when string) {
		t.Helper()
		var res struct{ Total int }
		if st := s.people[0].getJSON(t, s.torg.base+"/api/v1/search?q=l%C3%B6senord", &res); st != 200 || res.Total == 0 {
			t.Errorf("search %s: %d, %d hits", when, st, res.Total)
		}
	}
	s.torg.signal(syscall.SIGTERM)
	damaged := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		junk := make([]byte, 4096)
		rand.Read(junk)
		if os.WriteFile(p, junk, 0o600) == nil {
			damaged++
		}
		return nil
	})
	if damaged == 0 {
		t.Fatalf("no index files under %s to damage", dir)
	}
	start := time.Now()
	s.torg.start(t)
	search("after the index files were overwritten")
	afterDamage := time.Since(start)
	s.torg.signal(syscall.SIGTERM)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	s.torg.start(t)
	search("after the index folder was deleted")
	s.result("search index damaged on disk", "%d files overwritten with random bytes: ready and searching again %s after start; folder deleted: %s",
		damaged, afterDamage.Round(10*time.Millisecond), time.Since(start).Round(10*time.Millisecond))
}

func (s *suite) printReport(t *testing.T) {
	var b strings.Builder
	b.WriteString("| check | result |\n|---|---|\n")
	for _, r := range s.rows {
		fmt.Fprintf(&b, "| %s | %s |\n", r[0], strings.ReplaceAll(r[1], "|", "\\|"))
	}
	fmt.Print("\n" + b.String())
	if *reportOut != "" {
		if err := os.WriteFile(*reportOut, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}
