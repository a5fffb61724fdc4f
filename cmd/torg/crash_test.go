package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/store"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/testenv"
)

// crashChild makes this test binary a torg server when the crash test
// starts it as a separate process, so that it can be killed for real.
const crashChild = "TORG_TEST_SERVE_ARGS"

// TestFeedbackSurvivesSIGKILL kills the server with SIGKILL while feedback
// posts are in flight, starts it again on the same database, and finds
// every answer that had been acknowledged with a 2xx.
func TestFeedbackSurvivesSIGKILL(t *testing.T) {
	if args := os.Getenv(crashChild); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), io.Discard, io.Discard, os.LookupEnv))
	}
	if testing.Short() {
		testenv.Skip(t, "-short: the crash test starts and kills server processes")
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashAndCount(t, []string{"--data", filepath.Join(dir, "data")}, func() (*store.DB, error) {
			return store.Open(context.Background(), "", filepath.Join(dir, "data"))
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		crashAndCount(t, []string{"--data", filepath.Join(t.TempDir(), "data"), "--database-url", url}, func() (*store.DB, error) {
			return store.Open(context.Background(), url, "")
		})
	})
}

func get(u string) (int, string) {
	res, err := http.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func crashAndCount(t *testing.T, extra []string, open func() (*store.DB, error)) {
	addr := freePort(t)
	base := "http://" + addr
	start := func() *exec.Cmd {
		args := append([]string{"serve", "--listen", addr, "--feedback-rate", "1000000", "--api-rate", "0", "--check-links=false"}, extra...)
		cmd := exec.Command(os.Args[0], "-test.run=^TestFeedbackSurvivesSIGKILL$")
		cmd.Env = append(os.Environ(), crashChild+"="+strings.Join(args, "\x1f"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitFor(t, base+"/readyz", func(c int, _ string) bool { return c == 200 })
		return cmd
	}
	srv := start()

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				marker := fmt.Sprintf("krasch-%d-%d", w, i)
				body := fmt.Sprintf(`{"path":"/inloggning/logga-in","helpful":false,"comment":%q}`, marker)
				res, err := client.Post(base+"/api/v1/feedback", "application/json", strings.NewReader(body))
				if err != nil {
					continue // the server is gone; nothing was promised
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode/100 == 2 {
					mu.Lock()
					acked = append(acked, marker)
					mu.Unlock()
				} else if res.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("post answered %d", res.StatusCode)
					return
				}
			}
		}()
	}
	// Kill once a good number of posts went through, posts still coming.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 || time.Now().After(deadline) {
			break
		}
	}
	if code, body := get(base + "/metrics"); code != 200 || !strings.Contains(body, `torg_feedback_answers_total{helpful="false"}`) {
		t.Errorf("metrics from this machine: %d %.300s", code, body)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	time.Sleep(100 * time.Millisecond) // let the posts in flight fail
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 100 {
		t.Fatalf("only %d posts acknowledged before the kill", len(acked))
	}

	start() // the server comes back on the same database
	res, err := http.Get(base + "/api/v1/pages/inloggning/logga-in")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after the restart: %v %v", res, err)
	}
	var page map[string]any
	json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()

	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[string]bool{}
	all, err := db.FeedbackList(context.Background(), store.FeedbackFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		stored[f.Comment] = true
	}
	missing := 0
	for _, m := range acked {
		if !stored[m] {
			missing++
		}
	}
	t.Logf("%d posts acknowledged before SIGKILL, %d stored (posts in flight may be stored unacknowledged), %d missing", len(acked), len(all), missing)
	if missing > 0 {
		t.Fatalf("%d acknowledged answers were lost", missing)
	}
}
