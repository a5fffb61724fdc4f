package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/redirect"
	"github.com/torg-cms/torg/cms/store"
)

// Settings configure sign-in.
type Settings struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // BASE_URL/auth/callback
	Scopes       []string
	AuthParams   map[string]string // added to every authorization request
	Roles        RoleMapping
	Levels       LevelMapping
	Zones        Zones
	// TrustedProxies may set X-Forwarded-For.
	TrustedProxies []netip.Prefix
	IdleTimeout    time.Duration
	MaxLifetime    time.Duration
	// APIAudience enables bearer tokens for the API: access tokens from the
	// same provider whose aud holds this value.
	APIAudience string
	// PostLogoutURL is where the provider sends people after signing out.
	PostLogoutURL string
	// Secure marks cookies Secure and names them with the __Host- prefix.
	Secure bool
	// HTTPClient talks to the provider; its timeout bounds every call.
	HTTPClient *http.Client
}

// MaxClockSkew is how far in the future an ID token's iat may be.
const MaxClockSkew = 2 * time.Minute

// loginAttemptLifetime bounds the time between leaving for the provider and coming back.
const loginAttemptLifetime = 10 * time.Minute

// Service signs people in and keeps their sessions.
type Service struct {
	s     Settings
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger

	// mu guards what discovery and the probe found; it is never held
	// across a call to the provider, which flights shares among callers.
	mu        sync.Mutex
	provider  *oidc.Provider
	endpoint  struct{ endSession string }
	meta      providerMeta
	discovery struct {
		until time.Time // a failed discovery is not tried again until then
		err   error
	}
	probe struct {
		until time.Time // the last answer holds until then
		err   error
	}
	flights  singleflight.Group
	sessions sessionCache
}

// How long one probe of the provider may take, and how long its answer is
// believed: a sign-in storm asks the provider once every few seconds.
const (
	probeTimeout = 3 * time.Second
	probeUpFor   = 5 * time.Second
	probeDownFor = time.Second
)

// discoveryDownFor is how long a failed discovery is believed, so that a
// provider that is down or hangs is not asked again by every request.
const discoveryDownFor = 5 * time.Second

// New returns a Service. The provider is discovered on first use, so Torg
// starts, and serves public pages, while the provider is unreachable.
func New(s Settings, db *store.DB, clk clock.Clock, log *slog.Logger) *Service {
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if len(s.Scopes) == 0 {
		s.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if !slices.Contains(s.Scopes, oidc.ScopeOpenID) {
		s.Scopes = append([]string{oidc.ScopeOpenID}, s.Scopes...)
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 15 * time.Minute
	}
	if s.MaxLifetime == 0 {
		s.MaxLifetime = 10 * time.Hour
	}
	if len(s.Levels.Levels) == 0 {
		s.Levels.Levels = access.DefaultLevels
	}
	return &Service{s: s, db: db, clock: clk, log: log}
}

// Settings returns the settings in force.
func (a *Service) Settings() Settings { return a.s }

// Offered is true: people can sign in.
func (a *Service) Offered() bool { return true }

// ErrProviderUnavailable means the identity provider could not be reached.
var ErrProviderUnavailable = errors.New("the sign-in service cannot be reached right now")

// LoginError is a sign-in that was refused, with a message a person understands.
type LoginError struct {
	Code    string
	Message string
	Err     error
}

func (e *LoginError) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *LoginError) Unwrap() error { return e.Err }

func refuse(code, msg string, err error) error {
	return &LoginError{Code: code, Message: msg, Err: err}
}

func (a *Service) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, a.s.HTTPClient)
}

// discover returns the provider's configuration, fetched once it answers.
// Callers arriving together share one fetch, and each waits no longer than
// its own context allows.
func (a *Service) discover(ctx context.Context) (*oidc.Provider, error) {
	now := a.clock.Now()
	a.mu.Lock()
	p, failed, until := a.provider, a.discovery.err, a.discovery.until
	a.mu.Unlock()
	if p != nil {
		return p, nil
	}
	if failed != nil && now.Before(until) {
		return nil, failed
	}
	p, err := shared(ctx, &a.flights, "discover", a.fetchProvider)
	if err != nil && !errors.Is(err, ErrProviderUnavailable) {
		err = fmt.Errorf("%w: %w", ErrProviderUnavailable, err)
	}
	return p, err
}

