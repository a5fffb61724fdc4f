package web

import (
	"bytes"
	"net"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// netHTTP serves a net/http handler inside fiber. Unlike fiber's own
// adaptor it copies every byte of the request first: fasthttp reuses its
// buffers after a request ends, and a handler that keeps a string from the
// request (an OpenID provider keeps the whole authorization request) would
// otherwise find it changed under it.
func netHTTP(h http.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body := bytes.Clone(c.Body())
		req, err := http.NewRequestWithContext(c.UserContext(), string(c.Method()), string(c.Request().URI().FullURI()), bytes.NewReader(body))
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "malformed request")
		}
		req.RequestURI = string(c.Request().RequestURI())
		req.ContentLength = int64(len(body))
		req.Host = string(c.Request().Host())
		c.Request().Header.VisitAll(func(k, v []byte) {
			req.Header.Add(string(k), string(v))
		})
		req.RemoteAddr = (&net.TCPAddr{IP: c.Context().RemoteIP()}).String()
		w := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		h.ServeHTTP(w, req)
		for k, vs := range w.header {
			for i, v := range vs {
				if i == 0 {
					c.Set(k, v)
				} else {
					c.Append(k, v)
				}
			}
		}
		return c.Status(w.status).Send(w.body.Bytes())
	}
}

type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header { return w.header }

func (w *bufferedResponse) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
}

func (w *bufferedResponse) Write(b []byte) (int, error) {
	w.wrote = true
	return w.body.Write(b)
}
