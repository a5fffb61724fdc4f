package auth

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func claims(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoles(t *testing.T) {
	groups := map[string]string{
		"GRP-Timvikarier":                      "substitute",
		"GRP-Medarbetare":                      "employee",
		"6f1c3a2e-0000-4000-8000-00000000abcd": "communicator", // an Entra ID object id
		"/torg/admins":                         "admin",
	}
	tests := []struct {
		name    string
		m       RoleMapping
		claims  string
		want    []string
		overage bool
	}{
		{"group names", RoleMapping{Claim: "groups", Map: groups}, `{"groups":["GRP-Timvikarier","GRP-Okänd"]}`, []string{"substitute"}, false},
		{"default role for everyone", RoleMapping{Claim: "groups", Map: groups, Default: []string{"employee"}}, `{"groups":["GRP-Timvikarier"]}`, []string{"employee", "substitute"}, false},
		{"no claim at all", RoleMapping{Claim: "groups", Map: groups, Default: []string{"employee"}}, `{}`, []string{"employee"}, false},
		{"Entra object ids", RoleMapping{Claim: "groups", Map: groups}, `{"groups":["6f1c3a2e-0000-4000-8000-00000000abcd"]}`, []string{"communicator"}, false},
		{"nested claim", RoleMapping{Claim: "realm_access.roles", Map: groups}, `{"realm_access":{"roles":["/torg/admins","offline_access"]}}`, []string{"admin"}, false},
		{"space-separated string", RoleMapping{Claim: "roles", Map: groups}, `{"roles":"GRP-Medarbetare GRP-Timvikarier"}`, []string{"employee", "substitute"}, false},
		{"claim name with dots", RoleMapping{Claim: "https://id.example/groups", Map: groups}, `{"https://id.example/groups":["GRP-Medarbetare"]}`, []string{"employee"}, false},
		{"pass-through of Torg role names", RoleMapping{Claim: "roles", PassThrough: true}, `{"roles":["publisher","superuser"]}`, []string{"publisher"}, false},
		{"Entra group overage", RoleMapping{Claim: "groups", Map: groups}, `{"_claim_names":{"groups":"src1"},"_claim_sources":{"src1":{"endpoint":"https://graph"}}}`, nil, true},
		{"a number where a list belongs", RoleMapping{Claim: "groups", Map: groups}, `{"groups":42}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, overage := tt.m.Roles(claims(t, tt.claims))
			if !reflect.DeepEqual(got, tt.want) || overage != tt.overage {
				t.Fatalf("Roles = %v, %v; want %v, %v", got, overage, tt.want, tt.overage)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	acr, amr, err := ParseLevelMap("acr:http://eidas.europa.eu/LoA/high=eid, acr:urn:se:loa:2=otp, amr:pwd=password, amr:otp=otp, amr:mfa=otp", []string{"password", "otp", "eid"})
	if err != nil {
		t.Fatal(err)
	}
	m := LevelMapping{Levels: []string{"password", "otp", "eid"}, ACR: acr, AMR: amr}
	tests := []struct {
		acr  string
		amr  []string
		want string
	}{
		{"", []string{"pwd"}, "password"},
		{"", []string{"pwd", "otp"}, "otp"},
		{"", []string{"mfa"}, "otp"},
		{"http://eidas.europa.eu/LoA/high", []string{"pwd"}, "eid"},
		{"urn:se:loa:2", nil, "otp"},
		{"", nil, "password"},
		{"unknown", []string{"face"}, "password"},
	}
	for _, tt := range tests {
		if got := m.Level(tt.acr, tt.amr); got != tt.want {
			t.Errorf("Level(%q, %v) = %q, want %q", tt.acr, tt.amr, got, tt.want)
		}
	}
	if got := m.ACRsFrom("eid"); !slices.Equal(got, []string{"http://eidas.europa.eu/LoA/high"}) {
		t.Errorf("ACRsFrom(eid) = %q", got)
	}
	if got := m.ACRsFrom("otp"); !slices.Equal(got, []string{"urn:se:loa:2", "http://eidas.europa.eu/LoA/high"}) {
		t.Errorf("ACRsFrom(otp) = %q", got)
	}
	if got := m.ACRsFrom(""); !slices.Equal(got, m.ACRsFrom("password")) || len(got) != 2 {
		t.Errorf("ACRsFrom() = %q", got)
	}
	if got := m.ClaimsRequest([]string{"a", "b"}); got != `{"id_token":{"acr":{"essential":true,"values":["a","b"]},"amr":{"essential":true}}}` {
		t.Errorf("ClaimsRequest = %s", got)
	}
	if !m.Below("password", "otp") || m.Below("eid", "otp") || m.Below("otp", "otp") {
		t.Error("Below does not follow the order of the levels")
	}
	for _, bad := range []string{"acr:x=platinum", "pwd=password", "amr:pwd"} {
		if _, _, err := ParseLevelMap(bad, []string{"password"}); err == nil {
			t.Errorf("ParseLevelMap(%q) should fail", bad)
		}
	}
}

func TestZonesAndClientIP(t *testing.T) {
	z, err := ParseZones("office=10.0.0.0/8 192.168.0.0/16; vpn=172.16.0.0/12, 10.9.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]string{
		"10.1.2.3":        "office",
		"10.9.1.1":        "office vpn",
		"172.16.5.5":      "vpn",
		"203.0.113.9":     "",
		"::ffff:10.0.0.1": "office",
	} {
		if got := strings.Join(z.Of(netip.MustParseAddr(ip)), " "); got != want {
			t.Errorf("zones of %s = %q, want %q", ip, got, want)
		}
	}
	if _, err := ParseZones("office=10.0.0.0/33"); err == nil {
		t.Error("a bad network should be refused")
	}
	trusted, _ := ParsePrefixes("127.0.0.1 10.0.0.0/30")
	tests := []struct {
		name, peer, xff, want string
	}{
		{"direct", "203.0.113.9", "", "203.0.113.9"},
		{"forged header from an untrusted peer is ignored", "203.0.113.9", "10.1.2.3", "203.0.113.9"},
		{"trusted proxy", "127.0.0.1", "10.1.2.3", "10.1.2.3"},
		{"chain: the last untrusted hop counts", "127.0.0.1", "10.1.2.3, 203.0.113.50, 10.0.0.2", "203.0.113.50"},
		{"spoofed first entry behind a proxy", "127.0.0.1", "10.5.5.5, 203.0.113.50", "203.0.113.50"},
		{"malformed header: no address, not the proxy's", "127.0.0.1", "not-an-ip", "invalid IP"},
	}
	for _, tt := range tests {
		if got := ClientIP(netip.MustParseAddr(tt.peer), []string{tt.xff}, trusted); got.String() != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/vikarie/boka-pass":        "/vikarie/boka-pass",
		"/sok?q=l%C3%B6n#svar":      "/sok?q=l%C3%B6n#svar",
		"":                          "/",
		"//evil.example/x":          "/",
		"/\\evil.example":           "/",
		"https://evil.example/":     "/",
		"javascript:alert(1)":       "/",
		"vikarie":                   "/",
		"/auth/login?return=/x":     "/",
		"/x\r\nLocation: http://e/": "/",
	} {
		if got := SafeReturn(in); got != want {
			t.Errorf("SafeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}
