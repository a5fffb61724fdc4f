package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// forger is an OpenID provider that answers the token request with
// whatever ID token the test made. No certified provider can be asked to
// sign a broken token, so this one stands in for a provider gone wrong (or
// an attacker in its place); discovery, keys and the token endpoint are
// real HTTP.
type forger struct {
	srv     *httptest.Server
	key     *rsa.PrivateKey
	idToken string

	keyFetches atomic.Int64
	mu         sync.Mutex
	published  jose.JSONWebKeySet // what /keys answers
	userinfo   map[string]any     // what /userinfo answers; nil: 404
}

func newForger(t testing.TB) *forger {
	t.Helper()
	f := &forger{}
	f.key, _ = rsa.GenerateKey(rand.Reader, 2048)
	f.publish(f.key, "k1")
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"jwks_uri": f.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"}, "userinfo_endpoint": f.srv.URL + "/userinfo",
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		f.keyFetches.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		json.NewEncoder(w).Encode(f.published)
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.userinfo == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(f.userinfo)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": f.idToken})
	})
	return f
}

// publish makes key, under kid, the one key the provider shows.
func (f *forger) publish(key *rsa.PrivateKey, kid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"}}}
}

func (f *forger) sign(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	return f.signAs(t, key, "k1", claims)
}

// signAs signs claims with key, naming it kid in the header.
func (f *forger) signAs(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

func unsigned(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	p, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

func TestIDTokenRefusals(t *testing.T) {
	f := newForger(t)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	base := func(nonce string) map[string]any {
		return map[string]any{"iss": f.srv.URL, "sub": "mallory", "aud": "torg", "exp": now.Add(5 * time.Minute).Unix(),
			"iat": now.Unix(), "nonce": nonce, "groups": []string{"GRP-IT-Admin"}}
	}
	tests := []struct {
		name  string
		token func(nonce string) string
		code  string
	}{
		{"a good token is accepted", func(n string) string { return f.sign(t, f.key, base(n)) }, ""},
		{"bad signature", func(n string) string { return f.sign(t, other, base(n)) }, "id_token_invalid"},
		{"alg none", func(n string) string { return unsigned(base(n)) }, "id_token_invalid"},
		{"wrong issuer", func(n string) string { c := base(n); c["iss"] = "https://evil.example"; return f.sign(t, f.key, c) }, "id_token_invalid"},
		{"wrong audience", func(n string) string { c := base(n); c["aud"] = "another-app"; return f.sign(t, f.key, c) }, "id_token_invalid"},
		{"expired", func(n string) string {
			c := base(n)
			c["exp"] = now.Add(-time.Minute).Unix()
			return f.sign(t, f.key, c)
		}, "id_token_invalid"},
		{"wrong nonce", func(string) string { return f.sign(t, f.key, base("not-this-sign-in")) }, "nonce_mismatch"},
		{"no nonce", func(string) string { c := base(""); delete(c, "nonce"); return f.sign(t, f.key, c) }, "nonce_mismatch"},
		{"issued to another party", func(n string) string {
			c := base(n)
			c["aud"], c["azp"] = []string{"torg", "another-app"}, "another-app"
			return f.sign(t, f.key, c)
		}, "id_token_azp"},
		{"issued in the future", func(n string) string { c := base(n); c["iat"] = now.Add(time.Hour).Unix(); return f.sign(t, f.key, c) }, "id_token_iat"},
	}
	db := storetest.SQLite(t)
	svc := New(Settings{Issuer: f.srv.URL, ClientID: "torg", ClientSecret: "x", RedirectURL: "http://127.0.0.1/auth/callback",
		Roles: RoleMapping{Claim: "groups", Map: map[string]string{"GRP-IT-Admin": "admin"}}}, db, clock.System{}, quiet())
	ctx := context.Background()
	sessions := int64(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const browser = "browser-1"
			authURL, err := svc.BeginLogin(ctx, "/", "", browser)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			f.idToken = tt.token(u.Query().Get("nonce"))
			_, sess, _, err := svc.FinishLogin(ctx, Callback{State: u.Query().Get("state"), Browser: browser, Code: "c"})
			if got := loginCode(err); got != tt.code {
				t.Fatalf("refusal %q (%v), want %q", got, err, tt.code)
			}
			if tt.code == "" {
				sessions++
				if sess.Roles != "admin" {
					t.Fatalf("roles %q", sess.Roles)
				}
			}
			if n, _ := db.CountSessions(ctx); n != sessions {
				t.Fatalf("%d sessions, want %d: a refused sign-in must not make one", n, sessions)
			}
		})
	}
}
