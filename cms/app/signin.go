package app

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/auth/demoidp"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/config"
)

// Names of the demo's clients. Their secrets are made at every start.
const (
	demoClientID    = "torg-demo"
	demoServiceID   = "torg-service"
	demoAPIAudience = "torg-api"
)

func randomSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// isLoopback reports whether a host (or host:port) is this machine only.
func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authSettings turns the configuration into sign-in settings. With --demo
// it also starts the demo provider and returns it.
func authSettings(cfg *config.Config, clk clock.Clock, log *slog.Logger) (*auth.Settings, *demoidp.Provider, error) {
	if !cfg.Demo && cfg.OIDCIssuer == "" {
		return nil, nil, nil
	}
	s := &auth.Settings{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: cfg.OIDCRedirectURL, Scopes: cfg.OIDCScopes, AuthParams: cfg.OIDCAuthParams,
		Roles:         auth.RoleMapping{Claim: cfg.OIDCRolesClaim, Map: cfg.OIDCRoleMap, Default: cfg.DefaultRoles},
		Levels:        auth.LevelMapping{Levels: cfg.AuthLevels},
		IdleTimeout:   cfg.SessionIdle,
		MaxLifetime:   cfg.SessionMax,
		APIAudience:   cfg.APIAudience,
		PostLogoutURL: cfg.BaseURL + "/",
		Secure:        strings.HasPrefix(cfg.BaseURL, "https://"),
	}
	var err error
	if s.Levels.ACR, s.Levels.AMR, err = auth.ParseLevelMap(cfg.AuthLevelMap, cfg.AuthLevels); err != nil {
		return nil, nil, fmt.Errorf("auth-level-map: %w", err)
	}
	if s.Zones, err = auth.ParseZones(cfg.Zones); err != nil {
		return nil, nil, fmt.Errorf("zones: %w", err)
	}
	if s.TrustedProxies, err = auth.ParsePrefixes(cfg.TrustedProxies); err != nil {
		return nil, nil, fmt.Errorf("trusted-proxies: %w", err)
	}
	if !cfg.Demo {
		return s, nil, nil
	}

	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("base-url: %w", err)
	}
	if (!isLoopback(base.Host) || !isLoopback(cfg.Listen)) && !cfg.DemoUnsafeExpose {
		return nil, nil, fmt.Errorf("the demo provider signs anyone in without a password, so it only runs on a loopback address; "+
			"base URL %s and listen address %s are not both loopback (--demo-unsafe-expose overrides this)", cfg.BaseURL, cfg.Listen)
	}
	s.Issuer = cfg.BaseURL + "/demo-idp"
	s.ClientID, s.ClientSecret = demoClientID, randomSecret()
	s.Scopes = []string{"openid", "profile", "email", demoidp.ScopeGroups}
	s.Roles = auth.RoleMapping{Claim: "groups", Map: demoidp.RoleMap, Default: nil}
	s.Levels.ACR = map[string]string{}
	for _, l := range demoidp.Levels {
		s.Levels.ACR[l.ACR] = l.Name
	}
	s.Levels.Levels = []string{"password", "otp", "eid"}
	if cfg.Zones == "" {
		// On the demo, this machine is the office.
		s.Zones, _ = auth.ParseZones("office=127.0.0.0/8 ::1")
	}
	if s.APIAudience == "" {
		s.APIAudience = demoAPIAudience
	}
	serviceSecret := randomSecret()
	idp, err := demoidp.New(demoidp.Config{
		Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		RedirectURIs: []string{s.RedirectURL}, PostLogoutURIs: []string{s.PostLogoutURL},
		ServiceID: demoServiceID, ServiceSecret: serviceSecret, ServiceAudience: s.APIAudience,
		Stylesheet: "/static/style.css", Now: clk.Now, Log: log.With("component", "demo-idp"),
	})
	if err != nil {
		return nil, nil, err
	}
	log.Info("demo sign-in provider started; it signs anyone in without a password",
		"issuer", s.Issuer, "api_client", demoServiceID, "api_client_secret", serviceSecret, "api_audience", s.APIAudience)
	return s, idp, nil
}

// demoBestBets pins the demo's pay pages for the searches people make most.
var demoBestBets = map[string][]string{
	"lön":      {"/go/lonewebben", "/vikarie/lonedatum"},
	"lönespec": {"/go/lonespecifikation"},
	"pass":     {"/go/passportalen", "/vikarie/boka-pass"},
}
