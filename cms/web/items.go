package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/torg-cms/torg/cms/access"
	"github.com/torg-cms/torg/cms/publishing"
)

// apiItem is an editor item in the API.
type apiItem struct {
	ID         int64      `json:"id"`
	Path       string     `json:"path"`
	Status     string     `json:"status"`
	Version    int64      `json:"version"`
	Author     string     `json:"author"`
	AuthorName string     `json:"author_name,omitempty"`
	ApprovedBy string     `json:"approved_by,omitempty"`
	Approver   string     `json:"approver_name,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	Live       bool       `json:"live"`
	Pending    bool       `json:"pending_draft"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Draft      *string    `json:"draft_markdown,omitempty"`
	Published  *string    `json:"published_markdown,omitempty"`
}

func itemOf(it *publishing.Item) apiItem {
	return apiItem{ID: it.ID, Path: it.Path, Status: it.Status, Version: it.Version, Author: it.AuthorID, AuthorName: it.AuthorName,
		ApprovedBy: it.ApprovedBy, Approver: it.ApproverName, ApprovedAt: it.ApprovedAt, Comment: it.Comment,
		Live: it.PublishedRev > 0 && it.Status != publishing.StatusUnpublished, Pending: it.DraftRev > 0, UpdatedAt: it.UpdatedAt}
}

func (s *Server) actor(c *fiber.Ctx) publishing.Actor {
	return publishing.Actor{Viewer: s.Viewer(c), Address: s.clientIP(c).String()}
}

// workflowErr maps the workflow's refusals to answers.
func workflowErr(err error) error {
	var fe publishing.FieldErrors
	var r *publishing.Refusal
	switch {
	case errors.As(err, &fe):
		return fieldErr(fe)
	case errors.Is(err, publishing.ErrNotFound):
		return apiErr(fiber.StatusNotFound, "not_found", "no such item")
	case errors.As(err, &r) && errors.Is(err, publishing.ErrForbidden):
		return apiErr(fiber.StatusForbidden, "forbidden", r.Reason)
	case errors.As(err, &r) && errors.Is(err, publishing.ErrState):
		return apiErr(fiber.StatusConflict, "wrong_state", r.Reason)
	case errors.As(err, &r) && errors.Is(err, publishing.ErrConflict):
		return apiErr(fiber.StatusConflict, "version_conflict", r.Reason)
	}
	return err
}

func itemID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apiErr(fiber.StatusNotFound, "not_found", "no such item")
	}
	return id, nil
}

// body decodes a JSON body strictly.
func body(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiErr(fiber.StatusBadRequest, "bad_request", "the body is not what this endpoint takes: "+err.Error())
	}
	return nil
}

func (s *Server) listItems(c *fiber.Ctx) error {
	items, err := s.Publishing.Items(c.UserContext(), s.Viewer(c))
	if err != nil {
		return err
	}
	out := []apiItem{}
	for i := range items {
		out = append(out, itemOf(&items[i]))
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) getItem(c *fiber.Ctx) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	it, draft, published, err := s.Publishing.Item(c.UserContext(), s.Viewer(c), id)
	if err != nil {
		return workflowErr(err)
	}
	out := itemOf(it)
	if draft != "" {
		out.Draft = &draft
	}
	if published != "" {
		out.Published = &published
	}
	return c.JSON(out)
}

