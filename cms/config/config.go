// Package config reads Torg's settings from flags, TORG_* environment
// variables and an optional torg.yaml, in that order of precedence. The
// Options table is the single list of settings, and the README's table is
// made from it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting of a running Torg.
type Config struct {
	Listen          string
	BaseURL         string
	Content         string // "" = the embedded demo
	ContentHTML     bool
	Theme           string // "" = the embedded default theme
	Data            string
	TimeZone        string
	Location        *time.Location
	DefaultLang     string
	LogLevel        slog.Level
	LogFormat       string // text, json, or auto
	ShutdownTimeout time.Duration
}

// Option is one setting: its flag is --Name, its variable TORG_NAME with
// dashes as underscores, and its key in torg.yaml is Name.
type Option struct {
	Name    string
	Default string
	Help    string
	set     func(*Config, string) error
}

// Env is the environment variable of the option.
func (o Option) Env() string {
	return "TORG_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

// Options lists every setting.
var Options = []Option{
	{"listen", "127.0.0.1:8080", "address and port to serve HTTP on", func(c *Config, v string) error {
		if !strings.Contains(v, ":") {
			return errors.New("write host:port, for example 127.0.0.1:8080")
		}
		c.Listen = v
		return nil
	}},
	{"base-url", "", "public address of the site, e.g. https://intra.example.se (default: http://LISTEN)", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return errors.New("must start with http:// or https://")
		}
		c.BaseURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"content", "", "folder of Markdown content to serve and watch (default: the embedded demo site)", func(c *Config, v string) error { c.Content = v; return nil }},
	{"content-html", "false", "keep raw HTML in the content folder's Markdown, sanitised, instead of escaping it", func(c *Config, v string) (err error) {
		c.ContentHTML, err = parseBool(v)
		return err
	}},
	{"theme", "", "folder whose templates and static files override the default theme's", func(c *Config, v string) error { c.Theme = v; return nil }},
	{"data", "./torg-data", "folder for state Torg keeps between runs (created if missing)", func(c *Config, v string) error { c.Data = v; return nil }},
	{"timezone", "Europe/Stockholm", "time zone of schedules, opening hours and dates without a zone", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil {
			return fmt.Errorf("unknown time zone %q", v)
		}
		c.TimeZone, c.Location = v, loc
		return nil
	}},
	{"default-lang", "sv", "language of content that names none: sv, nb, nn or en", func(c *Config, v string) error {
		if !slices.Contains([]string{"sv", "nb", "nn", "en"}, v) {
			return fmt.Errorf("unknown language %q; use sv, nb, nn or en", v)
		}
		c.DefaultLang = v
		return nil
	}},
	{"log-level", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"log-format", "auto", "text, json, or auto (text on a terminal, JSON otherwise)", func(c *Config, v string) error {
		if !slices.Contains([]string{"text", "json", "auto"}, v) {
			return fmt.Errorf("unknown log format %q; use text, json or auto", v)
		}
		c.LogFormat = v
		return nil
	}},
	{"shutdown-timeout", "10s", "how long a shutdown waits for requests in flight", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a duration like 10s", v)
		}
		c.ShutdownTimeout = d
		return nil
	}},
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

// Load reads the settings. args are the command's flags; getenv reads the
// environment. The file is --config, TORG_CONFIG, or ./torg.yaml if present.
func Load(name string, args []string, getenv func(string) string) (*Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	flags := map[string]*string{}
	for _, o := range Options {
		flags[o.Name] = fs.String(o.Name, "", fmt.Sprintf("%s (env %s, default %q)", o.Help, o.Env(), o.Default))
	}
	configFile := fs.String("config", "", "settings file (env TORG_CONFIG, default ./torg.yaml if it exists)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	file := map[string]string{}
	path := *configFile
	if path == "" {
		path = getenv("TORG_CONFIG")
	}
	mustExist := path != ""
	if path == "" {
		path = "torg.yaml"
	}
	if data, err := os.ReadFile(path); err == nil {
		if file, err = parseFile(path, data); err != nil {
			return nil, nil, err
		}
	} else if mustExist {
		return nil, nil, fmt.Errorf("settings file: %w", err)
	}

	c := &Config{}
	for _, o := range Options {
		v, from := o.Default, "default"
		if fv, ok := file[o.Name]; ok {
			v, from = fv, path
		}
		if ev := getenv(o.Env()); ev != "" {
			v, from = ev, o.Env()
		}
		if given[o.Name] {
			v, from = *flags[o.Name], "--"+o.Name
		}
		if err := o.set(c, v); err != nil {
			return nil, nil, fmt.Errorf("%s (from %s): %w", o.Name, from, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	return c, fs.Args(), nil
}

// parseFile reads torg.yaml: a map of option names to values.
func parseFile(path string, data []byte) (map[string]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the settings file must be a map of setting: value", path, m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !slices.ContainsFunc(Options, func(o Option) bool { return o.Name == k.Value }) {
			return nil, fmt.Errorf("%s:%d: unknown setting %q", path, k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s:%d: %s must be a single value", path, v.Line, k.Value)
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

// MarkdownTable documents every option as a Markdown table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, o := range Options {
		def := "`" + o.Default + "`"
		if o.Default == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s |\n", o.Name, o.Env(), def, o.Help)
	}
	b.WriteString("| `--config` | `TORG_CONFIG` | `./torg.yaml` if present | settings file with the keys above (`listen: 127.0.0.1:8080`) |\n")
	return b.String()
}
