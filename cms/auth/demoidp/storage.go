package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage keeps the provider's state in memory: it is a demo, and a
// restart simply signs everybody out of it.
type storage struct {
	mu       sync.Mutex
	people   map[string]Person
	clients  map[string]*client
	requests map[string]*authRequest
	codes    map[string]string // code → request id
	tokens   map[string]*token
	key      *rsa.PrivateKey
	keyID    string
	now      func() time.Time
}

type token struct {
	id       string
	subject  string
	clientID string
	audience []string
	scopes   []string
	expires  time.Time
}

func newStorage(people []Person, clients []*client, now func() time.Time) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &storage{
		people: map[string]Person{}, clients: map[string]*client{}, requests: map[string]*authRequest{},
		codes: map[string]string{}, tokens: map[string]*token{}, key: key, keyID: randomID(), now: now,
	}
	for _, p := range people {
		s.people[p.ID] = p
	}
	for _, c := range clients {
		s.clients[c.id] = c
	}
	return s, nil
}

// authRequest is one authorization request while the person signs in.
type authRequest struct {
	id       string
	req      *oidc.AuthRequest
	created  time.Time
	subject  string
	level    Level
	done     bool
	authTime time.Time
}

func (r *authRequest) GetID() string { return r.id }
func (r *authRequest) GetACR() string {
	if !r.done {
		return ""
	}
	return r.level.ACR
}
func (r *authRequest) GetAMR() []string {
	if !r.done {
		return nil
	}
	return r.level.AMR
}
func (r *authRequest) GetAudience() []string              { return []string{r.req.ClientID} }
func (r *authRequest) GetAuthTime() time.Time             { return r.authTime }
func (r *authRequest) GetClientID() string                { return r.req.ClientID }
func (r *authRequest) GetNonce() string                   { return r.req.Nonce }
func (r *authRequest) GetRedirectURI() string             { return r.req.RedirectURI }
func (r *authRequest) GetResponseType() oidc.ResponseType { return r.req.ResponseType }
func (r *authRequest) GetResponseMode() oidc.ResponseMode { return r.req.ResponseMode }
func (r *authRequest) GetScopes() []string                { return r.req.Scopes }
func (r *authRequest) GetState() string                   { return r.req.State }
func (r *authRequest) GetSubject() string                 { return r.subject }
func (r *authRequest) Done() bool                         { return r.done }
func (r *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if r.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: r.req.CodeChallenge, Method: r.req.CodeChallengeMethod}
}

// CreateAuthRequest implements op.AuthStorage.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := *req // op may reuse what it decoded
	r := &authRequest{id: randomID(), req: &cp, created: s.now()}
	s.requests[r.id] = r
	return r, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return nil, errors.New("unknown authorization request")
	}
	return r, nil
}

// AuthRequestByCode implements op.AuthStorage.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, errors.New("unknown code")
	}
	return s.requests[id], nil
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest implements op.AuthStorage; it runs when a code is
// redeemed, so a code works once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// signIn marks the request as signed in by a person at a level.
func (s *storage) signIn(requestID, personID string, level Level) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[requestID]
	if !ok {
		return errors.New("this sign-in has expired; go back to the site and start again")
	}
	if _, ok := s.people[personID]; !ok {
		return errors.New("no such demo person")
	}
	r.subject, r.level, r.done, r.authTime = personID, level, true, s.now()
	return nil
}

func (s *storage) request(id string) (*authRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	return r, ok
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	clientID := ""
	switch r := req.(type) {
	case *authRequest:
		clientID = r.GetClientID()
	case *serviceRequest:
		clientID = r.clientID
	}
	t := &token{id: randomID(), subject: req.GetSubject(), clientID: clientID, audience: req.GetAudience(), scopes: req.GetScopes(), expires: s.now().Add(30 * time.Minute)}
	s.tokens[t.id] = t
	return t.id, t.expires, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage; the demo issues no refresh tokens.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, _ string) (string, string, time.Time, error) {
	id, exp, err := s.CreateAccessToken(ctx, req)
	return id, "", exp, err
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

// RevokeToken implements op.AuthStorage.
func (s *storage) RevokeToken(_ context.Context, tokenID, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tokenID)
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.keyID, s.key}, nil
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.keyID, &s.key.PublicKey}}, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("unknown client %q", id)
	}
	return c, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || !c.checkSecret(secret) {
		return errors.New("wrong client or secret")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims about the person.
func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ui, req.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || s.now().After(t.expires) {
		return errors.New("token is not valid")
	}
	return s.userinfo(ui, subject, t.scopes)
}

func (s *storage) userinfo(ui *oidc.UserInfo, subject string, scopes []string) error {
	p, ok := s.people[subject]
	if !ok {
		return errors.New("unknown person")
	}
	ui.Subject = p.ID
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			ui.Name, ui.PreferredUsername, ui.GivenName, ui.FamilyName = p.Name, p.ID, p.GivenName, p.FamilyName
		case oidc.ScopeEmail:
			ui.Email, ui.EmailVerified = p.Email, true
		case ScopeGroups:
			ui.AppendClaims("groups", p.Groups)
		}
	}
	return nil
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(_ context.Context, in *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || s.now().After(t.expires) {
		return errors.New("token is not valid")
	}
	in.Active, in.Subject, in.ClientID, in.Scope, in.Audience = true, subject, t.clientID, t.scopes, t.audience
	return nil
}

// GetPrivateClaimsFromScopes implements op.OPStorage: claims of JWT access tokens.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	if c, ok := s.clients[clientID]; ok && c.service {
		return map[string]any{"groups": c.groups}, nil
	}
	if p, ok := s.people[userID]; ok && slices.Contains(scopes, ScopeGroups) {
		return map[string]any{"groups": p.Groups}, nil
	}
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage; JWT client authentication is not offered.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("not supported")
}

// ValidateJWTProfileScopes implements op.OPStorage.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("not supported")
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// serviceRequest is a client-credentials token request from a service client.
type serviceRequest struct {
	clientID string
	audience []string
	scopes   []string
}

func (r *serviceRequest) GetSubject() string    { return r.clientID }
func (r *serviceRequest) GetAudience() []string { return r.audience }
func (r *serviceRequest) GetScopes() []string   { return r.scopes }

// ClientCredentials implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentials(_ context.Context, id, secret string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok || !c.service || !c.checkSecret(secret) {
		return nil, errors.New("wrong client or secret")
	}
	return c, nil
}

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, ok := s.clients[id]
	if !ok || !c.service {
		return nil, errors.New("not a service client")
	}
	return &serviceRequest{clientID: id, audience: c.audience, scopes: scopes}, nil
}
