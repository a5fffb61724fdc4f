package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/audit"
	"github.com/torg-cms/torg/cms/store"
)

// codeDatabaseUnavailable is the code of a write refused while the database
// does not answer.
const codeDatabaseUnavailable = "database_unavailable"

// codeAuditUnavailable is the code of a change refused because its audit
// entry could not be written.
const codeAuditUnavailable = "audit_unavailable"

// apiError is an error with a status, a stable code and a message a person
// understands. Any other error becomes a 500 whose details go to the log only.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string // what is wrong with each field of the request
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func apiErr(status int, code, msg string) error {
	return &apiError{Status: status, Code: code, Message: msg}
}

// fieldErr is a 422 that names each field at fault; nothing was changed.
func fieldErr(fields map[string]string) error {
	return &apiError{Status: fiber.StatusUnprocessableEntity, Code: "invalid", Message: "some fields are not valid; nothing was changed", Fields: fields}
}

var statusCodes = map[int]string{
	fiber.StatusBadRequest:            "bad_request",
	fiber.StatusUnauthorized:          "unauthorized",
	fiber.StatusForbidden:             "forbidden",
	fiber.StatusNotFound:              "not_found",
	fiber.StatusMethodNotAllowed:      "method_not_allowed",
	fiber.StatusConflict:              "conflict",
	fiber.StatusRequestEntityTooLarge: "too_large",
	fiber.StatusTooManyRequests:       "too_many_requests",
	fiber.StatusServiceUnavailable:    "unavailable",
}

// handleError turns any error into an answer: JSON under /api, the theme's
// 404 or error page elsewhere.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	ae := &apiError{Status: fiber.StatusInternalServerError, Code: "internal", Message: "something went wrong on the server; the error is logged"}
	var fe *fiber.Error
	var own *apiError
	switch {
	case errors.As(err, &own):
		ae = own
	case store.Unavailable(err):
		ae = &apiError{Status: fiber.StatusServiceUnavailable, Code: codeDatabaseUnavailable,
			Message: "the database does not answer right now; nothing was saved. Pages and search still work; please try again in a moment"}
	case errors.Is(err, audit.ErrUnwritable):
		ae = &apiError{Status: fiber.StatusServiceUnavailable, Code: codeAuditUnavailable,
			Message: "the audit log cannot be written, so nothing was changed; please try again in a moment, and tell an administrator if this goes on"}
	case errors.As(err, &fe):
		code := statusCodes[fe.Code]
		if code == "" {
			code = "error"
		}
		ae = &apiError{Status: fe.Code, Code: code, Message: fe.Message}
	}
	if ae.Code == codeDatabaseUnavailable {
		c.Set(fiber.HeaderRetryAfter, "30")
	}
	if ae.Status >= 500 {
		s.Log.Error("request failed", "path", c.Path(), "err", err, "request_id", c.Locals("requestid"))
	}
	if strings.HasPrefix(c.Path(), "/api/") || strings.HasPrefix(c.Path(), "/healthz") || strings.HasPrefix(c.Path(), "/readyz") {
		body := fiber.Map{"code": ae.Code, "message": ae.Message}
		if len(ae.Fields) > 0 {
			body["fields"] = ae.Fields
		}
		return c.Status(ae.Status).JSON(fiber.Map{"error": body})
	}
	msg := ""
	switch {
	case ae.Code == codeDatabaseUnavailable:
		msg = s.cat.T(s.chosenLang(c), "error.database")
	case ae.Code == codeAuditUnavailable:
		msg = s.cat.T(s.chosenLang(c), "error.audit")
	case ae.Status >= 400 && ae.Status < 500:
		msg = ae.Message // says what was wrong with the request; server errors say nothing
	}
	return s.htmlError(c, ae.Status, msg)
}

// htmlError shows the theme's 404 page or its general error page.
func (s *Server) htmlError(c *fiber.Ctx, status int, message string) error {
	name := "error"
	if status == fiber.StatusNotFound {
		name = "404"
	}
	lang := s.chosenLang(c)
	v := s.baseView(c, s.Sites.Current(), lang)
	if id, ok := c.Locals("requestid").(string); ok {
		v.RequestID = id
	}
	v.Title = s.cat.T(lang, "notfound.title")
	v.Message = message
	if name == "error" {
		v.Title = s.cat.T(lang, "error.title")
	}
	body, err := s.execute(c, name, v)
	if err != nil {
		s.Log.Error("error page template failed", "err", err)
		return c.Status(status).SendString(v.Title)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}
