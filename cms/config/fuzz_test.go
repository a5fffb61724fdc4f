package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConfig loads settings files, flags and variables of every shape: no
// panic, and every refusal names what was wrong.
func FuzzConfig(f *testing.F) {
	f.Add("listen: 127.0.0.1:9000\nsession-idle: 20m\n", "--feedback-rate=3", "3")
	f.Add("zones: \"office=10.0.0.0/8; vpn=172.16.0.0/12\"\nsearch-synonyms: \"a=b c; sv:d=e\"\n", "--review-months", "x")
	f.Add("[unclosed", "--nope", "")
	f.Add("auth-levels: \"eid otp\"\nlocation: Mars/Olympus\n", "--api-rate=-1", "0")
	f.Fuzz(func(t *testing.T, file, flag, env string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "torg.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		lookupEnv := func(k string) (string, bool) {
			if k == "TORG_SEARCH_RATE" {
				return env, true
			}
			return "", false
		}
		_, _, err := Load("torg", []string{"--config", path, flag}, lookupEnv)
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("a refusal without a message")
		}
	})
}
