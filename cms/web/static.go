package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

type staticFile struct {
	body  []byte
	hash  string
	ctype string
}

// staticFile reads a theme file once and keeps it with its checksum.
func (s *Server) staticFile(name string) (*staticFile, bool) {
	if f, ok := s.static.Load(name); ok {
		return f.(*staticFile), true
	}
	if !fs.ValidPath(name) || strings.Contains(name, "..") {
		return nil, false
	}
	body, err := fs.ReadFile(s.Theme, "static/"+name)
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256(body)
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	f := &staticFile{body: body, hash: hex.EncodeToString(sum[:])[:12], ctype: ctype}
	s.static.Store(name, f)
	return f, true
}

// staticURL is the address of a theme file, with its checksum so that it can
// be cached for a year and still change at once when the theme does.
func (s *Server) staticURL(name string) string {
	if f, ok := s.staticFile(name); ok {
		return "/static/" + name + "?v=" + f.hash
	}
	return "/static/" + name
}

func (s *Server) serveStatic(c *fiber.Ctx) error {
	f, ok := s.staticFile(c.Params("*"))
	if !ok {
		return fiber.ErrNotFound
	}
	etag := `"` + f.hash + `"`
	c.Set(fiber.HeaderETag, etag)
	if c.Query("v") == f.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, no-cache")
	}
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	return c.Send(f.body)
}
