// Package demoidp is a real OpenID provider for the demo and for local
// development, built on zitadel's op package and kept in memory. Its
// sign-in page lists demo people instead of asking for passwords, so it
// must never face a network: Torg refuses to start it on a base URL that
// is not loopback unless told, by a flag that says it is unsafe.
package demoidp

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// ScopeGroups asks for the groups claim.
const ScopeGroups = "groups"

// Person is a demo identity.
type Person struct {
	ID          string
	Name        string
	GivenName   string
	FamilyName  string
	Email       string
	Groups      []string
	Description string // what the person is for, shown on the sign-in page
}

// Level is a way of signing in, sent as acr and amr.
type Level struct {
	Name  string
	Label string
	ACR   string
	AMR   []string
}

// Levels are the ways to sign in the demo offers, weakest first.
var Levels = []Level{
	{Name: "password", Label: "Lösenord", ACR: "password", AMR: []string{"pwd"}},
	{Name: "otp", Label: "Lösenord och engångskod", ACR: "otp", AMR: []string{"pwd", "otp"}},
	{Name: "eid", Label: "E-legitimation", ACR: "eid", AMR: []string{"hwk", "pin"}},
}

// People are the demo's staff, one for each role Torg knows.
var People = []Person{
	{ID: "sara", Name: "Sara Lind", GivenName: "Sara", FamilyName: "Lind", Email: "sara.lind@sjobacka.example", Groups: []string{"GRP-Timvikarier"}, Description: "timvikarie i skola och äldreomsorg"},
	{ID: "erik", Name: "Erik Holm", GivenName: "Erik", FamilyName: "Holm", Email: "erik.holm@sjobacka.example", Groups: []string{"GRP-Medarbetare"}, Description: "undersköterska, tillsvidareanställd"},
	{ID: "maja", Name: "Maja Ek", GivenName: "Maja", FamilyName: "Ek", Email: "maja.ek@sjobacka.example", Groups: []string{"GRP-Medarbetare", "GRP-Chefer"}, Description: "enhetschef i hemtjänsten"},
	{ID: "klara", Name: "Klara Berg", GivenName: "Klara", FamilyName: "Berg", Email: "klara.berg@sjobacka.example", Groups: []string{"GRP-Medarbetare", "GRP-Kommunikatorer"}, Description: "kommunikatör som skriver nyheter"},
	{ID: "per", Name: "Per Nord", GivenName: "Per", FamilyName: "Nord", Email: "per.nord@sjobacka.example", Groups: []string{"GRP-Medarbetare", "GRP-Kommunikatorer", "GRP-Publicister"}, Description: "publicist som granskar och publicerar"},
	{ID: "anna", Name: "Anna Sjö", GivenName: "Anna", FamilyName: "Sjö", Email: "anna.sjo@sjobacka.example", Groups: []string{"GRP-Medarbetare", "GRP-IT-Admin"}, Description: "IT-administratör"},
}

// RoleMap is how Torg maps the demo's groups to its roles.
var RoleMap = map[string]string{
	"GRP-Timvikarier":    "substitute",
	"GRP-Medarbetare":    "employee",
	"GRP-Chefer":         "manager",
	"GRP-Kommunikatorer": "communicator",
	"GRP-Publicister":    "publisher",
	"GRP-IT-Admin":       "admin",
	"GRP-Tjanst":         "service",
}

// Config sets up the provider.
type Config struct {
	Issuer         string // e.g. http://127.0.0.1:8080/demo-idp
	ClientID       string
	ClientSecret   string
	RedirectURIs   []string
	PostLogoutURIs []string
	// ServiceID and ServiceSecret register a client that gets API tokens
	// with client credentials; ServiceAudience is their aud.
	ServiceID       string
	ServiceSecret   string
	ServiceAudience string
	Stylesheet      string // optional, for the sign-in page
	Now             func() time.Time
	Log             *slog.Logger
}

// Provider is the demo OpenID provider as an http.Handler, serving paths
// relative to the issuer's path.
type Provider struct {
	op      *op.Provider
	store   *storage
	issuer  string
	css     string
	handler http.Handler
}