// fetchProvider reads the provider's discovery document and keeps what
// Torg needs of it, or remembers the failure for discoveryDownFor.
func (a *Service) fetchProvider(ctx context.Context) (*oidc.Provider, error) {
	a.mu.Lock()
	p := a.provider
	a.mu.Unlock()
	if p != nil {
		return p, nil // found by a fetch that ended as this one began
	}
	p, err := oidc.NewProvider(a.ctx(ctx), a.s.Issuer)
	if err != nil {
		a.log.Warn("identity provider discovery failed", "issuer", a.s.Issuer, "err", err)
		err = fmt.Errorf("%w: %v", ErrProviderUnavailable, err)
		a.mu.Lock()
		a.discovery.err, a.discovery.until = err, a.clock.Now().Add(discoveryDownFor)
		a.mu.Unlock()
		return nil, err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	meta := readMeta(p, a.s.HTTPClient, a.clock)
	a.mu.Lock()
	a.endpoint.endSession = extra.EndSession
	a.meta = meta
	a.provider = p
	a.discovery.err = nil
	a.mu.Unlock()
	a.checkLevelMetadata(p)
	return p, nil
}

// providerCallTimeout bounds a fetch from the provider that callers share,
// whatever the HTTP client's own timeout.
const providerCallTimeout = 10 * time.Second

// shared runs fetch once for all callers asking for key at the same time
// and returns its answer, or ctx's error when ctx ends first. The fetch
// serves every waiting caller, so one caller leaving does not cancel it.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, fetch func(context.Context) (T, error)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), providerCallTimeout)
		defer cancel()
		return fetch(fctx)
	})
	var zero T
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		return zero, fmt.Errorf("waiting for the identity provider: %w", context.Cause(ctx))
	}
}

// checkLevelMetadata says, once, when the provider's metadata shows no way
// to tell the sign-in levels apart, so that an operator learns it from the
// log and not from people who cannot step up.
func (a *Service) checkLevelMetadata(p *oidc.Provider) {
	m := a.s.Levels
	if len(m.Levels) < 2 {
		return
	}
	var meta struct {
		ACRValues []string `json:"acr_values_supported"`
		Claims    []string `json:"claims_supported"`
	}
	_ = p.Claims(&meta)
	acrOK := len(m.ACR) > 0 && (slices.Contains(meta.Claims, "acr") || slices.ContainsFunc(meta.ACRValues, func(v string) bool { _, ok := m.ACR[v]; return ok }))
	amrOK := len(m.AMR) > 0 && slices.Contains(meta.Claims, "amr")
	if acrOK || amrOK {
		return
	}
	a.log.Warn("the provider's metadata names neither an acr value of auth-level-map in acr_values_supported nor the acr or amr claim in claims_supported; "+
		"unless it sends them anyway, everyone is held at the weakest sign-in level and a step-up ends on a page that says so. "+
		"Configure the provider to put acr or amr in the ID token, and map its values with auth-level-map",
		"issuer", a.s.Issuer, "weakest_level", m.Levels[0], "acr_values_supported", meta.ACRValues, "claims_supported", meta.Claims)
}

// providerMeta is what Torg keeps of the provider's metadata.
type providerMeta struct {
	issuer string
	algs   []string // ID token signing algorithms, those go-oidc supports
	keys   *keySet
}

func readMeta(p *oidc.Provider, client *http.Client, clk clock.Clock) providerMeta {
	var m struct {
		Issuer string   `json:"issuer"`
		JWKS   string   `json:"jwks_uri"`
		Algs   []string `json:"id_token_signing_alg_values_supported"`
	}
	_ = p.Claims(&m) // NewProvider has read the same document already
	meta := providerMeta{issuer: m.Issuer, keys: newKeySet(m.JWKS, client, clk)}
	for _, alg := range m.Algs {
		if slices.Contains(signingAlgs, jose.SignatureAlgorithm(alg)) {
			meta.algs = append(meta.algs, alg)
		}
	}
	return meta
}

