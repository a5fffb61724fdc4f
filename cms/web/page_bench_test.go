package web

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkPublicPage serves one public page through the whole handler:
//
//	go test ./cms/web -run '^$' -bench PublicPage -cpuprofile cpu.out
func BenchmarkPublicPage(b *testing.B) {
	f := newFixture(b, monday10, nil)
	for i := 0; i < b.N; i++ {
		res, err := f.srv.App().Test(httptest.NewRequest("GET", "/inloggning", nil), -1)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res.StatusCode)
		}
		res.Body.Close()
	}
}
