package redirect

import "testing"

func TestLocal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Paths on this site stay, cleaned.
		{"/", "/"},
		{"/vikarie/boka-pass", "/vikarie/boka-pass"},
		{"/sok?q=lön&page=2#hits", "/sok?q=lön&page=2#hits"},
		{"/nyheter/", "/nyheter"},
		{"/a/./b/../c", "/a/c"},
		{"/nyheter/%C3%B6", "/nyheter/%C3%B6"},
		{"/sok?q=a//b", "/sok?q=a//b"},
		{"/sok?u=https://evil.example/", "/sok?u=https://evil.example/"},
		{"/.//evil.example/", "/evil.example"},
		{"/..//evil.example", "/evil.example"},
		{"/x/..//evil.example", "/evil.example"},
		// Anything that could leave the site becomes "/".
		{"", "/"},
		{"evil.example", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"//evil.example", "/"},
		{"//evil.example/", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example/x", "/"},
		{"\\\\evil.example", "/"},
		{"/x\\..\\..\\evil", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%2f/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%0D%0ALocation:%20https://evil.example", "/"},
		{"/%252F%252Fevil.example", "/"},
		{"/%25252F%25252Fevil.example", "/"},
		{"/%zz", "/"},
		{" //evil.example", "/"},
		{"/sok?q=\r\nSet-Cookie:x=1", "/"},
		{"/sok?q=a\\b", "/"},
		{"/sok#\x00", "/"},
	} {
		if got := Local(tc.in); got != tc.want {
			t.Errorf("Local(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
