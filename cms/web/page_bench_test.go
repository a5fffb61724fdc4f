package web

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/feedback"
	"github.com/torg-cms/torg/cms/store/storetest"
	"github.com/torg-cms/torg/cms/tiles"
	demo "github.com/torg-cms/torg/content"
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

// BenchmarkSignedInPage serves a page with the reader's name and the
// feedback form's token, which are filled in for each request:
//
//	go test ./cms/web -run '^$' -bench SignedInPage
func BenchmarkSignedInPage(b *testing.B) {
	db := storetest.SQLite(b)
	f := newFixture(b, monday10, func(d *Deps) {
		d.Auth = auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb"}, db, d.Clock, quietLog())
		d.Store, d.Feedback = db, feedback.New(db, d.Clock, quietLog(), 3, 10*time.Minute)
		d.Viewer = func(*fiber.Ctx) access.Viewer {
			return access.Viewer{Subject: "e1", Name: "Erik Holm", Roles: []string{"employee"}, Level: "password"}
		}
	})
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/personal/distansarbete", nil)
		req.Header.Set("Cookie", "torg_csrf=AAAAAAAAAAAAAAAAAAAAAAAA")
		res, err := f.srv.App().Test(req, -1)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res.StatusCode)
		}
		res.Body.Close()
	}
}

// BenchmarkSignedInPageServed is BenchmarkSignedInPage through a real
// listener and a keep-alive client, as a browser meets it: the server's
// workers are reused between requests, as in production.
func BenchmarkSignedInPageServed(b *testing.B) {
	db := storetest.SQLite(b)
	f := newFixture(b, monday10, func(d *Deps) {
		d.Auth = auth.New(auth.Settings{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURL: "http://127.0.0.1/cb"}, db, d.Clock, quietLog())
		d.Store, d.Feedback = db, feedback.New(db, d.Clock, quietLog(), 3, 10*time.Minute)
		d.Viewer = func(*fiber.Ctx) access.Viewer {
			return access.Viewer{Subject: "e1", Name: "Erik Holm", Roles: []string{"employee"}, Level: "password"}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go f.srv.App().Listener(ln)
	b.Cleanup(func() { f.srv.App().Shutdown() })
	client := &http.Client{}
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/personal/distansarbete", nil)
	req.Header.Set("Cookie", "torg_csrf=AAAAAAAAAAAAAAAAAAAAAAAA")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res.StatusCode)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkHomePage serves the home page with its tiles to a reader who
// has not signed in.
func BenchmarkHomePage(b *testing.B) {
	db := storetest.SQLite(b)
	f := newFixture(b, monday10, func(d *Deps) {
		d.Tiles = tiles.NewService(db, d.Clock, quietLog(), access.Policy{}, stockholm, tiles.Rules{Levels: access.DefaultLevels})
		data, _ := fs.ReadFile(demo.Files, "tiles.yaml")
		if _, err := d.Tiles.Seed(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	})
	for i := 0; i < b.N; i++ {
		res, err := f.srv.App().Test(httptest.NewRequest("GET", "/", nil), -1)
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res.StatusCode)
		}
		res.Body.Close()
	}
}
