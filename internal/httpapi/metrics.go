package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// What the server says of itself, on GET /metrics in the Prometheus text
// format: requests by route (the operation's OpenAPI path, so that the
// labels stay few whatever the paths asked), method and status; latency
// histograms by route; requests in flight; problems sent, by reason; what
// each cache of the memory budget holds and has done; the snapshot served.
// The process's owner (atlas serve) adds the Go runtime, the process and
// the database through Options.Metrics.

// routeUnmatched labels the requests no operation matched.
const routeUnmatched = "unmatched"

// httpMetrics are the request metrics of one Server.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	rejected *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer, s *Server) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlas_http_requests_total", Help: "HTTP requests answered, by route (OpenAPI path), method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "atlas_http_request_duration_seconds", Help: "Time from the request's headers to the end of its response, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atlas_http_requests_in_flight", Help: "Requests being answered.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atlas_http_rejected_total", Help: "Problem responses (4xx and 5xx), by status code and reason.",
		}, []string{"code", "reason"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight, m.rejected, budgetCollector{s.tiles.Budget()}, snapshotCollector{s}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe records one answered request.
func (m *httpMetrics) observe(r *http.Request, rec *statusRecorder, took time.Duration) {
	route := rec.route
	if route == "" {
		route = routeUnmatched
	}
	code := strconv.Itoa(rec.status)
	m.requests.WithLabelValues(route, methodLabel(r.Method), code).Inc()
	m.duration.WithLabelValues(route).Observe(took.Seconds())
	if rec.status >= 400 {
		reason := rec.reason
		if reason == "" {
			reason = reasonOf(rec.status)
		}
		m.rejected.WithLabelValues(code, reason).Inc()
	}
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodPatch, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// reasonOf is the reason label of a problem with that status when its
// writer gave none.
func reasonOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusUnprocessableEntity:
		return "invalid_body"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusInternalServerError:
		return "internal"
	}
	if status >= 500 {
		return "server_error"
	}
	return "client_error"
}

// handleMetrics serves GET /metrics.
func (s *Server) handleMetrics() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError), MaxRequestsInFlight: 2,
	})
}

// NewRegistry returns a registry holding the Go runtime's and the
// process's collectors, for Options.Metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

var (
	descBudget = prometheus.NewDesc("atlas_memory_budget_bytes", "Bytes the caches growing with the variety of requests may hold (--memory-budget).", nil, nil)
	descUsed   = prometheus.NewDesc("atlas_memory_used_bytes", "Bytes the caches hold, pinned ones included: the budget bounds used minus pinned.", nil, nil)
	descPinned = prometheus.NewDesc("atlas_memory_pinned_bytes", "Bytes of the unfiltered view's structures, kept outside the budget.", nil, nil)
	descBytes  = prometheus.NewDesc("atlas_cache_bytes", "Bytes one cache holds.", []string{"cache"}, nil)
	descEnt    = prometheus.NewDesc("atlas_cache_entries", "Entries one cache holds.", []string{"cache"}, nil)
	descHits   = prometheus.NewDesc("atlas_cache_hits_total", "Lookups that found their entry.", []string{"cache"}, nil)
	descMisses = prometheus.NewDesc("atlas_cache_misses_total", "Lookups that did not.", []string{"cache"}, nil)
	descEvict  = prometheus.NewDesc("atlas_cache_evictions_total", "Entries evicted to keep the budget.", []string{"cache"}, nil)
	descSnap   = prometheus.NewDesc("atlas_snapshot_info", "The data version served (1), or nothing before the first load.", []string{"version"}, nil)
)

// budgetCollector reads the memory budget's statistics at each scrape.
type budgetCollector struct{ b *cache.Budget }

func (c budgetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBudget, descUsed, descPinned, descBytes, descEnt, descHits, descMisses, descEvict} {
		ch <- d
	}
}

func (c budgetCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBudget, prometheus.GaugeValue, float64(c.b.Max()))
	ch <- prometheus.MustNewConstMetric(descUsed, prometheus.GaugeValue, float64(c.b.Used()))
	ch <- prometheus.MustNewConstMetric(descPinned, prometheus.GaugeValue, float64(c.b.Pinned()))
	for _, st := range c.b.Stats() {
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(st.Bytes), st.Name)
		ch <- prometheus.MustNewConstMetric(descEnt, prometheus.GaugeValue, float64(st.Entries), st.Name)
		ch <- prometheus.MustNewConstMetric(descHits, prometheus.CounterValue, float64(st.Hits), st.Name)
		ch <- prometheus.MustNewConstMetric(descMisses, prometheus.CounterValue, float64(st.Misses), st.Name)
		ch <- prometheus.MustNewConstMetric(descEvict, prometheus.CounterValue, float64(st.Evictions), st.Name)
	}
}

// snapshotCollector reports the version served.
type snapshotCollector struct{ s *Server }

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descSnap }

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	if snap := c.s.snaps.Current(); snap != nil {
		ch <- prometheus.MustNewConstMetric(descSnap, prometheus.GaugeValue, 1, snap.Version())
	}
}

// Request ids: every response carries X-Request-Id, the client's own when
// it sent a usable one (a proxy's), else one made here; the logs of the
// request carry it too.

type requestIDKey struct{}

// idPrefix makes this process's ids unlike another replica's; idSeq
// numbers the requests.
var (
	idPrefix = func() string {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}()
	idSeq atomic.Uint64
)

// requestID returns the id of r: its X-Request-Id when it is 1 to 64
// characters of [A-Za-z0-9._-], else a new one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && idChars(id) {
		return id
	}
	return idPrefix + "-" + strconv.FormatUint(idSeq.Add(1), 36)
}

func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// idHandler adds the request id of the context to every record.
type idHandler struct{ slog.Handler }

func (h idHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h idHandler) WithAttrs(as []slog.Attr) slog.Handler { return idHandler{h.Handler.WithAttrs(as)} }
func (h idHandler) WithGroup(g string) slog.Handler       { return idHandler{h.Handler.WithGroup(g)} }