// New starts a provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	issuer := strings.TrimRight(cfg.Issuer, "/")
	clients := []*client{{
		id: cfg.ClientID, secret: cfg.ClientSecret, redirectURIs: cfg.RedirectURIs, postLogoutURIs: cfg.PostLogoutURIs,
		loginURL: func(id string) string { return issuer + "/login?authRequestID=" + id },
	}}
	if cfg.ServiceID != "" {
		clients = append(clients, &client{id: cfg.ServiceID, secret: cfg.ServiceSecret, service: true,
			audience: []string{cfg.ServiceAudience}, groups: []string{"GRP-Tjanst"}, loginURL: func(string) string { return "" }})
	}
	st, err := newStorage(People, clients, cfg.Now)
	if err != nil {
		return nil, err
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	opts := []op.Option{op.WithLogger(cfg.Log)}
	if strings.HasPrefix(issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewProvider(&op.Config{CryptoKey: key, CodeMethodS256: true, SupportedScopes: []string{"openid", "profile", "email", ScopeGroups}},
		st, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("demo provider: %w", err)
	}
	p := &Provider{op: provider, store: st, issuer: issuer, css: cfg.Stylesheet}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", p.login)
	mux.Handle("/", provider)
	p.handler = mux
	return p, nil
}

// ServeHTTP serves the provider's endpoints and its sign-in page.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

var page = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demoinloggning</title>
{{with .CSS}}<link rel="stylesheet" href="{{.}}">{{end}}
</head>
<body>
<main id="main" class="wrap">
<h1>Demoinloggning</h1>
<p>Det här är en inbyggd inloggningstjänst för demo och utveckling. Välj vem du vill vara och hur du loggar in. Inga lösenord behövs.</p>
{{with .Error}}<p role="alert"><strong>{{.}}</strong></p>{{end}}
{{if .Levels}}{{range .People}}{{$p := .}}
<section class="card" aria-labelledby="p-{{.ID}}">
<h2 id="p-{{.ID}}">{{.Name}}</h2>
<p>{{.Description}}</p>
<form method="post" action="login">
<input type="hidden" name="authRequestID" value="{{$.RequestID}}">
<input type="hidden" name="person" value="{{.ID}}">
{{range $.Levels}}<button type="submit" name="level" value="{{.Name}}" data-person="{{$p.ID}}" data-level="{{.Name}}">{{.Label}}</button> {{end}}
</form>
</section>
{{end}}{{end}}
</main>
</body>
</html>
`))

type pageData struct {
	CSS       string
	Error     string
	RequestID string
	People    []Person
	Levels    []Level
}

// login is the sign-in page: a list of demo people, each with a button per
// sign-in level the request allows.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	id := r.FormValue("authRequestID")
	req, ok := p.store.request(id)
	data := pageData{CSS: p.css, RequestID: id, People: People}
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		data.Error = "Inloggningen har gått ut eller finns inte. Gå tillbaka till webbplatsen och börja om."
		page.Execute(w, data)
		return
	}
	data.Levels = allowedLevels(req.req.ACRValues)
	if r.Method == http.MethodPost {
		level, found := Level{}, false
		for _, l := range data.Levels {
			if l.Name == r.FormValue("level") {
				level, found = l, true
			}
		}
		if !found {
			w.WriteHeader(http.StatusBadRequest)
			data.Error = "Välj ett av inloggningssätten nedan."
			page.Execute(w, data)
			return
		}
		if err := p.store.signIn(id, r.FormValue("person"), level); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			data.Error = err.Error()
			page.Execute(w, data)
			return
		}
		ctx := op.ContextWithIssuer(r.Context(), p.issuer)
		http.Redirect(w, r, op.AuthCallbackURL(p.op)(ctx, id), http.StatusSeeOther)
		return
	}
	page.Execute(w, data)
}

// allowedLevels offers the levels at or above the weakest acr asked for.
func allowedLevels(acrValues []string) []Level {
	if len(acrValues) == 0 {
		return Levels
	}
	for i, l := range Levels {
		if slices.Contains(acrValues, l.ACR) {
			return Levels[i:]
		}
	}
	return Levels
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
