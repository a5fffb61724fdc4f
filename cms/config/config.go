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
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/outbound"
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

	DatabaseURL   string
	DatabaseConns int

	Demo             bool
	DemoUnsafeExpose bool

	OIDCIssuer           string
	OIDCClientID         string
	OIDCClientSecret     string
	OIDCClientSecretFile string
	OIDCRedirectURL      string
	OIDCScopes           []string
	OIDCAuthParams       map[string]string
	OIDCRolesClaim       string
	OIDCRoleMap          map[string]string
	DefaultRoles         []string
	AuthLevels           []string
	AuthLevelMap         string
	Grants               access.Grants
	Zones                string
	TrustedProxies       string
	SessionIdle          time.Duration
	SessionMax           time.Duration
	APIAudience          string

	Tiles          string
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	AllowInternal  outbound.Allow

	SearchSynonyms map[string][]string
	SearchBestBets map[string][]string

	FeedbackRetention time.Duration
	FeedbackRate      int
	ReviewMonths      int
	CheckLinks        bool // external link checks run
	CheckTileHealth   bool // tiles' health URLs are polled
	checkLinks        string

	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	BodyLimitKB  int
	SignInRate   int
	SearchRate   int
	APIRate      int
	MetricsToken string

	RequestTimeout time.Duration
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
	{"content-html", "false", "keep raw HTML in the content folder's Markdown, sanitised, instead of escaping it", boolean(func(c *Config) *bool { return &c.ContentHTML })},
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
	{"shutdown-timeout", "10s", "how long a shutdown waits for requests in flight", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"database-url", "", "PostgreSQL URL (postgres://user@host/db) for several instances; default: SQLite in the data folder", func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"database-conns", "20", "most PostgreSQL connections one instance opens; keep instances × this under the server's max_connections", count(1, func(c *Config) *int { return &c.DatabaseConns })},
	{"demo", "false", "start the built-in demo sign-in provider under /demo-idp (loopback only)", boolean(func(c *Config) *bool { return &c.Demo })},
	{"demo-unsafe-expose", "false", "allow the demo provider, which signs anyone in without a password, on an address other people can reach", boolean(func(c *Config) *bool { return &c.DemoUnsafeExpose })},
	{"oidc-issuer", "", "OpenID provider's issuer URL; enables sign-in", func(c *Config, v string) error { c.OIDCIssuer = strings.TrimRight(v, "/"); return nil }},
	{"oidc-client-id", "", "client id registered at the provider", func(c *Config, v string) error { c.OIDCClientID = v; return nil }},
	{"oidc-client-secret", "", "client secret (prefer the environment variable or the file)", func(c *Config, v string) error { c.OIDCClientSecret = v; return nil }},
	{"oidc-client-secret-file", "", "file holding the client secret", func(c *Config, v string) error { c.OIDCClientSecretFile = v; return nil }},
	{"oidc-redirect-url", "", "callback URL registered at the provider (default: BASE_URL/auth/callback)", func(c *Config, v string) error { c.OIDCRedirectURL = v; return nil }},
	{"oidc-scopes", "openid profile email", "scopes to ask for, separated by spaces", func(c *Config, v string) error { c.OIDCScopes = strings.Fields(v); return nil }},
	{"oidc-auth-params", "", "extra authorization parameters, e.g. domain_hint=example.se&ui_locales=sv", func(c *Config, v string) error {
		q, err := url.ParseQuery(v)
		if err != nil {
			return fmt.Errorf("write name=value&name=value: %w", err)
		}
		c.OIDCAuthParams = map[string]string{}
		for k := range q {
			c.OIDCAuthParams[k] = q.Get(k)
		}
		return nil
	}},
	{"oidc-roles-claim", "groups", "claim that lists groups or roles; nested claims with dots, e.g. realm_access.roles", func(c *Config, v string) error { c.OIDCRolesClaim = v; return nil }},
	{"oidc-role-map", "", "provider group to Torg role, e.g. GRP-Timvikarier=substitute, 6f1c…=employee", func(c *Config, v string) error {
		m, err := parseMap(v)
		c.OIDCRoleMap = m
		return err
	}},
	{"default-roles", "employee", "roles every signed-in person gets, separated by spaces", func(c *Config, v string) error { c.DefaultRoles = strings.Fields(v); return nil }},
	{"auth-levels", "password otp eid", "sign-in levels, weakest first, separated by spaces", func(c *Config, v string) error {
		c.AuthLevels = strings.Fields(v)
		if len(c.AuthLevels) == 0 {
			return errors.New("name at least one level")
		}
		return nil
	}},
	{"auth-level-map", "amr:pwd=password, amr:otp=otp, amr:mfa=otp", "acr and amr values to levels, e.g. acr:https://id.example/loa3=eid, amr:otp=otp", func(c *Config, v string) error { c.AuthLevelMap = v; return nil }},
	{"grants", "edit-content=communicator publisher admin; approve=publisher admin; view-reports=communicator publisher admin; post-notice=communicator publisher admin; manage-tiles=admin; view-audit=admin",
		"roles that hold each editorial permission: permission=roles; …; a permission left out is held by no one. Permissions: edit-content, approve, view-reports, post-notice, manage-tiles, view-audit", func(c *Config, v string) error {
			lists, err := parseLists(v)
			if err != nil {
				return err
			}
			c.Grants = access.Grants{}
			for name, roles := range lists {
				p := access.Permission(name)
				if !slices.Contains(access.Permissions, p) {
					return fmt.Errorf("unknown permission %q", name)
				}
				c.Grants[p] = roles
			}
			return nil
		}},
	{"zones", "", "network zones, e.g. office=10.0.0.0/8 192.168.0.0/16; vpn=172.16.0.0/12", func(c *Config, v string) error { c.Zones = v; return nil }},
	{"trusted-proxies", "", "proxies whose X-Forwarded-For is believed, e.g. 10.1.2.3 10.1.2.4", func(c *Config, v string) error { c.TrustedProxies = v; return nil }},
	{"session-idle", "15m", "a session ends after this long without activity", duration(func(c *Config) *time.Duration { return &c.SessionIdle })},
	{"session-max", "10h", "a session ends this long after sign-in, whatever happens", duration(func(c *Config) *time.Duration { return &c.SessionMax })},
	{"api-audience", "", "accept the provider's access tokens with this aud as API bearer tokens", func(c *Config, v string) error { c.APIAudience = v; return nil }},
	{"tiles", "", "tiles.yaml that seeds the tiles on first start (default: tiles.yaml in the content folder, or the demo's)", func(c *Config, v string) error { c.Tiles = v; return nil }},
	{"health-interval", "1m", "how often tiles' health URLs are checked", duration(func(c *Config) *time.Duration { return &c.HealthInterval })},
	{"health-timeout", "5s", "how long one health check may take", duration(func(c *Config) *time.Duration { return &c.HealthTimeout })},
	{"allow-internal", "", "internal hosts that tile health checks and link checks may ask: host names, addresses and networks, e.g. status.intra.example 10.20.0.0/16 (other loopback, private and link-local addresses are never asked)", func(c *Config, v string) (err error) {
		c.AllowInternal, err = outbound.ParseAllow(v)
		return err
	}},
	{"search-synonyms", "lönespec=lönespecifikation lönebesked; lönebesked=lönespecifikation; vikarie=timvikarie; timvikarie=vikarie; mejl=e-post; bankid=e-legitimation", "words that find each other: word=other words; …; lang:word=… for one language only (sv, nb, nn, en)", func(c *Config, v string) (err error) {
		c.SearchSynonyms, err = parseLists(v)
		return err
	}},
	{"feedback-retention-days", "180", "feedback comments and contact details are deleted after this many days (the yes/no stays)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("give a whole number of days, at least 1")
		}
		c.FeedbackRetention = time.Duration(n) * 24 * time.Hour
		return nil
	}},
	{"feedback-rate", "5", "feedback answers allowed per address and per session in 10 minutes", count(1, func(c *Config) *int { return &c.FeedbackRate })},
	{"review-months", "12", "the content-health report lists pages not reviewed for this many months", count(1, func(c *Config) *int { return &c.ReviewMonths })},
	{"check-links", "auto", "check the content's external links in the background (politely: one a second, each once a day): true, false, or auto — on, except for the demo (--demo or no --content), which asks nothing outside this machine, tile health URLs included, unless this is true", func(c *Config, v string) error {
		v = strings.ToLower(v)
		if v != "auto" {
			if _, err := parseBool(v); err != nil {
				return fmt.Errorf("%q is not true, false or auto", v)
			}
		}
		c.checkLinks = v
		return nil
	}},
	{"read-timeout", "30s", "how long reading one request may take", duration(func(c *Config) *time.Duration { return &c.ReadTimeout })},
	{"write-timeout", "30s", "how long writing one answer may take", duration(func(c *Config) *time.Duration { return &c.WriteTimeout })},
	{"idle-timeout", "2m", "how long an idle keep-alive connection is kept open", duration(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{"request-timeout", "30s", "how long the work for one request may take: its database, search and sign-in provider calls end then", duration(func(c *Config) *time.Duration { return &c.RequestTimeout })},
	{"body-limit-kb", "1024", "the largest request body in KB, image uploads aside (they may be 5 MB)", count(1, func(c *Config) *int { return &c.BodyLimitKB })},
	{"signin-rate", "30", "sign-in requests allowed per address per minute (0: no limit)", count(0, func(c *Config) *int { return &c.SignInRate })},
	{"search-rate", "120", "searches allowed per address per minute, on the site and the API (0: no limit)", count(0, func(c *Config) *int { return &c.SearchRate })},
	{"api-rate", "600", "other API requests allowed per address per minute (0: no limit)", count(0, func(c *Config) *int { return &c.APIRate })},
	{"metrics-token", "", "bearer token for /metrics; without it /metrics answers only this machine", func(c *Config, v string) error { c.MetricsToken = v; return nil }},
	{"search-best-bets", "", "addresses that come first for a query: query=/path /go/tile; …", func(c *Config, v string) (err error) {
		c.SearchBestBets, err = parseLists(v)
		return err
	}},
}

// parseLists reads "a=b c; d=e" into {a: [b c], d: [e]}; keys are lower case.
func parseLists(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.Join(strings.Fields(strings.ToLower(k)), " ")
		if !ok || k == "" || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%q: write word=other words", part)
		}
		out[k] = append(out[k], strings.Fields(v)...)
	}
	return out, nil
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a duration like 10s or 15m", v)
		}
		*field(c) = d
		return nil
	}
}

