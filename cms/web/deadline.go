package web

import (
	"cmp"
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// requestDeadline gives the request a context that ends after
// Limits.RequestTimeout; handlers hand c.UserContext() to the store, search
// and the identity provider, so no call made for a request outlives it.
//
// The context is not cancelled when the client goes away: fasthttp runs
// the handler on the connection's goroutine and reads nothing from the
// connection meanwhile, so it cannot tell. The deadline is the bound.
func (s *Server) requestDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), cmp.Or(s.Limits.RequestTimeout, 30*time.Second))
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}
