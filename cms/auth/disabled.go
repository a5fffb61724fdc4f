package auth

import "net/netip"

// Disabled is sign-in switched off: nobody can sign in, there is no
// session cookie, and no proxy is trusted to name the client.
type Disabled struct{}

// Offered is false: there is no sign-in.
func (Disabled) Offered() bool { return false }

// Settings are the zero settings: no provider, plain-http cookies.
func (Disabled) Settings() Settings { return Settings{} }

// CookieName is empty: there is no session cookie.
func (Disabled) CookieName() string { return "" }

// ClientIP is the peer's address; no proxy is trusted.
func (Disabled) ClientIP(peer netip.Addr, _ ...string) netip.Addr { return ClientIP(peer, nil, nil) }
