package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/content"
	"github.com/torg-cms/torg/cms/render"
)

// renderMarkdown renders the body of md, a file with front matter, as the
// site would; a *render.LimitError has its line counted in md.
func (s *Server) renderMarkdown(md string) (*render.Doc, error) {
	_, body, bodyLine, err := content.SplitFrontMatter([]byte(md))
	if err != nil { // no closing ---: the loader refuses the file; render it all
		body, bodyLine = []byte(md), 1
	}
	doc, err := s.renderer.Render(body, false, nil)
	var le *render.LimitError
	if errors.As(err, &le) && le.Line > 0 {
		le.Line += bodyLine - 1
	}
	return doc, err
}

// checkMarkdown refuses, before it is saved, Markdown the site would
// refuse to render.
func (s *Server) checkMarkdown(md string) error {
	_, err := s.renderMarkdown(md)
	return err
}

// checkBody is checkMarkdown for a body without front matter.
func (s *Server) checkBody(body string) error {
	_, err := s.renderer.Render([]byte(body), false, nil)
	return err
}

// limitMessage says, in lang, which rendering limit Markdown broke.
func (s *Server) limitMessage(lang string, le *render.LimitError) string {
	switch le.Limit {
	case render.LimitSize:
		return s.cat.T(lang, "markdown.too_large", le.Max>>10)
	case render.LimitDepth:
		return s.cat.T(lang, "markdown.too_deep", le.Line, le.Max)
	case render.LimitMarks:
		return s.cat.T(lang, "markdown.too_many_marks", le.Line, le.Max)
	case render.LimitLinks:
		return s.cat.T(lang, "markdown.too_many_links", le.Line, le.Max)
	}
	return s.cat.T(lang, "markdown.too_slow")
}

// limitStatus is 413 for Markdown that is too large, 422 for Markdown
// too complex to render.
func limitStatus(le *render.LimitError) int {
	if le.Limit == render.LimitSize {
		return fiber.StatusRequestEntityTooLarge
	}
	return fiber.StatusUnprocessableEntity
}

// markdownErr answers a rendering limit in the reader's language, with
// the field "markdown" at fault; other errors pass unchanged.
func (s *Server) markdownErr(c *fiber.Ctx, err error) error {
	var le *render.LimitError
	if !errors.As(err, &le) {
		return err
	}
	msg := s.limitMessage(s.chosenLang(c), le)
	code := "markdown_too_complex"
	if le.Limit == render.LimitSize {
		code = "markdown_too_large"
	}
	return &apiError{Status: limitStatus(le), Code: code, Message: msg, Fields: map[string]string{"markdown": msg}}
}

// editorLimit shows a rendering limit on the editor's form, or reports
// false for any other error.
func (s *Server) editorLimit(c *fiber.Ctx, v *View, ev *EditorView, err error) bool {
	var le *render.LimitError
	if !errors.As(err, &le) {
		return false
	}
	msg := s.limitMessage(v.Lang, le)
	ev.Errors = map[string]string{"markdown": msg}
	ev.Message = msg
	c.Status(limitStatus(le))
	return true
}
