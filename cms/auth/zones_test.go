package auth

import (
	"net/netip"
	"testing"
)

// TestClientIPBehindAProxy reads X-Forwarded-For as a trusted proxy passes
// it on: every header line, hops with ports, and hops that are no address.
func TestClientIPBehindAProxy(t *testing.T) {
	trusted, _ := ParsePrefixes("127.0.0.1 10.0.0.1 2001:db8:ffff::1")
	office, _ := ParseZones("office=10.0.0.0/8 127.0.0.0/8")
	tests := []struct {
		name string
		peer string
		xff  []string
		want string // "" = no address, in no zone
	}{
		{"ip:port", "127.0.0.1", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"bracketed IPv6 with port", "127.0.0.1", []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"bracketed IPv6", "127.0.0.1", []string{"[2001:db8::7]"}, "2001:db8::7"},
		{"bare IPv6", "127.0.0.1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"mapped IPv4", "127.0.0.1", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"IPv6 with a zone", "127.0.0.1", []string{"fe80::1%eth0"}, "fe80::1"},
		{"unknown", "127.0.0.1", []string{"unknown"}, ""},
		{"obfuscated", "127.0.0.1", []string{"_hidden"}, ""},
		{"unknown behind a trusted hop", "127.0.0.1", []string{"unknown, 10.0.0.1"}, ""},
		{"garbage port", "127.0.0.1", []string{"203.0.113.7:port"}, ""},
		{"a real hop right of garbage wins", "127.0.0.1", []string{"unknown, 203.0.113.7"}, "203.0.113.7"},
		{"two lines, the client's own first", "127.0.0.1", []string{"10.1.2.3", "203.0.113.7"}, "203.0.113.7"},
		{"two lines through two proxies", "127.0.0.1", []string{"10.1.2.3, 203.0.113.7", "10.0.0.1"}, "203.0.113.7"},
		{"empty entries are skipped", "127.0.0.1", []string{"203.0.113.7,,", ""}, "203.0.113.7"},
		{"only trusted hops: the first", "127.0.0.1", []string{"10.0.0.1"}, "10.0.0.1"},
		{"no header", "127.0.0.1", nil, "127.0.0.1"},
		{"an untrusted peer's header is ignored", "203.0.113.9", []string{"10.1.2.3"}, "203.0.113.9"},
		{"an untrusted peer's garbage is ignored", "203.0.113.9", []string{"unknown"}, "203.0.113.9"},
		{"IPv6 proxy", "2001:db8:ffff::1", []string{"203.0.113.7:80"}, "203.0.113.7"},
	}
	for _, tt := range tests {
		got := ClientIP(netip.MustParseAddr(tt.peer), tt.xff, trusted)
		if tt.want == "" {
			if got.IsValid() || len(office.Of(got)) > 0 {
				t.Errorf("%s: %s (zones %v), want no address", tt.name, got, office.Of(got))
			}
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