// verifier checks tokens issued to audience against the provider's keys.
func (a *Service) verifier(audience string) *oidc.IDTokenVerifier {
	a.mu.Lock()
	m := a.meta
	a.mu.Unlock()
	return oidc.NewVerifier(m.issuer, m.keys, &oidc.Config{ClientID: audience, Now: a.clock.Now, SupportedSigningAlgs: m.algs})
}

// reachable tells whether the provider answers now. Discovery is done once,
// so without this a sign-in would send the browser to a provider that has
// gone away, and the person would see their browser's error instead of a
// page that points to the login help.
func (a *Service) reachable(ctx context.Context) error {
	now := a.clock.Now()
	a.mu.Lock()
	if now.Before(a.probe.until) {
		err := a.probe.err
		a.mu.Unlock()
		return err
	}
	a.mu.Unlock()
	_, err := shared(ctx, &a.flights, "probe", func(ctx context.Context) (struct{}, error) {
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		err := a.fetchDiscovery(ctx)
		a.mu.Lock()
		defer a.mu.Unlock()
		a.probe.err, a.probe.until = err, now.Add(probeUpFor)
		if err != nil {
			a.log.Warn("identity provider does not answer", "issuer", a.s.Issuer, "err", err)
			a.probe.err = fmt.Errorf("%w: %v", ErrProviderUnavailable, err)
			a.probe.until = now.Add(probeDownFor)
		}
		return struct{}{}, a.probe.err
	})
	if err != nil && !errors.Is(err, ErrProviderUnavailable) {
		err = fmt.Errorf("%w: %w", ErrProviderUnavailable, err)
	}
	return err
}

func (a *Service) fetchDiscovery(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(a.s.Issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	res, err := a.s.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("discovery answered %s", res.Status)
	}
	return nil
}

func (a *Service) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     a.s.ClientID,
		ClientSecret: a.s.ClientSecret,
		RedirectURL:  a.s.RedirectURL,
		Endpoint:     p.Endpoint(),
		Scopes:       a.s.Scopes,
	}
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SafeReturn accepts only a path on this site (see redirect.Local), and
// not the sign-in's own, as a place to return to after signing in;
// anything else becomes "/".
func SafeReturn(p string) string {
	if p = redirect.Local(p); strings.HasPrefix(p, "/auth/") {
		return "/"
	}
	return p
}

// NewBrowserBinding makes the value of the cookie that ties sign-in
// attempts to the browser that started them. One binding serves every
// attempt of that browser, so two tabs signing in at once both work.
func NewBrowserBinding() string { return randomToken(24) }