func count(least int, field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < least {
			return fmt.Errorf("give a whole number, at least %d", least)
		}
		*field(c) = n
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) (err error) {
		*field(c), err = parseBool(v)
		return err
	}
}

// parseMap reads "a=b, c=d"; the last "=" separates, since values like
// acr URIs may hold one.
func parseMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		i := strings.LastIndex(part, "=")
		if i <= 0 || i == len(part)-1 {
			return nil, fmt.Errorf("%q is not name=value", part)
		}
		out[strings.TrimSpace(part[:i])] = strings.TrimSpace(part[i+1:])
	}
	return out, nil
}

// flagValue holds a flag as text; boolean options may be given bare (--demo).
type flagValue struct {
	value  string
	isBool bool
}

func (f *flagValue) String() string     { return f.value }
func (f *flagValue) Set(v string) error { f.value = v; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.isBool }

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", v)
}

// Load reads the settings. args are the command's flags; lookupEnv reads the
// environment as os.LookupEnv does: a variable that is set to "" gives the
// empty value, which for a list such as default-roles means none. The file
// is --config, TORG_CONFIG, or ./torg.yaml if present.
func Load(name string, args []string, lookupEnv func(string) (string, bool)) (*Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	flags := map[string]*flagValue{}
	for _, o := range Options {
		// Boolean options, and check-links (true, false or auto), may be given bare.
		f := &flagValue{isBool: o.Default == "false" || o.Default == "true" || o.Name == "check-links"}
		flags[o.Name] = f
		fs.Var(f, o.Name, fmt.Sprintf("%s (env %s, default %q)", o.Help, o.Env(), o.Default))
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
		path, _ = lookupEnv("TORG_CONFIG")
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
		if ev, set := lookupEnv(o.Env()); set {
			v, from = ev, o.Env()
		}
		if given[o.Name] {
			v, from = flags[o.Name].value, "--"+o.Name
		}
		if err := o.set(c, v); err != nil {
			return nil, nil, fmt.Errorf("%s (from %s): %w", o.Name, from, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	if c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.BaseURL + "/auth/callback"
	}
	c.outboundChecks()
	if err := c.check(); err != nil {
		return nil, nil, err
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

// outboundChecks decides which background checks may ask other machines:
// the demo stays on this one unless check-links is set to true.
func (c *Config) outboundChecks() {
	demo := c.Demo || c.Content == ""
	on, _ := parseBool(c.checkLinks)
	c.CheckLinks = on || (c.checkLinks == "auto" && !demo)
	c.CheckTileHealth = on || !demo
}

// check validates settings that depend on each other, and reads the client
// secret from its file.
func (c *Config) check() error {
	if c.Demo && c.OIDCIssuer != "" {
		return errors.New("demo and oidc-issuer exclude each other: the demo runs its own provider")
	}
	if c.OIDCIssuer != "" {
		if !strings.HasPrefix(c.OIDCIssuer, "https://") && !strings.HasPrefix(c.OIDCIssuer, "http://") {
			return fmt.Errorf("oidc-issuer %q must be an http(s) URL", c.OIDCIssuer)
		}
		if c.OIDCClientID == "" {
			return errors.New("oidc-issuer is set but oidc-client-id is not")
		}
		if c.OIDCClientSecretFile != "" {
			if c.OIDCClientSecret != "" {
				return errors.New("give the client secret once: oidc-client-secret or oidc-client-secret-file")
			}
			b, err := os.ReadFile(c.OIDCClientSecretFile)
			if err != nil {
				return fmt.Errorf("oidc-client-secret-file: %w", err)
			}
			c.OIDCClientSecret = strings.TrimSpace(string(b))
		}
		if c.APIAudience != "" && c.APIAudience == c.OIDCClientID {
			return errors.New("api-audience must differ from oidc-client-id, so that ID tokens are not taken for access tokens")
		}
	}
	return nil
}

// Redacted is the configuration fit for a log: secrets are replaced.
func (c *Config) Redacted() Config {
	r := *c
	if r.OIDCClientSecret != "" {
		r.OIDCClientSecret = "[redacted]"
	}
	if r.MetricsToken != "" {
		r.MetricsToken = "[redacted]"
	}
	if u, err := url.Parse(r.DatabaseURL); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "redacted")
			r.DatabaseURL = u.String()
		}
	}
	return r
}
