package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/torg-cms/torg/cms/clock"
	"github.com/torg-cms/torg/cms/store/storetest"
)

// Tokens naming keys the provider never had make Torg fetch the keys
// again at most once per keyRefetchEvery, however many arrive and however
// many at once; a key the provider really rotated in is found once that
// time has passed.
func TestUnknownKeyIDsFetchKeysAtABoundedRate(t *testing.T) {
	f := newForger(t)
	clk := clock.NewManual(time.Now())
	svc := New(Settings{Issuer: f.srv.URL, ClientID: "torg", RedirectURL: "http://127.0.0.1/auth/callback", APIAudience: "torg-api"},
		storetest.SQLite(t), clk, quiet())
	ctx, ipNone := context.Background(), netip.Addr{}
	token := func(key *rsa.PrivateKey, kid string) string {
		now := clk.Now()
		return f.signAs(t, key, kid, map[string]any{"iss": f.srv.URL, "sub": "svc", "aud": "torg-api",
			"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix()})
	}
	randomKid := func() string {
		b := make([]byte, 8)
		rand.Read(b)
		return hex.EncodeToString(b)
	}
	if _, err := svc.Bearer(ctx, token(f.key, "k1"), ipNone); err != nil {
		t.Fatal(err)
	}
	before := f.keyFetches.Load()

	var wg sync.WaitGroup
	for i := 0; i < 25; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Bearer(ctx, token(f.key, randomKid()), ipNone); loginCode(err) != "bearer_invalid" {
				t.Errorf("a token with an unknown key id: %v", err)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 25; i++ {
		if _, err := svc.Bearer(ctx, token(f.key, randomKid()), ipNone); loginCode(err) != "bearer_invalid" {
			t.Fatalf("a token with an unknown key id: %v", err)
		}
	}
	if n := f.keyFetches.Load() - before; n > 1 {
		t.Fatalf("50 tokens with unknown key ids fetched the keys %d times", n)
	}

	// The provider rotates its key.
	next, _ := rsa.GenerateKey(rand.Reader, 2048)
	f.publish(next, "k2")
	clk.Advance(keyRefetchEvery)
	if _, err := svc.Bearer(ctx, token(next, "k2"), ipNone); err != nil {
		t.Fatalf("a token signed with the rotated key: %v", err)
	}
	if _, err := svc.Bearer(ctx, token(f.key, "k1"), ipNone); loginCode(err) != "bearer_invalid" {
		t.Fatalf("a token signed with the key the provider withdrew: %v", err)
	}
}
