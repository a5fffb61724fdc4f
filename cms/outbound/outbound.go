// Package outbound makes the HTTP transport for the requests Torg sends on
// its own — external link checks and tile health checks — and keeps them
// away from this machine and the internal network: every connection is
// checked against the address actually dialed, after name resolution and
// after every redirect, unless the operator named the host or network.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrInternal is the error of a connection refused because its address is
// not a public one.
var ErrInternal = errors.New("internal address")

// Allow names the internal hosts and networks that may be asked all the
// same. The zero value allows none.
type Allow struct {
	Hosts []string       // host names, lower case, without a trailing dot
	Nets  []netip.Prefix // networks; a single address is a /32 or /128
}

// ParseAllow reads host names, addresses and networks separated by spaces
// or commas: "status.intra.example 10.20.0.0/16 fd00::7".
func ParseAllow(s string) (Allow, error) {
	var a Allow
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return Allow{}, fmt.Errorf("%q is not a network like 10.20.0.0/16", f)
			}
			a.Nets = append(a.Nets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(f); err == nil {
			ip = ip.Unmap()
			a.Nets = append(a.Nets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		name := hostKey(f)
		if !validHost(name) {
			return Allow{}, fmt.Errorf("%q is not a host name, an address or a network", f)
		}
		a.Hosts = append(a.Hosts, name)
	}
	return a, nil
}

func hostKey(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func (a Allow) hasHost(host string) bool {
	return slices.Contains(a.Hosts, hostKey(host))
}

func (a Allow) hasAddr(ip netip.Addr) bool {
	return inAny(ip.Unmap().WithZone(""), a.Nets)
}

// Permits reports whether a connection to ip, reached through the name
// host, may be made: a public address always, an internal one only when
// the host or the address is allowed.
func (a Allow) Permits(host string, ip netip.Addr) bool {
	return !Internal(ip) || a.hasHost(host) || a.hasAddr(ip)
}

// DialContext connects like net.Dialer, but refuses, at the moment of
// connecting, every address that Permits refuses, with ErrInternal.
func (a Allow) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !a.Permits(host, ap.Addr()) {
				return ErrInternal
			}
			return nil
		}}
	return d.DialContext(ctx, network, addr)
}

// Transport returns an HTTP transport whose every connection goes through
// a.DialContext. It uses no proxy: a proxy would make the connection, and
// the check, elsewhere.
func Transport(a Allow) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           a.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// Internal reports whether ip is anything but a public unicast address:
// loopback, private, shared (CGNAT), link-local, unspecified, multicast,
// broadcast, reserved or documentation, also when written as an IPv4-mapped,
// NAT64 or 6to4 IPv6 address.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return true
	case ip.Is4():
		return inAny(ip, special4)
	case nat64.Contains(ip):
		b := ip.As16()
		return Internal(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		b := ip.As16()
		return Internal(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return !global6.Contains(ip) || inAny(ip, special6)
}

func inAny(ip netip.Addr, nets []netip.Prefix) bool {
	return slices.ContainsFunc(nets, func(p netip.Prefix) bool { return p.Contains(ip) })
}

var (
	// The IPv4 ranges that are not public (IANA's special-purpose registry).
	special4 = prefixes(
		"0.0.0.0/8",       // this network
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (CGNAT)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata services
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // protocol assignments
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relays
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, broadcast
	)
	// Public IPv6 unicast lies in 2000::/3; these parts of it are not public.
	global6  = netip.MustParsePrefix("2000::/3")
	special6 = prefixes(
		"2001::/23",     // protocol assignments, Teredo, benchmarking
		"2001:db8::/32", // documentation
		"3fff::/20",     // documentation
	)
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}
