package auth

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Zones names lists of networks: office: [10.0.0.0/8, 192.168.0.0/16].
type Zones map[string][]netip.Prefix

// ParseZones reads "office=10.0.0.0/8 192.168.0.0/16; vpn=172.16.0.0/12".
func ParseZones(s string) (Zones, error) {
	z := Zones{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, nets, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: write name=network network…", part)
		}
		prefixes, err := ParsePrefixes(nets)
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", name, err)
		}
		z[name] = append(z[name], prefixes...)
	}
	return z, nil
}

// ParsePrefixes reads networks (10.0.0.0/8) or single addresses, separated
// by spaces or commas.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '[' || r == ']' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a network like 10.0.0.0/8", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a network", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Of lists the zones an address is in, sorted.
func (z Zones) Of(ip netip.Addr) []string {
	ip = ip.Unmap()
	var out []string
	for name, prefixes := range z {
		for _, p := range prefixes {
			if p.Contains(ip) {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// ClientIP is the address a request comes from: the connection's peer, or,
// when the peer is a trusted proxy, the nearest X-Forwarded-For hop that is
// not itself a trusted proxy, read right to left over every header line
// (xff holds them in the order they came). A header from anyone else is
// ignored, so it cannot be forged to claim an office address. A hop that
// is not an address (ip, ip:port, [ipv6] or [ipv6]:port) ends the walk with
// the zero Addr: a client nobody can name is in no zone, and is never taken
// for the proxy that passed the request on.
func ClientIP(peer netip.Addr, xff []string, trusted []netip.Prefix) netip.Addr {
	peer = peer.Unmap()
	if !inAny(peer, trusted) {
		return peer
	}
	var hops []string
	for _, line := range xff {
		for _, h := range strings.Split(line, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	if len(hops) == 0 {
		return peer
	}
	var a netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		var ok bool
		if a, ok = parseHop(hops[i]); !ok {
			return netip.Addr{}
		}
		if !inAny(a, trusted) {
			return a
		}
	}
	return a // every hop is a trusted proxy: the first one sent the request
}

// parseHop reads one X-Forwarded-For entry: 203.0.113.7, 203.0.113.7:4711,
// 2001:db8::7, [2001:db8::7] or [2001:db8::7]:4711.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.Trim(h, `"`)
	a, err := netip.ParseAddr(h)
	if err != nil {
		if inner, ok := strings.CutPrefix(h, "["); ok && strings.HasSuffix(inner, "]") {
			a, err = netip.ParseAddr(strings.TrimSuffix(inner, "]"))
		} else {
			var ap netip.AddrPort
			ap, err = netip.ParseAddrPort(h)
			a = ap.Addr()
		}
	}
	if err != nil || !a.IsValid() {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
}
