package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/report"
)

// healthReport is the content-health report for the one asking.
func (s *Server) healthReport(c *fiber.Ctx) (*report.Report, error) {
	return s.reports.Report(c.UserContext(), s.Viewer(c), s.Clock.Now(), s.chosenLang(c))
}

// apiHealth is GET /api/v1/admin/health.
func (s *Server) apiHealth(c *fiber.Ctx) error {
	r, err := s.healthReport(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(r)
}

// editorHealth is /redaktion/halsa: the report as a page.
func (s *Server) editorHealth(c *fiber.Ctx) error {
	v, ev := s.editorView(c)
	r, err := s.healthReport(c)
	if err != nil {
		return err
	}
	ev.Health = r
	v.Title = s.cat.T(v.Lang, "health.title")
	return s.send(c, "editor_health", v)
}
