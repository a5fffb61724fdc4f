package outbound

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestInternalAddresses(t *testing.T) {
	for _, c := range []struct {
		ip       string
		internal bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"100.64.0.1", true},      // CGNAT
		{"100.127.255.254", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"192.0.0.8", true},
		{"198.18.0.1", true},
		{"::1", true},
		{"::", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped
		{"::ffff:169.254.169.254", true},
		{"::ffff:10.0.0.1", true},
		{"::127.0.0.1", true},        // IPv4-compatible, deprecated
		{"64:ff9b::7f00:1", true},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", true}, // NAT64 of 169.254.169.254
		{"64:ff9b:1::1", true},       // local-use NAT64
		{"2002:7f00:1::1", true},     // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},   // 6to4 of 192.168.1.1
		{"2001::1", true},            // Teredo
		{"2001:db8::1", true},        // documentation
		{"100::1", true},             // discard
		{"172.15.255.255", false},
		{"172.32.0.1", false},
		{"100.63.255.255", false},
		{"100.128.0.1", false},
		{"93.184.215.14", false},
		{"8.8.8.8", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"2606:4700::1111", false},
		{"2a00:1450:4001::200e", false},
	} {
		if got := Internal(netip.MustParseAddr(c.ip)); got != c.internal {
			t.Errorf("Internal(%s) = %v, want %v", c.ip, got, c.internal)
		}
	}
	if !Internal(netip.Addr{}) {
		t.Error("the zero address is not internal")
	}
}

func TestParseAllow(t *testing.T) {
	a, err := ParseAllow("Status.Intra.Example. 10.20.0.0/16, 10.1.2.3 fd00::7 ::ffff:192.168.9.9")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Hosts, " ") != "status.intra.example" || len(a.Nets) != 4 {
		t.Fatalf("%+v", a)
	}
	for _, c := range []struct {
		host, ip string
		ok       bool
	}{
		{"status.intra.example", "10.9.9.9", true},
		{"STATUS.intra.example.", "127.0.0.1", true},
		{"other.intra.example", "10.9.9.9", false},
		{"x", "10.20.255.1", true},
		{"x", "10.21.0.1", false},
		{"x", "10.1.2.3", true},
		{"x", "::ffff:10.1.2.3", true},
		{"x", "10.1.2.4", false},
		{"x", "fd00::7", true},
		{"x", "192.168.9.9", true},
		{"x", "8.8.8.8", true}, // public
	} {
		if got := a.Permits(c.host, netip.MustParseAddr(c.ip)); got != c.ok {
			t.Errorf("Permits(%s, %s) = %v, want %v", c.host, c.ip, got, c.ok)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "http://x.example", "a..b", "-x.example", "x.example/16", "host:80"} {
		if _, err := ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q) accepted", bad)
		}
	}
	if a, err := ParseAllow(""); err != nil || len(a.Hosts)+len(a.Nets) != 0 {
		t.Errorf("empty: %+v %v", a, err)
	}
}

// countingListener is a real server on loopback that counts connections.
func countingListener(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				n.Add(1)
			}
		}}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).String(), &n
}

func TestTransportRefusesInternalAddressesAtDialTime(t *testing.T) {
	addr, conns := countingListener(t)
	_, port, _ := net.SplitHostPort(addr)
	get := func(a Allow, url string) error {
		res, err := (&http.Client{Transport: Transport(a)}).Get(url)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	for _, url := range []string{"http://" + addr + "/", "http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		if err := get(Allow{}, url); !errors.Is(err, ErrInternal) {
			t.Errorf("%s: %v, want ErrInternal", url, err)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("the loopback server got %d connections", n)
	}
	loop, _ := ParseAllow("127.0.0.0/8")
	named, _ := ParseAllow("localhost")
	if err := get(loop, "http://"+addr+"/"); err != nil {
		t.Errorf("an allowed network: %v", err)
	}
	if err := get(named, "http://localhost:"+port+"/"); err != nil {
		t.Errorf("an allowed name: %v", err)
	}
	if err := get(named, "http://"+addr+"/"); !errors.Is(err, ErrInternal) {
		t.Errorf("the address of an allowed name, written as an address: %v", err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("the loopback server got %d connections, want 2", n)
	}
}

// A proxy from the environment would connect to the internal address in
// Torg's place; the transport must not use one.
func TestTransportUsesNoProxy(t *testing.T) {
	proxy, asked := countingListener(t)
	t.Setenv("HTTP_PROXY", "http://"+proxy)
	t.Setenv("NO_PROXY", "")
	loop, _ := ParseAllow("127.0.0.1")
	res, err := (&http.Client{Transport: Transport(loop)}).Get("http://[fd00::1]:9/")
	if err == nil {
		res.Body.Close()
	}
	if !errors.Is(err, ErrInternal) || asked.Load() != 0 {
		t.Fatalf("through a proxy: %v, %d connections to the proxy", err, asked.Load())
	}
}
