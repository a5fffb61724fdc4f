package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
)

// refusal is how a route answers a caller without its permission.
type refusal int

const (
	// refuseAPI: 401 to the anonymous, 403 naming the roles to the rest.
	refuseAPI refusal = iota
	// refuseHidden: 404 to everyone, for routes whose very existence is
	// editorial (what readers search for).
	refuseHidden
	// refusePage: the editor's pages; the anonymous are sent to sign in,
	// anyone else gets the page that does not exist.
	refusePage
)

// policy is the access rule with the server's levels and permission table.
func (s *Server) policy() access.Policy {
	return access.Policy{Levels: s.Levels, Grants: s.Grants}
}

// require is the middleware that lets through only callers holding perm.
func (s *Server) require(perm access.Permission, how refusal) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := s.Viewer(c)
		if s.policy().May(v, perm) {
			return c.Next()
		}
		switch {
		case how == refuseHidden:
			return apiErr(fiber.StatusNotFound, "not_found", "there is nothing here")
		case how == refusePage && v.IsAnonymous() && s.SignIn != nil:
			return c.Redirect(s.SignIn(c.OriginalURL()), fiber.StatusSeeOther)
		case how == refusePage:
			return fiber.ErrNotFound
		case v.IsAnonymous():
			return apiErr(fiber.StatusUnauthorized, "unauthorized", "sign in first")
		}
		return apiErr(fiber.StatusForbidden, "forbidden", "this needs the role "+strings.Join(s.policy().Holders(perm), " or "))
	}
}

// guarded is a set of routes that all need the same permissions: each
// route runs the gate of its own before its handlers.
type guarded struct {
	s    *Server
	r    fiber.Router
	gate fiber.Handler // nil when the group's middleware asks already
}

// guard declares that the routes added through the result need perm.
func (s *Server) guard(r fiber.Router, perm access.Permission, how refusal) guarded {
	return guarded{s: s, r: r, gate: s.require(perm, how)}
}

// guardGroup makes a group whose every address, routed or not, needs perm,
// checked before the group's other middleware.
func (s *Server) guardGroup(r fiber.Router, prefix string, perm access.Permission, how refusal, mw ...fiber.Handler) guarded {
	return guarded{s: s, r: r.Group(prefix, append([]fiber.Handler{s.require(perm, how)}, mw...)...)}
}

// also declares that the routes added through the result need perm too.
func (g guarded) also(perm access.Permission, how refusal) guarded {
	return g.s.guard(g.r, perm, how)
}

func (g guarded) Get(path string, h ...fiber.Handler)    { g.r.Get(path, g.chain(h)...) }
func (g guarded) Post(path string, h ...fiber.Handler)   { g.r.Post(path, g.chain(h)...) }
func (g guarded) Put(path string, h ...fiber.Handler)    { g.r.Put(path, g.chain(h)...) }
func (g guarded) Patch(path string, h ...fiber.Handler)  { g.r.Patch(path, g.chain(h)...) }
func (g guarded) Delete(path string, h ...fiber.Handler) { g.r.Delete(path, g.chain(h)...) }

// chain puts the gate before the handlers.
func (g guarded) chain(h []fiber.Handler) []fiber.Handler {
	if g.gate == nil {
		return h
	}
	return append([]fiber.Handler{g.gate}, h...)
}
