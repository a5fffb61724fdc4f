package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/torg-cms/torg/cms/clock"
)

// keyRefetchEvery is the least time between two fetches of the provider's
// keys. A token that names a key Torg does not hold makes it fetch them
// again (the provider may have rotated), but no more often than this, for
// all callers together: otherwise anyone sending tokens with made-up key
// ids would make Torg fetch the keys for every request.
const keyRefetchEvery = 10 * time.Second

// maxKeySetBytes bounds the provider's answer with its keys.
const maxKeySetBytes = 1 << 20

// signingAlgs are the signature algorithms a token may be parsed with;
// the verifier narrows them to those the provider announces.
var signingAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512,
	jose.PS256, jose.PS384, jose.PS512, jose.EdDSA,
}

// keySet holds the provider's public keys and fetches them again, at a
// bounded rate, when a token is signed by a key it does not hold. It is
// the verifier's oidc.KeySet.
type keySet struct {
	url    string
	client *http.Client
	clock  clock.Clock

	fetching singleflight.Group
	mu       sync.Mutex
	keys     []jose.JSONWebKey
	tried    time.Time // the last fetch, whether it worked or not
}

func newKeySet(url string, client *http.Client, clk clock.Clock) *keySet {
	return &keySet{url: url, client: client, clock: clk}
}

// VerifySignature checks a JWT's signature against the provider's keys and
// returns its payload.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, signingAlgs)
	if err != nil {
		return nil, fmt.Errorf("malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("the token must carry exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	keys := k.keys
	k.mu.Unlock()
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	keys, err = k.refresh(ctx)
	if err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	return nil, errors.New("no key of the provider verifies the signature")
}

func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) ([]byte, bool) {
	for i := range keys {
		if kid != "" && keys[i].KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&keys[i]); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// refresh fetches the keys unless they were fetched less than
// keyRefetchEvery ago; callers arriving during a fetch share its answer,
// each waiting no longer than its own context allows.
func (k *keySet) refresh(ctx context.Context) ([]jose.JSONWebKey, error) {
	return shared(ctx, &k.fetching, "keys", func(ctx context.Context) ([]jose.JSONWebKey, error) {
		now := k.clock.Now()
		k.mu.Lock()
		since := now.Sub(k.tried)
		if !k.tried.IsZero() && since >= 0 && since < keyRefetchEvery {
			keys := k.keys
			k.mu.Unlock()
			return keys, nil
		}
		k.tried = now
		k.mu.Unlock()
		keys, err := k.fetch(ctx)
		if err != nil {
			return nil, err
		}
		k.mu.Lock()
		k.keys = keys
		k.mu.Unlock()
		return keys, nil
	})
}

// fetch reads the provider's key set, skipping keys of kinds it cannot use.
func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch the provider's keys: %w", err)
	}
	res, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the provider's keys: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch the provider's keys: %s", res.Status)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxKeySetBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("read the provider's keys: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(raw, &key) != nil || !key.Valid() || !key.IsPublic() || (key.Use != "" && key.Use != "sig") {
			continue
		}
		keys = append(keys, key)
	}
	return keys, nil
}