// BeginLogin starts a sign-in for the browser holding binding: it records
// the attempt and returns the provider's authorization URL. level, when
// set, asks the provider for that sign-in level (step-up) and for a new
// sign-in even if the provider has a session.
func (a *Service) BeginLogin(ctx context.Context, returnPath, level, binding string) (authURL string, err error) {
	if binding == "" {
		return "", errors.New("begin sign-in: no browser binding")
	}
	p, err := a.discover(ctx)
	if err != nil {
		return "", err
	}
	if err := a.reachable(ctx); err != nil {
		return "", err
	}
	state, nonce, verifier := randomToken(24), randomToken(24), oauth2.GenerateVerifier()
	if err := a.db.CreateLoginAttempt(ctx, &store.LoginAttempt{
		State: state, Nonce: nonce, Verifier: verifier, Return: SafeReturn(returnPath),
		Browser: hashToken(binding), Level: level, CreatedAt: a.clock.Now().UTC(),
	}); err != nil {
		return "", fmt.Errorf("begin sign-in: %w", err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	for k, v := range a.s.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	// Ask for what tells the levels apart: the acr values of the level
	// asked (or of every level) and the acr and amr claims. A plain
	// sign-in leaves the operator's own values of these in place.
	acrs := a.s.Levels.ACRsFrom(level)
	asks := map[string]string{"claims": a.s.Levels.ClaimsRequest(acrs)}
	if len(acrs) > 0 {
		asks["acr_values"] = strings.Join(acrs, " ")
	}
	for k, v := range asks {
		if _, set := a.s.AuthParams[k]; v != "" && (level != "" || !set) {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	if level != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
	}
	return a.oauth(p).AuthCodeURL(state, opts...), nil
}

// Callback is what the provider sent back to /auth/callback.
type Callback struct {
	State            string // the state parameter
	Browser          string // the browser's binding cookie
	Code             string
	Error            string // the provider's error, e.g. access_denied
	ErrorDescription string
	// Session is the browser's session cookie, if any: it ends when the
	// new session starts, so a sign-in or step-up leaves one live session.
	Session string
}

// FinishLogin checks the callback, exchanges the code, verifies the ID
// token and starts a session. It returns the session token for the cookie
// and the path to return to.
func (a *Service) FinishLogin(ctx context.Context, cb Callback) (token string, sess *store.Session, returnPath string, err error) {
	if cb.State == "" {
		return "", nil, "", refuse("state_unknown", "the sign-in service sent no state; start again", nil)
	}
	attempt, err := a.db.TakeLoginAttempt(ctx, cb.State)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, "", refuse("state_unknown", "this sign-in has already been used or has expired; start again", nil)
	}
	if err != nil {
		return "", nil, "", err
	}
	if cb.Browser == "" || hashToken(cb.Browser) != attempt.Browser {
		return "", nil, "", refuse("state_mismatch", "this sign-in was not started in this browser; start again", nil)
	}
	now := a.clock.Now()
	if now.Sub(attempt.CreatedAt) > loginAttemptLifetime {
		return "", nil, "", refuse("state_expired", "the sign-in took too long; start again", nil)
	}
	if cb.Error != "" {
		return "", nil, "", refuse("provider_refused", "the sign-in service refused: "+cb.Error+" "+cb.ErrorDescription, nil)
	}
	if cb.Code == "" {
		return "", nil, "", refuse("no_code", "the sign-in service sent no code", nil)
	}
	p, err := a.discover(ctx)
	if err != nil {
		return "", nil, "", err
	}
	tok, err := a.oauth(p).Exchange(a.ctx(ctx), cb.Code, oauth2.VerifierOption(attempt.Verifier))
	if err != nil {
		return "", nil, "", refuse("code_rejected", "the sign-in service did not accept the sign-in code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", nil, "", refuse("no_id_token", "the sign-in service sent no ID token", nil)
	}
	idt, claims, err := a.verifyIDToken(ctx, raw)
	if err != nil {
		return "", nil, "", err
	}
	if idt.Nonce != attempt.Nonce {
		return "", nil, "", refuse("nonce_mismatch", "the ID token was not issued for this sign-in", nil)
	}
	_, hasACR := claims["acr"]
	_, hasAMR := claims["amr"]
	if !a.s.Roles.HasClaim(claims) || (!hasACR && !hasAMR) {
		// Many providers put groups, and some acr and amr, only in userinfo.
		ui, err := p.UserInfo(a.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err == nil {
			if ui.Subject != idt.Subject {
				return "", nil, "", refuse("userinfo_subject", "the sign-in service described a different person than it signed in", nil)
			}
			var more map[string]any
			if ui.Claims(&more) == nil {
				for k, v := range more {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
			}
		} else {
			a.log.Warn("userinfo could not be read; roles and sign-in level come from the ID token alone", "err", err)
		}
	}
	v, email := a.viewerFromClaims(idt.Subject, claims)
	if attempt.Level != "" && a.s.Levels.Below(v.Level, attempt.Level) {
		// Sending the person back would only ask for the same sign-in again.
		a.log.Warn("the provider did not confirm the sign-in level asked for; the previous session, if any, stays as it was",
			"subject", v.Subject, "asked", attempt.Level, "got", v.Level, "acr", claims["acr"], "amr", claims["amr"])
		return "", nil, "", refuse("level_not_reached", "the sign-in service did not confirm the stronger sign-in", nil)
	}
	token = randomToken(32)
	sess = &store.Session{
		ID: hashToken(token), Subject: v.Subject, Name: v.Name, Email: email,
		Roles: strings.Join(v.Roles, " "), Level: v.Level, IDToken: raw,
		CreatedAt: now.UTC(), LastSeen: now.UTC(), ExpiresAt: now.Add(a.s.MaxLifetime).UTC(),
	}
	if err := a.db.CreateSession(ctx, sess); err != nil {
		return "", nil, "", fmt.Errorf("start session: %w", err)
	}
	if cb.Session != "" {
		if err := a.endSession(ctx, hashToken(cb.Session)); err != nil {
			a.log.Error("could not end the session this sign-in replaces", "err", err)
		}
	}
	a.log.Info("signed in", "subject", v.Subject, "roles", v.Roles, "level", v.Level)
	return token, sess, attempt.Return, nil
}

// verifyIDToken checks signature (against the provider's keys, fetched
// again when an unknown key appears, at a bounded rate), iss, aud, azp,
// exp and iat.
func (a *Service) verifyIDToken(ctx context.Context, raw string) (*oidc.IDToken, map[string]any, error) {
	idt, err := a.verifier(a.s.ClientID).Verify(ctx, raw)
	if err != nil {
		return nil, nil, refuse("id_token_invalid", "the ID token could not be verified", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, nil, refuse("id_token_invalid", "the ID token could not be read", err)
	}
	azp, _ := claims["azp"].(string)
	if (len(idt.Audience) > 1 || azp != "") && azp != a.s.ClientID {
		return nil, nil, refuse("id_token_azp", "the ID token was issued to another application", nil)
	}
	if idt.IssuedAt.After(a.clock.Now().Add(MaxClockSkew)) {
		return nil, nil, refuse("id_token_iat", "the ID token was issued in the future; check the clocks", nil)
	}
	return idt, claims, nil
}

func (a *Service) viewerFromClaims(subject string, claims map[string]any) (access.Viewer, string) {
	roles, overage := a.s.Roles.Roles(claims)
	if overage {
		a.log.Warn("the provider left out the groups claim because the person is in too many groups; roles may be missing. Configure the provider to send only the groups assigned to the application",
			"subject", subject)
	}
	acr, _ := claims["acr"].(string)
	amr := claimStrings(claims, "amr")
	name, _ := claims["name"].(string)
	if name == "" {
		name, _ = claims["preferred_username"].(string)
	}
	email, _ := claims["email"].(string)
	return access.Viewer{Subject: subject, Name: name, Roles: roles, Level: a.s.Levels.Level(acr, amr)}, email
}

// touchEvery limits writes of last activity to one per session per interval.
const touchEvery = 30 * time.Second

// Session returns the live session for a cookie token, ending it if it has
// been idle too long or reached its absolute end.
func (a *Service) Session(ctx context.Context, token string) (*store.Session, error) {
	if token == "" {
		return nil, store.ErrNotFound
	}
	id := hashToken(token)
	now := a.clock.Now()
	s, fresh := a.sessions.get(id, now)
	if !fresh {
		got, err := a.db.SessionByID(ctx, id)
		switch {
		case err == nil:
			s = got
			a.sessions.put(*got, now)
		case errors.Is(err, store.ErrNotFound):
			a.sessions.drop(id)
			return nil, err
		case s != nil:
			// The database is away; a session it gave us before stays good
			// until its own times run out.
			a.log.Warn("session store unreachable; using the session as last read", "err", err)
		default:
			return nil, err
		}
	}
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) >= a.s.IdleTimeout {
		a.sessions.drop(id)
		_ = a.db.DeleteSession(ctx, id)
		return nil, store.ErrNotFound
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := a.db.TouchSession(ctx, id, now); err != nil {
			a.log.Warn("could not record session activity", "err", err)
		}
		a.sessions.seen(id, now.UTC()) // the activity is real even when it could not be written
		s.LastSeen = now.UTC()
	}
	return s, nil
}

// Viewer returns who holds the session token, seen from ip. An unknown or
// expired token gives the anonymous viewer (still placed in ip's zones).
func (a *Service) Viewer(ctx context.Context, token string, ip netip.Addr) (access.Viewer, *store.Session) {
	v := access.Viewer{Zones: a.s.Zones.Of(ip)}
	s, err := a.Session(ctx, token)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.Error("session lookup failed; treating the request as signed out", "err", err)
		}
		return v, nil
	}
	v.Subject, v.Name, v.Level = s.Subject, s.Name, s.Level
	v.Roles = strings.Fields(s.Roles)
	return v, s
}

// Bearer verifies an access token sent to the API and returns its viewer.
func (a *Service) Bearer(ctx context.Context, raw string, ip netip.Addr) (access.Viewer, error) {
	if a.s.APIAudience == "" {
		return access.Viewer{}, refuse("bearer_disabled", "this site does not accept bearer tokens", nil)
	}
	if _, err := a.discover(ctx); err != nil {
		return access.Viewer{}, err
	}
	t, err := a.verifier(a.s.APIAudience).Verify(ctx, raw)
	if err != nil {
		return access.Viewer{}, refuse("bearer_invalid", "the access token could not be verified", err)
	}
	var claims map[string]any
	if err := t.Claims(&claims); err != nil {
		return access.Viewer{}, refuse("bearer_invalid", "the access token could not be read", err)
	}
	v, _ := a.viewerFromClaims(t.Subject, claims)
	v.Zones = a.s.Zones.Of(ip)
	return v, nil
}

// Logout ends the session and returns where to send the browser: the
// provider's end_session_endpoint when it has one, else the site.
func (a *Service) Logout(ctx context.Context, token string) string {
	target := a.s.PostLogoutURL
	if token == "" {
		return target
	}
	id := hashToken(token)
	s, err := a.db.SessionByID(ctx, id)
	if err := a.endSession(ctx, id); err != nil {
		a.log.Error("could not end session", "err", err)
	}
	if err != nil {
		return target
	}
	a.mu.Lock()
	end := a.endpoint.endSession
	a.mu.Unlock()
	if end == "" {
		return target
	}
	u, err := url.Parse(end)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set("id_token_hint", s.IDToken)
	q.Set("client_id", a.s.ClientID)
	q.Set("post_logout_redirect_uri", a.s.PostLogoutURL)
	u.RawQuery = q.Encode()
	return u.String()
}

// endSession deletes the session with id from the store and from memory.
func (a *Service) endSession(ctx context.Context, id string) error {
	a.sessions.drop(id)
	return a.db.DeleteSession(ctx, id)
}

// ClientIP is the address a request comes from; see the package function.
func (a *Service) ClientIP(peer netip.Addr, xff ...string) netip.Addr {
	return ClientIP(peer, xff, a.s.TrustedProxies)
}

// CookieName is the session cookie's name: __Host- prefixed on https.
func (a *Service) CookieName() string {
	if a.s.Secure {
		return "__Host-torg_session"
	}
	return "torg_session"
}

// AttemptCookieName binds a sign-in attempt to the browser that started it.
func (a *Service) AttemptCookieName() string {
	if a.s.Secure {
		return "__Host-torg_login"
	}
	return "torg_login"
}

// Sweep deletes expired sessions and stale sign-in attempts every interval until ctx ends.
func (a *Service) Sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		a.SweepOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepOnce deletes expired sessions and stale sign-in attempts now.
func (a *Service) SweepOnce(ctx context.Context) {
	now := a.clock.Now()
	n, err := a.db.DeleteExpiredSessions(ctx, now, now.Add(-a.s.IdleTimeout), now.Add(-loginAttemptLifetime))
	if err != nil {
		a.log.Warn("deleting expired sessions failed", "err", err)
		return
	}
	if n > 0 {
		a.log.Info("expired sessions deleted", "count", n)
	}
}

// Sessions counts the sessions stored, on every instance sharing the database.
func (s *Service) Sessions(ctx context.Context) (int64, error) {
	return s.db.CountSessions(ctx)
}
