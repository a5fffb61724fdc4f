package demoidp

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer := srv.URL + "/idp"
	var gotCode string
	mux.HandleFunc("/cb", func(w http.ResponseWriter, r *http.Request) { gotCode = r.URL.Query().Get("code") })
	p, err := New(Config{Issuer: issuer, ClientID: "c", ClientSecret: "s", RedirectURIs: []string{srv.URL + "/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", http.StripPrefix("/idp", p))
	ctx := context.Background()
	prov, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "c", ClientSecret: "s", RedirectURL: srv.URL + "/cb", Endpoint: prov.Endpoint(), Scopes: []string{"openid", "profile", "groups"}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n1"))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	loginURL := res.Request.URL
	id := loginURL.Query().Get("authRequestID")
	if id == "" || !strings.Contains(string(body), "Sara Lind") {
		t.Fatalf("no sign-in page: %s %s", loginURL, body)
	}
	res, err = c.PostForm(issuer+"/login", url.Values{"authRequestID": {id}, "person": {"sara"}, "level": {"eid"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if gotCode == "" {
		t.Fatalf("no code came back, ended at %s", res.Request.URL)
	}
	tok, err := conf.Exchange(ctx, gotCode, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: "c"}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		ACR    string   `json:"acr"`
		AMR    []string `json:"amr"`
		Groups []string `json:"groups"`
		Name   string   `json:"name"`
		Nonce  string   `json:"nonce"`
	}
	idt.Claims(&claims)
	if idt.Subject != "sara" || claims.ACR != "eid" || claims.Groups[0] != "GRP-Timvikarier" || claims.Name != "Sara Lind" || claims.Nonce != "n1" {
		t.Fatalf("claims: %+v", claims)
	}
	// The code works once.
	if _, err := conf.Exchange(ctx, gotCode, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code was accepted twice")
	}
}
