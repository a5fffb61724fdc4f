package config

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/access"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c, rest, err := Load("test", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.Data != "./torg-data" ||
		c.TimeZone != "Europe/Stockholm" || c.DefaultLang != "sv" || c.ShutdownTimeout != 10*time.Second || len(rest) != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestPrecedenceFlagsEnvFileDefaults(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("torg.yaml", []byte("listen: 127.0.0.1:7000\ndata: /from/file\ndefault-lang: nb\ntimezone: Europe/Oslo\n"), 0o644)
	c, rest, err := Load("test", []string{"--listen", "127.0.0.1:9000", "extra"}, env(map[string]string{
		"TORG_LISTEN": "127.0.0.1:8000",
		"TORG_DATA":   "/from/env",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" {
		t.Errorf("flag should win: %s", c.Listen)
	}
	if c.Data != "/from/env" {
		t.Errorf("env should beat the file: %s", c.Data)
	}
	if c.DefaultLang != "nb" || c.Location.String() != "Europe/Oslo" {
		t.Errorf("file should beat defaults: %s %s", c.DefaultLang, c.Location)
	}
	if len(rest) != 1 || rest[0] != "extra" {
		t.Errorf("rest = %v", rest)
	}
}

func TestEveryFlagHasItsVariable(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, o := range Options {
		if !strings.HasPrefix(o.Env(), "TORG_") || strings.Contains(o.Env(), "-") {
			t.Errorf("%s: bad variable %s", o.Name, o.Env())
		}
		// Setting the variable to the default must load.
		if _, _, err := Load("test", nil, env(map[string]string{o.Env(): o.Default})); err != nil {
			t.Errorf("%s=%q: %v", o.Env(), o.Default, err)
		}
	}
}

func TestBadValuesSayWhereFrom(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		args []string
		env  map[string]string
		file string
		want string
	}{
		{[]string{"--timezone", "Mars/Base"}, nil, "", `timezone (from --timezone): unknown time zone "Mars/Base"`},
		{nil, map[string]string{"TORG_DEFAULT_LANG": "de"}, "", `default-lang (from TORG_DEFAULT_LANG): unknown language "de"`},
		{nil, nil, "log-level: loud\n", "log-level (from torg.yaml)"},
		{nil, nil, "listen: [a, b]\n", "torg.yaml:1: listen must be a single value"},
		{nil, nil, "colour: blue\n", `torg.yaml:1: unknown setting "colour"`},
		{[]string{"--base-url", "intra.example.se"}, nil, "", "must start with http:// or https://"},
		{[]string{"--shutdown-timeout", "soon"}, nil, "", `"soon" is not a duration`},
		{[]string{"--config", "missing.yaml"}, nil, "", "settings file: open missing.yaml"},
		{[]string{"--no-such-flag"}, nil, "", "flag provided but not defined"},
	}
	for _, c := range cases {
		os.Remove("torg.yaml")
		if c.file != "" {
			os.WriteFile(filepath.Join(dir, "torg.yaml"), []byte(c.file), 0o644)
		}
		_, _, err := Load("test", c.args, env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v %q: error %v, want %q", c.args, c.env, c.file, err, c.want)
		}
	}
}

var updateREADME = flag.Bool("update", false, "rewrite the README's settings table")

// The README's configuration table is made from Options; this keeps them
// equal. go test ./cms/config -update rewrites it.
func TestREADMEListsEveryOption(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *updateREADME {
		s := string(readme)
		start := strings.Index(s, "| flag | environment |")
		end := strings.Index(s[start:], "\n\n")
		if start < 0 || end < 0 {
			t.Fatal("no settings table in the README")
		}
		s = s[:start] + strings.TrimRight(MarkdownTable(), "\n") + s[start+end:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		readme = []byte(s)
	}
	if !strings.Contains(string(readme), MarkdownTable()) {
		t.Fatalf("README.md's settings table is out of date; run go test ./cms/config -update")
	}
}

// The demo asks nothing outside this machine unless told to; a real site
// checks its links and its tiles' health by default.
func TestOutboundChecksStayOffInTheDemo(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args        []string
		env         map[string]string
		links, tile bool
	}{
		{[]string{"--content", "site"}, nil, true, true},
		{[]string{"--content", "site", "--check-links=false"}, nil, false, true},
		{[]string{"--demo"}, nil, false, false},
		{nil, nil, false, false}, // the embedded demo site
		{[]string{"--demo", "--content", "site"}, nil, false, false},
		{[]string{"--demo", "--check-links"}, nil, true, true},
		{[]string{"--demo", "--check-links", "--log-format", "text"}, nil, true, true},
		{[]string{"--demo"}, map[string]string{"TORG_CHECK_LINKS": "true"}, true, true},
		{[]string{"--demo", "--check-links=auto"}, nil, false, false},
		{[]string{"--demo", "--check-links=false"}, nil, false, false},
	} {
		cfg, _, err := Load("test", c.args, env(c.env))
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if cfg.CheckLinks != c.links || cfg.CheckTileHealth != c.tile {
			t.Errorf("%v %v: links %v, tile health %v; want %v, %v", c.args, c.env, cfg.CheckLinks, cfg.CheckTileHealth, c.links, c.tile)
		}
	}
	if _, _, err := Load("test", []string{"--check-links=sometimes"}, env(nil)); err == nil || !strings.Contains(err.Error(), "true, false or auto") {
		t.Errorf("a bad check-links: %v", err)
	}
}

func TestAllowInternal(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, _, err := Load("test", nil, env(map[string]string{"TORG_ALLOW_INTERNAL": "status.intra.example 10.20.0.0/16"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.AllowInternal.Hosts) != 1 || cfg.AllowInternal.Hosts[0] != "status.intra.example" || len(cfg.AllowInternal.Nets) != 1 {
		t.Errorf("allow-internal: %+v", cfg.AllowInternal)
	}
	if cfg, _, _ := Load("test", nil, env(nil)); len(cfg.AllowInternal.Hosts)+len(cfg.AllowInternal.Nets) != 0 {
		t.Errorf("allowed by default: %+v", cfg.AllowInternal)
	}
	if _, _, err := Load("test", []string{"--allow-internal", "http://intra.example/"}, env(nil)); err == nil || !strings.Contains(err.Error(), "allow-internal (from --allow-internal)") {
		t.Errorf("a bad allow-internal: %v", err)
	}
}

// A variable that is set to "" gives the empty value, as a flag or a file
// key would; only a variable that is not set leaves the setting alone.
func TestEmptyVariableMeansEmpty(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("torg.yaml", []byte("default-roles: manager\nzones: office=10.0.0.0/8\n"), 0o644)

	c, _, err := Load("test", nil, env(map[string]string{"TORG_DEFAULT_ROLES": "", "TORG_ZONES": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DefaultRoles) != 0 {
		t.Errorf("TORG_DEFAULT_ROLES= gave default roles %q, want none", c.DefaultRoles)
	}
	if c.Zones != "" {
		t.Errorf("TORG_ZONES= gave zones %q, want none", c.Zones)
	}

	c, _, err = Load("test", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.DefaultRoles, " ") != "manager" || c.Zones != "office=10.0.0.0/8" {
		t.Errorf("unset variables should leave the file's values: roles %q, zones %q", c.DefaultRoles, c.Zones)
	}

	// An empty value a setting cannot take is refused, not replaced by the default.
	_, _, err = Load("test", nil, env(map[string]string{"TORG_AUTH_LEVELS": ""}))
	if err == nil || !strings.Contains(err.Error(), "auth-levels (from TORG_AUTH_LEVELS): name at least one level") {
		t.Errorf("TORG_AUTH_LEVELS=: error %v, want a refusal that names the variable", err)
	}
}

// TestGrants: the default table is access.DefaultGrants; a site names its
// own roles for each permission, and a misspelt permission is refused.
func TestGrants(t *testing.T) {
	t.Chdir(t.TempDir())
	c, _, err := Load("test", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(c.Grants, access.DefaultGrants, slices.Equal) {
		t.Errorf("default grants %v; want %v", c.Grants, access.DefaultGrants)
	}
	c, _, err = Load("test", []string{"--grants", "edit-content=redaktor ansvarig; approve=ansvarig"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := access.Grants{access.EditContent: {"redaktor", "ansvarig"}, access.Approve: {"ansvarig"}}
	if !maps.EqualFunc(c.Grants, want, slices.Equal) {
		t.Errorf("grants %v; want %v", c.Grants, want)
	}
	if _, _, err := Load("test", []string{"--grants", "edit=redaktor"}, env(nil)); err == nil || !strings.Contains(err.Error(), `unknown permission "edit"`) {
		t.Errorf("a misspelt permission: %v", err)
	}
}
