package web

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what /metrics tells Prometheus.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	search   prometheus.Histogram
	feedback *prometheus.CounterVec
}

func (s *Server) newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "torg_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "torg_http_request_duration_seconds", Help: "Time to answer, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		search: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "torg_search_duration_seconds", Help: "Time the index took to answer a search.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "torg_feedback_answers_total", Help: `Answers to "Was this page helpful?" taken by this instance.`,
		}, []string{"helpful"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.search, m.feedback,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_content_pages", Help: "Pages in the current site, visible or not."},
		func() float64 { return float64(s.Sites.Current().Len()) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_search_index_documents", Help: "Documents in the search index."},
		func() float64 { return float64(s.index.Len()) }))
	if s.Auth != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_sessions", Help: "Sessions stored (shared by every instance on one database)."},
			func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				n, err := s.Auth.Sessions(ctx)
				if err != nil {
					return -1
				}
				return float64(n)
			}))
	}
	if s.Links != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_external_links_failing", Help: "External links that failed when last checked."},
			func() float64 { _, broken := s.Links.Counts(); return float64(broken) }))
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_external_links_ok", Help: "External links that answered when last checked."},
			func() float64 { ok, _ := s.Links.Counts(); return float64(ok) }))
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "torg_tiles_failing", Help: "Tiles whose health check failed last time."},
		func() float64 { return float64(s.board.FailingCount()) }))
	return m
}

// observe counts one answered request.
func (m *metrics) observe(c *fiber.Ctx, took time.Duration) {
	route := c.Route().Path
	if route == "/*" || route == "" {
		route = "other" // page addresses are content, not routes: one series for all
	}
	// Label values outlive the request, and fiber's strings point into
	// buffers the next request reuses: the method is copied.
	m.requests.WithLabelValues(route, strings.Clone(c.Method()), strconv.Itoa(c.Response().StatusCode())).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// serveMetrics is GET /metrics: for a bearer of --metrics-token, or, when
// no token is set, for requests from this machine only.
func (s *Server) serveMetrics() fiber.Handler {
	h := netHTTP(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		if !s.operator(c) {
			if s.MetricsToken != "" {
				return apiErr(fiber.StatusUnauthorized, "unauthorized", "send the metrics token as: Authorization: Bearer <token>")
			}
			return fiber.ErrNotFound
		}
		return h(c)
	}
}

// operator tells whether the request may read how the instance is doing:
// it bears --metrics-token, or, when no token is set, comes from this machine.
func (s *Server) operator(c *fiber.Ctx) bool {
	if tok := s.MetricsToken; tok != "" {
		got, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		return subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1
	}
	return s.clientIP(c).IsLoopback()
}