func (s *Server) createItem(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	var in struct {
		Path     string `json:"path"`
		Markdown string `json:"markdown"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	if err := s.checkMarkdown(in.Markdown); err != nil {
		return s.markdownErr(c, err)
	}
	it, err := s.Publishing.Create(c.UserContext(), s.actor(c), in.Path, in.Markdown)
	if err != nil {
		return workflowErr(err)
	}
	return c.Status(fiber.StatusCreated).JSON(itemOf(it))
}

func (s *Server) saveItem(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	id, err := itemID(c)
	if err != nil {
		return err
	}
	var in struct {
		Version  int64  `json:"version"`
		Markdown string `json:"markdown"`
		Note     string `json:"note"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	if err := s.checkMarkdown(in.Markdown); err != nil {
		return s.markdownErr(c, err)
	}
	it, err := s.Publishing.Save(c.UserContext(), s.actor(c), id, in.Version, in.Markdown, in.Note)
	if err != nil {
		return workflowErr(err)
	}
	return c.JSON(itemOf(it))
}

// itemAction answers POST /api/v1/admin/items/{id}/{action}.
func (s *Server) itemAction(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	id, err := itemID(c)
	if err != nil {
		return err
	}
	var in struct {
		Version int64  `json:"version"`
		Comment string `json:"comment"`
		Reason  string `json:"reason"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	note := in.Comment
	if c.Params("action") == "unpublish" {
		note = in.Reason
	}
	it, err := s.Publishing.Step(c.UserContext(), s.actor(c), id, in.Version, c.Params("action"), note)
	if errors.Is(err, publishing.ErrUnknownStep) {
		return apiErr(fiber.StatusNotFound, "not_found", "actions are submit, approve, reject, withdraw and unpublish")
	}
	if err != nil {
		return workflowErr(err)
	}
	return c.JSON(itemOf(it))
}

func (s *Server) itemRevisions(c *fiber.Ctx) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	revs, err := s.Publishing.Revisions(c.UserContext(), s.Viewer(c), id)
	if err != nil {
		return workflowErr(err)
	}
	type rev struct {
		ID        int64     `json:"id"`
		Author    string    `json:"author"`
		Name      string    `json:"author_name,omitempty"`
		Note      string    `json:"note,omitempty"`
		CreatedAt time.Time `json:"created_at"`
		Markdown  string    `json:"markdown"`
	}
	out := []rev{}
	for _, r := range revs {
		out = append(out, rev{r.ID, r.AuthorID, r.AuthorName, r.Note, r.CreatedAt, r.Markdown})
	}
	return c.JSON(fiber.Map{"items": out})
}

// preview answers POST /api/v1/admin/preview with the Markdown rendered by
// the site's own pipeline, or the rendering limit it breaks (413, 422).
func (s *Server) preview(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	var in struct {
		Markdown string `json:"markdown"`
	}
	if err := body(c, &in); err != nil {
		return err
	}
	doc, err := s.renderMarkdown(in.Markdown)
	if err != nil {
		return s.markdownErr(c, err)
	}
	return c.JSON(fiber.Map{"html": doc.HTML, "title": doc.Title})
}

// MaxUpload bounds an uploaded image.
const MaxUpload = publishing.MaxUpload

// upload answers POST /api/v1/admin/media: one image as the multipart field "file".
func (s *Server) upload(c *fiber.Ctx) error {
	if err := s.checkWrite(c); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fieldErr(map[string]string{"file": "send the image as the form field file"})
	}
	if fh.Size > MaxUpload {
		return fieldErr(map[string]string{"file": "the image is larger than 5 MB"})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data := make([]byte, fh.Size)
	if _, err := f.Read(data); err != nil && fh.Size > 0 {
		return err
	}
	up, err := s.Publishing.Upload(c.UserContext(), s.actor(c), fh.Filename, data)
	if err != nil {
		return workflowErr(err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": up.URL, "content_type": up.ContentType, "size": up.Size})
}

// media serves an uploaded image to a reader who may see a published page
// that shows it; until a page that is live shows it (a draft, a scheduled
// page), to the editorial roles, for previews. Anyone else gets the answer
// of an address that does not exist. Only an image that a page open to
// everyone shows may be kept by shared caches.
func (s *Server) media(c *fiber.Ctx) error {
	v := s.Viewer(c)
	notFound := func() error {
		if v.IsAnonymous() && s.SignIn != nil && wantsPage(c) {
			return c.Redirect(s.SignIn(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return fiber.ErrNotFound
	}
	m, err := s.Publishing.Media(c.UserContext(), c.Params("key"))
	if errors.Is(err, publishing.ErrNotFound) || (err == nil && m.Name != c.Params("name")) {
		return notFound()
	}
	if err != nil {
		return err
	}
	st := s.Sites.Current()
	if st == nil {
		return apiErr(fiber.StatusServiceUnavailable, "not_ready", "content is not loaded yet")
	}
	seen := st.Media(v, s.Clock.Now(), "/media/"+m.Key+"/"+m.Name)
	editorial := s.policy().May(v, access.EditContent)
	if !seen.Visible && (seen.Shown || !editorial) {
		return notFound()
	}
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'; sandbox")
	if seen.Public {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		// Asked again at every use, so a reader who loses access loses the image.
		etag := `"` + m.Key + `"`
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Vary(fiber.HeaderCookie)
		c.Set(fiber.HeaderETag, etag)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	c.Set(fiber.HeaderContentType, m.ContentType)
	return c.Send(m.Data)
}
