package web

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// Limits bound what one request, and one address, may ask of the server.
// A zero field takes its default; a zero rate means no limit.
type Limits struct {
	ReadTimeout  time.Duration // 30s
	WriteTimeout time.Duration // 30s
	IdleTimeout  time.Duration // 120s
	BodyBytes    int           // 1 MB; image uploads have their own limit

	// RequestTimeout bounds the work done for one request: the store,
	// search and the identity provider are called with a context that
	// ends then. 30s.
	RequestTimeout time.Duration

	// Requests per minute from one address.
	SignInRate int // to /auth/login and /auth/callback
	SearchRate int // to /sok and /api/v1/search
	APIRate    int // to the rest of /api/
}

// securityHeaders sets the headers every answer carries. Handlers that
// serve files people uploaded tighten the policy further.
func (s *Server) securityHeaders() fiber.Handler {
	formAction := "'self'"
	// Signing out posts a form that ends at the provider's sign-out page.
	if u, err := url.Parse(s.signIn.Settings().Issuer); err == nil && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action " + formAction,
		"frame-ancestors 'none'",
	}, "; ")
	https := strings.HasPrefix(s.BaseURL, "https://")
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set(fiber.HeaderContentSecurityPolicy, csp)
		h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		h.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
		h.Set(fiber.HeaderXFrameOptions, "DENY")
		h.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
		}
		return c.Next()
	}
}

// rateLimits holds back an address that asks too often: sign-in, search
// and the API each have their own budget per minute.
func (s *Server) rateLimits(app *fiber.App) {
	limit := func(n int, what string) fiber.Handler {
		return limiter.New(limiter.Config{
			Max:          n,
			Expiration:   time.Minute,
			KeyGenerator: func(c *fiber.Ctx) string { return what + "|" + s.clientIP(c).String() },
			LimitReached: func(c *fiber.Ctx) error {
				return apiErr(fiber.StatusTooManyRequests, "too_many_requests", "too many requests from your address; wait a minute and try again")
			},
		})
	}
	if n := s.Limits.SignInRate; n > 0 {
		l := limit(n, "signin")
		app.Use("/auth/login", l)
		app.Use("/auth/callback", l)
	}
	if n := s.Limits.SearchRate; n > 0 {
		l := limit(n, "search")
		app.Use("/sok", l)
		app.Use("/api/v1/search", l)
	}
	if n := s.Limits.APIRate; n > 0 {
		l := limit(n, "api")
		app.Use("/api/", func(c *fiber.Ctx) error {
			if strings.HasPrefix(c.Path(), "/api/v1/search") {
				return c.Next()
			}
			return l(c)
		})
	}
}

// limitBody holds every request but image uploads to the body limit, as
// it arrived. A body in a content coding (gzip, br, deflate, zstd) is
// refused before anything decodes it: browsers and Torg's clients never
// send one, and decoding is where a few kilobytes become gigabytes.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if coding := requestCoding(c); coding != "" {
		return apiErr(fiber.StatusUnsupportedMediaType, "unsupported_encoding",
			fmt.Sprintf("request bodies in the content coding %q are not accepted; send the body uncompressed", coding))
	}
	limit := cmp.Or(s.Limits.BodyBytes, 1<<20)
	if p := c.Path(); p == "/api/v1/admin/media" || p == "/redaktion/media" {
		return c.Next() // held to the upload limit as the body was read
	}
	// The raw body: c.Body() would decode it.
	if len(c.Request().Body()) > limit {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than %d KB", limit>>10))
	}
	return c.Next()
}

// requestCoding is the first content coding other than identity that the
// request's Content-Encoding header lines name, or "".
func requestCoding(c *fiber.Ctx) string {
	found := ""
	c.Request().Header.VisitAll(func(key, value []byte) {
		if found != "" || !strings.EqualFold(string(key), fiber.HeaderContentEncoding) {
			return
		}
		for _, coding := range strings.Split(string(value), ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				found = strings.Clone(coding)
				return
			}
		}
	})
	return found
}

// privateAnswers keeps what the API tells a signed-in reader, or one in a
// network zone, out of shared caches, and tells every cache that answers
// differ by cookie and bearer token.
func (s *Server) privateAnswers(c *fiber.Ctx) error {
	err := c.Next()
	c.Vary(fiber.HeaderCookie, fiber.HeaderAuthorization)
	if v := s.Viewer(c); !v.IsAnonymous() || len(v.Zones) > 0 {
		cc := c.GetRespHeader(fiber.HeaderCacheControl)
		if !strings.Contains(cc, "no-store") && !strings.HasPrefix(cc, "private") {
			c.Set(fiber.HeaderCacheControl, "private, no-cache")
		}
	}
	return err
}
