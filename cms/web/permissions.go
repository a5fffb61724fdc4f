package web

import (
	"slices"
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

// may reports whether the caller holds perm.
func (s *Server) may(c *fiber.Ctx, perm access.Permission) bool {
	return s.policy().May(s.Viewer(c), perm)
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
	s     *Server
	r     fiber.Router
	perms []access.Permission // every permission the routes need, with those of the group
	gate  fiber.Handler       // nil when the group's middleware asks already
}

// guard declares that the routes added through the result need perm.
func (s *Server) guard(r fiber.Router, perm access.Permission, how refusal) guarded {
	return guarded{s: s, r: r, perms: []access.Permission{perm}, gate: s.require(perm, how)}
}

// guardGroup makes a group whose every address, routed or not, needs perm,
// checked before the group's other middleware.
func (s *Server) guardGroup(r fiber.Router, prefix string, perm access.Permission, how refusal, mw ...fiber.Handler) guarded {
	grp := r.Group(prefix, append([]fiber.Handler{s.require(perm, how)}, mw...)...)
	return guarded{s: s, r: grp, perms: []access.Permission{perm}}
}

// also declares that the routes added through the result need perm too.
func (g guarded) also(perm access.Permission, how refusal) guarded {
	return guarded{s: g.s, r: g.r, perms: append(slices.Clip(g.perms), perm), gate: g.s.require(perm, how)}
}

func (g guarded) Get(path string, h ...fiber.Handler) {
	g.r.Get(path, g.chain(fiber.MethodGet, path, h)...)
}

func (g guarded) Post(path string, h ...fiber.Handler) {
	g.r.Post(path, g.chain(fiber.MethodPost, path, h)...)
}

func (g guarded) Put(path string, h ...fiber.Handler) {
	g.r.Put(path, g.chain(fiber.MethodPut, path, h)...)
}

func (g guarded) Patch(path string, h ...fiber.Handler) {
	g.r.Patch(path, g.chain(fiber.MethodPatch, path, h)...)
}

func (g guarded) Delete(path string, h ...fiber.Handler) {
	g.r.Delete(path, g.chain(fiber.MethodDelete, path, h)...)
}

// chain records the route's permissions and puts the gate first.
func (g guarded) chain(method, path string, h []fiber.Handler) []fiber.Handler {
	if g.s.permissions == nil {
		g.s.permissions = map[string][]access.Permission{}
	}
	full := path
	if grp, ok := g.r.(*fiber.Group); ok {
		full = strings.TrimSuffix(grp.Prefix, "/") + path
	}
	g.s.permissions[method+" "+full] = g.perms
	if g.gate == nil {
		return h
	}
	return append([]fiber.Handler{g.gate}, h...)
}
