package web

import (
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/auth"
	"github.com/torg-cms/torg/cms/redirect"
)

const viewerKey = "torg.viewer"

// clientIP is the request's address, from a trusted proxy's
// X-Forwarded-For only, every header line of it; the zero Addr when that
// names no address.
func (s *Server) clientIP(c *fiber.Ctx) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	var xff []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		xff = append(xff, string(v))
	}
	return s.signIn.ClientIP(peer, xff...)
}

// identify works out who is asking, once per request: the session cookie,
// or on the API a bearer token.
func (s *Server) identify(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" || c.Path() == "/readyz" {
		return c.Next()
	}
	ip := s.clientIP(c)
	if h := c.Get(fiber.HeaderAuthorization); h != "" && strings.HasPrefix(c.Path(), "/api/") {
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return apiErr(fiber.StatusUnauthorized, "unauthorized", "the Authorization header must be: Bearer <access token>")
		}
		v, err := s.Auth.Bearer(c.UserContext(), strings.TrimSpace(raw), ip)
		if err != nil {
			var le *auth.LoginError
			if errors.As(err, &le) {
				s.Log.Info("bearer token refused", "reason", le.Code, "err", err)
				return apiErr(fiber.StatusUnauthorized, "unauthorized", le.Message)
			}
			return apiErr(fiber.StatusServiceUnavailable, "unavailable", "the sign-in service cannot be reached to check the token")
		}
		c.Locals(viewerKey, v)
		return c.Next()
	}
	v, sess := s.Auth.Viewer(c.UserContext(), c.Cookies(s.Auth.CookieName()), ip)
	if sess == nil && c.Cookies(s.Auth.CookieName()) != "" {
		s.clearCookie(c, s.Auth.CookieName()) // expired or ended elsewhere
	}
	c.Locals(viewerKey, v)
	return c.Next()
}

func (s *Server) viewerFromLocals(c *fiber.Ctx) access.Viewer {
	if v, ok := c.Locals(viewerKey).(access.Viewer); ok {
		return v
	}
	return access.Viewer{}
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, Secure: s.Auth.Settings().Secure, SameSite: fiber.CookieSameSiteLaxMode})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: s.signIn.Settings().Secure,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// signInURL is where an anonymous reader goes to sign in and come back.
func signInURL(returnPath string) string {
	return "/auth/login?return=" + url.QueryEscape(returnPath)
}

// login sends the browser to the provider.
func (s *Server) login(c *fiber.Ctx) error {
	ret := auth.SafeReturn(c.Query("return"))
	level := c.Query("level")
	if level != "" && s.Auth.Settings().Levels.Levels != nil && !slices.Contains(s.Auth.Settings().Levels.Levels, level) {
		return fiber.NewError(fiber.StatusBadRequest, "unknown sign-in level")
	}
	binding := c.Cookies(s.Auth.AttemptCookieName())
	if binding == "" {
		binding = auth.NewBrowserBinding()
	}
	target, err := s.Auth.BeginLogin(c.UserContext(), ret, level, binding)
	if err != nil {
		s.Log.Error("sign-in could not start", "err", err)
		return s.signInProblem(c, fiber.StatusServiceUnavailable, "signin.unavailable")
	}
	s.setCookie(c, s.Auth.AttemptCookieName(), binding)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(target, fiber.StatusSeeOther)
}

// callback finishes a sign-in.
func (s *Server) callback(c *fiber.Ctx) error {
	token, _, ret, err := s.Auth.FinishLogin(c.UserContext(), auth.Callback{
		State: c.Query("state"), Browser: c.Cookies(s.Auth.AttemptCookieName()), Code: c.Query("code"),
		Error: c.Query("error"), ErrorDescription: c.Query("error_description"), Session: c.Cookies(s.Auth.CookieName()),
	})
	if err != nil {
		var le *auth.LoginError
		if errors.As(err, &le) {
			s.Log.Warn("sign-in refused", "reason", le.Code, "err", err, "request_id", c.Locals("requestid"))
			if le.Code == "level_not_reached" {
				// Back on the page, the person would be sent to the same sign-in again.
				return s.signInProblem(c, fiber.StatusForbidden, "stepup.unconfirmed")
			}
			return s.signInProblem(c, fiber.StatusBadRequest, "signin.failed")
		}
		s.Log.Error("sign-in failed", "err", err)
		return s.signInProblem(c, fiber.StatusServiceUnavailable, "signin.unavailable")
	}
	// A new session id at every sign-in: the old session, if any, has ended.
	s.setCookie(c, s.Auth.CookieName(), token)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(redirect.Local(ret), fiber.StatusSeeOther)
}

// logoutPage offers the sign-out button; signing out itself is a POST.
func (s *Server) logoutPage(c *fiber.Ctx) error {
	v := s.baseView(c, s.Sites.Current(), s.chosenLang(c))
	v.Title = s.cat.T(v.Lang, "signout.title")
	return s.send(c, "signout", v)
}

// logout ends the session here and at the provider.
func (s *Server) logout(c *fiber.Ctx) error {
	if !sameOrigin(c, s.BaseURL) {
		return fiber.NewError(fiber.StatusForbidden, "sign-out must come from this site")
	}
	target := s.Auth.Logout(c.UserContext(), c.Cookies(s.Auth.CookieName()))
	s.clearCookie(c, s.Auth.CookieName())
	return c.Redirect(target, fiber.StatusSeeOther)
}

// sameOrigin accepts a form post whose Origin (or Referer) is this site.
func sameOrigin(c *fiber.Ctx, base string) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		ref, err := url.Parse(c.Get(fiber.HeaderReferer))
		if err != nil || ref.Host == "" {
			return c.Get(fiber.HeaderReferer) == "" // no header at all: a non-browser client
		}
		origin = ref.Scheme + "://" + ref.Host
	}
	b, err := url.Parse(base)
	return err == nil && origin == b.Scheme+"://"+b.Host
}

// me answers GET /api/v1/me.
func (s *Server) me(c *fiber.Ctx) error {
	v := s.Viewer(c)
	if v.IsAnonymous() {
		return apiErr(fiber.StatusUnauthorized, "unauthorized", "not signed in")
	}
	roles, zones := v.Roles, v.Zones
	if roles == nil {
		roles = []string{}
	}
	if zones == nil {
		zones = []string{}
	}
	return c.JSON(fiber.Map{"subject": v.Subject, "name": v.Name, "roles": roles, "level": v.Level, "zones": zones})
}

// signInProblem explains a sign-in that failed and points to the public help.
func (s *Server) signInProblem(c *fiber.Ctx, status int, key string) error {
	v := s.baseView(c, s.Sites.Current(), s.chosenLang(c))
	v.Title = s.cat.T(v.Lang, key+".title")
	v.Message = s.cat.T(v.Lang, key+".text")
	c.Status(status)
	return s.send(c, "signin_problem", v)
}

// stepUp tells a signed-in reader which sign-in a page needs, without
// naming the page.
func (s *Server) stepUp(c *fiber.Ctx, level string) error {
	v := s.baseView(c, s.Sites.Current(), s.chosenLang(c))
	v.Title = s.cat.T(v.Lang, "stepup.title")
	v.Message = s.cat.T(v.Lang, "stepup.text", label(s.cat)(v.Lang, "level.", level))
	v.StepUpURL = "/auth/login?return=" + url.QueryEscape(c.OriginalURL()) + "&level=" + url.QueryEscape(level)
	c.Status(fiber.StatusForbidden)
	return s.send(c, "stepup", v)
}
