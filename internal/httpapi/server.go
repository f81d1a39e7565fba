// Package httpapi is the atlas's HTTP layer: the router, one handler per
// resource, middleware (logging, recovery, gzip, conditional requests) and
// the mapping of errors to HTTP problems. It reads the current index snapshot
// through the small Snapshots interface it declares, so any store that can
// publish a snapshot (embedded files, PostgreSQL) serves the same answers.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/money"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
)

// Snapshots publishes the snapshot to serve. Current returns nil until the
// first snapshot is loaded (then /readyz answers 503 and data routes 503).
// index.Live implements it.
type Snapshots interface {
	Current() *index.Snapshot
}

// Statuser is optionally implemented by a Snapshots whose source can be
// degraded (a lost database): /readyz reports its status. ok=false with a
// snapshot loaded means "degraded": still serving the last snapshot.
type Statuser interface {
	Status() (ok bool, detail string)
}

// Options configures the HTTP layer.
type Options struct {
	// CacheControl is sent with every successful data response.
	CacheControl string
	// PublicURL, when set, is the external base URL used in links
	// (TileJSON tiles, next/prev). Otherwise it is derived from the request.
	PublicURL string
	// DefaultLimit and MaxLimit bound /geojson pages.
	DefaultLimit, MaxLimit int
	// Static holds the web pages and assets; nil serves none.
	Static fs.FS
	// Logger receives request logs and errors; nil discards them.
	Logger *slog.Logger
	// Declarations, when set, serves the write routes; nil answers 501.
	Declarations Declarations
	// PrintSlots bounds the print maps drawn at once, GeoPackageSlots the
	// GeoPackage files built at once (each takes a CPU, and a GeoPackage a
	// temporary file), FilterSlots the OGC items requests with a CQL2
	// filter evaluated at once; further requests wait up to SlotWait for a
	// slot, then get 503 with Retry-After.
	PrintSlots, GeoPackageSlots, FilterSlots int
	SlotWait                                 time.Duration
	// WritesPerSecond and WriteBurst bound the writes of one token (a
	// client address gets twice as much); AuthFailuresPerMinute bounds the
	// failed authentications of a client address, after which its write
	// requests get 429 without reaching the store.
	WritesPerSecond       float64
	WriteBurst            int
	AuthFailuresPerMinute float64
	// Metrics receives the server's metrics, and GET /metrics serves
	// all it holds; nil makes one with the Go runtime's and the
	// process's collectors (NewRegistry).
	Metrics *prometheus.Registry
}

// DefaultOptions returns the options used when a field is left zero.
func DefaultOptions() Options {
	return Options{
		CacheControl:    "public, max-age=300, stale-while-revalidate=60",
		DefaultLimit:    1000,
		MaxLimit:        10000,
		PrintSlots:      2,
		GeoPackageSlots: 2,
		FilterSlots:     4,
		SlotWait:        2 * time.Second,

		WritesPerSecond:       2,
		WriteBurst:            20,
		AuthFailuresPerMinute: 10,
	}
}

// Server is the atlas HTTP handler. It is safe for concurrent use.
type Server struct {
	snaps  Snapshots
	tiles  *tiles.Renderer
	opts   Options
	log    *slog.Logger
	router *mux.Router
	static *staticFiles
	// printSlots, gpkgSlots and filterSlots hold a token per print map,
	// GeoPackage and filtered items request being made (Options).
	printSlots, gpkgSlots, filterSlots *slots
	limits                             *writeLimits
	metrics                            *httpMetrics
	gatherer                           prometheus.Gatherer
	// money keeps the money side's ledger of the latest snapshots.
	money *money.Books
}

// New returns a Server serving the snapshots of snaps, rendering tiles with r.
func New(snaps Snapshots, r *tiles.Renderer, opts Options) (*Server, error) {
	def := DefaultOptions()
	if opts.CacheControl == "" {
		opts.CacheControl = def.CacheControl
	}
	if opts.DefaultLimit <= 0 {
		opts.DefaultLimit = def.DefaultLimit
	}
	if opts.MaxLimit <= 0 {
		opts.MaxLimit = def.MaxLimit
	}
	if opts.PrintSlots <= 0 {
		opts.PrintSlots = def.PrintSlots
	}
	if opts.FilterSlots <= 0 {
		opts.FilterSlots = def.FilterSlots
	}
	if opts.SlotWait <= 0 {
		opts.SlotWait = def.SlotWait
	}
	if opts.GeoPackageSlots <= 0 {
		opts.GeoPackageSlots = def.GeoPackageSlots
	}
	if opts.WritesPerSecond <= 0 {
		opts.WritesPerSecond = def.WritesPerSecond
	}
	if opts.WriteBurst <= 0 {
		opts.WriteBurst = def.WriteBurst
	}
	if opts.AuthFailuresPerMinute <= 0 {
		opts.AuthFailuresPerMinute = def.AuthFailuresPerMinute
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Logger = slog.New(idHandler{opts.Logger.Handler()})
	if opts.Metrics == nil {
		opts.Metrics = NewRegistry()
	}
	s := &Server{snaps: snaps, tiles: r, opts: opts, log: opts.Logger, gatherer: opts.Metrics,
		printSlots: newSlots(opts.PrintSlots, opts.SlotWait), gpkgSlots: newSlots(opts.GeoPackageSlots, opts.SlotWait),
		filterSlots: newSlots(opts.FilterSlots, opts.SlotWait), limits: newWriteLimits(opts),
		money: money.NewBooks()}
	m, err := newHTTPMetrics(opts.Metrics, s)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if opts.Static != nil {
		st, err := loadStatic(opts.Static)
		if err != nil {
			return nil, err
		}
		s.static = st
	}
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// handlerFunc is a handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error

// dataRoutes binds the atlas's own read routes.
func (s *Server) dataRoutes(b bindings) {
	s.get(b, "/tiles/{layers}/{z}/{x}/{y}.mvt", s.handleTile)
	s.get(b, "/tiles/{layers}.json", s.handleTileJSON)
	s.get(b, "/geojson/{layer}", s.handleGeoJSON)
	s.get(b, "/api/stats", s.handleStats)
	s.get(b, "/api/layers", s.handleLayers)
	s.get(b, "/api/sources", s.handleSources)
	s.get(b, "/api/facets", s.handleFacets)
	s.get(b, "/api/search", s.handleSearch)
	s.get(b, "/api/partnerships/{id}", s.handlePartnership)
}

// operationRoutes binds liveness, readiness, the pages and static files.
func (s *Server) operationRoutes(b bindings) {
	b.bind(http.MethodGet, "/healthz", binding{h: http.HandlerFunc(s.handleHealth)})
	b.bind(http.MethodGet, "/readyz", binding{h: http.HandlerFunc(s.handleReady)})
	b.bind(http.MethodGet, "/metrics", binding{h: s.handleMetrics()})
	if s.static == nil {
		return
	}
	b.bind(http.MethodGet, "/", binding{h: s.page("index.html")})
	b.bind(http.MethodGet, "/embed", binding{h: s.page("embed.html")})
	b.bind(http.MethodGet, "/atlas/{country}", binding{h: s.countryPage()})
	b.bind(http.MethodGet, "/collectivites/{id}", binding{h: s.directoryPage(func(snap *index.Snapshot, v map[string]string) bool { return snap.HasAuthority(v["id"]) })})
	b.bind(http.MethodGet, "/partenaires/{id}", binding{h: s.directoryPage(func(snap *index.Snapshot, v map[string]string) bool { return snap.HasPartner(v["id"]) })})
	b.bind(http.MethodGet, "/qui-coopere/{country}", binding{h: s.directoryPage(func(snap *index.Snapshot, v map[string]string) bool {
		c := strings.ToUpper(v["country"])
		return c != "FR" && snap.HasCountry(c)
	})})
	b.bind(http.MethodGet, "/analyses", binding{h: s.page("directory.html")})
	b.bind(http.MethodGet, "/bourse", binding{h: s.page("directory.html")})
	b.bind(http.MethodGet, "/bourse/{id}", binding{h: s.directoryPage(func(snap *index.Snapshot, v map[string]string) bool {
		return slices.ContainsFunc(snap.Dataset().Requests, func(r atlas.Request) bool { return r.ID == v["id"] })
	})})
	for _, p := range []string{"donnees", "accessibilite", "mentions-legales", "plan-du-site", "apd", "appels"} {
		b.bind(http.MethodGet, "/"+p, binding{h: s.page("pages/" + p + ".html")})
	}
	b.bind(http.MethodGet, "/extranet/apd", binding{h: s.page("pages/extranet-apd.html")})
	b.bind(http.MethodGet, "/extranet/appels", binding{h: s.page("pages/extranet-appels.html")})
	b.bind(http.MethodGet, "/static/{path}", binding{h: http.StripPrefix("/static/", http.HandlerFunc(s.handleStatic)), pattern: "/static/", prefix: true})
}

// ServeHTTP implements http.Handler with request ids, metrics, logging and
// recovery.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r)
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.metrics.inFlight.Inc()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", v)
			if !rec.wrote {
				s.writeProblem(rec, http.StatusInternalServerError, "internal error", "")
			}
		}
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
				slog.String("method", r.Method), slog.String("uri", r.URL.RequestURI()),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)))
		}
		s.metrics.inFlight.Dec()
		s.metrics.observe(r, rec, time.Since(start))
	}()
	if p := checkRequest(r); p != nil {
		s.writeProblemDoc(rec, *p)
		return
	}
	if p, ok := matchTile(r); ok {
		rec.route = tileRoute
		s.serveData(rec, r, func(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
			return s.serveTilePath(w, r, snap, p)
		})
		return
	}
	s.router.ServeHTTP(rec, r)
}

// data wraps a handler that needs the current snapshot.
func (s *Server) data(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveData(w, r, h) })
}

// serveData runs h on the current snapshot and writes its error.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, h handlerFunc) {
	snap := s.snaps.Current()
	if snap == nil {
		w.Header().Set("Retry-After", "1")
		s.writeProblemDoc(w, problem{Status: http.StatusServiceUnavailable, Detail: "data not loaded yet", reason: "not_ready"})
		return
	}
	if err := h(w, r, snap); err != nil {
		if rec, ok := w.(*statusRecorder); ok && rec.wrote {
			// The response has started: the client only sees a cut
			// body. A client that went away is routine, not an error.
			if r.Context().Err() == nil && !isClientGone(err) {
				s.log.ErrorContext(r.Context(), "response failed", "path", r.URL.Path, "err", err)
			}
			return
		}
		s.writeError(w, r, err)
	}
}

// problem is an RFC 9457 problem document; a rejected write body lists
// every bad field in Errors.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Param  string            `json:"param,omitempty"`
	Errors atlas.FieldErrors `json:"errors,omitempty"`
	// reason labels the problem in the metrics (atlas_http_rejected_total);
	// empty, it is derived from the status.
	reason string
}

// writeError is the one place where error kinds become statuses:
// validation errors (atlas.ParamError, atlas.ErrInvalid, atlas.FieldErrors)
// are written for users and sent as they are; the write path's kinds
// (atlas.ErrUnauthenticated, ErrForbidden, ErrConflict) keep their text;
// atlas.ErrUnavailable is 503 with Retry-After, its cause logged; not
// found → 404; a client that went away gets nothing; anything else is logged
// and hidden behind "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *atlas.ParamError
	var fe atlas.FieldErrors
	switch {
	case errors.Is(err, atlas.ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="atlas"`)
		s.writeProblem(w, http.StatusUnauthorized, err.Error(), "")
	case errors.Is(err, atlas.ErrForbidden):
		s.writeProblem(w, http.StatusForbidden, err.Error(), "")
	case errors.Is(err, atlas.ErrConflict):
		s.writeProblem(w, http.StatusConflict, err.Error(), "")
	case errors.As(err, &fe) && len(fe) > 0:
		s.writeProblemDoc(w, problem{Status: http.StatusUnprocessableEntity, Detail: fe.Error(), Param: fe[0].Field, Errors: fe})
	case errors.As(err, &pe):
		s.writeProblem(w, http.StatusBadRequest, pe.Error(), pe.Param)
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "2")
		s.writeProblemDoc(w, problem{Status: http.StatusServiceUnavailable, Detail: err.Error(), reason: "busy"})
	case isRateLimitedErr(err):
		wait, _ := isRateLimited(err)
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		s.writeProblemDoc(w, problem{Status: http.StatusTooManyRequests, Detail: err.Error(), reason: "rate_limited"})
	case errors.Is(err, atlas.ErrUnavailable):
		s.log.WarnContext(r.Context(), "write refused: store unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		s.writeProblemDoc(w, problem{Status: http.StatusServiceUnavailable, Detail: atlas.ErrUnavailable.Error(), reason: "store_unavailable"})
	case errors.Is(err, errUnsupportedMedia):
		s.writeProblem(w, http.StatusUnsupportedMediaType, err.Error(), "")
	case errors.Is(err, atlas.ErrInvalid):
		s.writeProblem(w, http.StatusBadRequest, err.Error(), "")
	case errors.Is(err, atlas.ErrNotFound):
		s.writeProblem(w, http.StatusNotFound, strings.TrimSuffix(err.Error(), ": "+atlas.ErrNotFound.Error())+": not found", "")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), isClientGone(err):
		if r.Context().Err() != nil || isClientGone(err) {
			return // the client went away
		}
		s.writeProblemDoc(w, problem{Status: http.StatusServiceUnavailable, Detail: "request timed out", reason: "timeout"})
	default:
		s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		s.writeProblem(w, http.StatusInternalServerError, "internal error", "")
	}
}

func (s *Server) writeProblem(w http.ResponseWriter, status int, detail, param string) {
	s.writeProblemDoc(w, problem{Status: status, Detail: detail, Param: param})
}

// writeProblemDoc sends p (its type and title filled in from its status).
func (s *Server) writeProblemDoc(w http.ResponseWriter, p problem) {
	if rec, ok := w.(*statusRecorder); ok && p.reason != "" {
		rec.reason = p.reason
	}
	h := w.Header()
	h.Del("ETag")
	h.Del("Content-Encoding")
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	p.Type, p.Title = "about:blank", http.StatusText(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// etag returns a strong ETag derived from the data version and the canonical
// request (path and canonical query); the gzip variant of a response (sent
// when r accepts gzip) gets its own tag.
func etag(r *http.Request, version, canonical string) string {
	return makeETag(version, canonical, acceptsGzip(r))
}

// makeETag is the ETag of canonical at version, of its gzip-encoded body
// when gz.
func makeETag(version, canonical string, gz bool) string {
	h := fnv.New64a()
	h.Write([]byte(canonical))
	b := make([]byte, 0, len(version)+24)
	b = append(append(append(b, '"'), version...), '-')
	b = strconv.AppendUint(b, h.Sum64(), 16)
	if gz {
		b = append(b, "-gz"...)
	}
	return string(append(b, '"'))
}

// notModified sets ETag and Cache-Control and answers 304 when the request's
// If-None-Match matches; it reports whether it did.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", s.opts.CacheControl)
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		// Weak comparison (RFC 9110, 13.1.2): W/ is ignored on both sides.
		opaque := strings.TrimPrefix(tag, "W/")
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
			if t == opaque || t == "*" {
				w.WriteHeader(http.StatusNotModified)
				return true
			}
		}
	}
	return false
}

// Prepare builds what the first requests on snap would otherwise build
// while they wait: its money ledger (the APD declarations and the calls,
// milliseconds on the embedded data, half a second at 100×). Serving calls
// it on the first snapshot and on each reloaded one before it is
// published; the ledgers of the two latest snapshots are kept.
func (s *Server) Prepare(snap *index.Snapshot) { s.money.For(snap) }

// baseURL returns the external base URL for links.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// parseFilter checks that q holds only filter parameters and extra, then
// parses the filter against snap's vocabulary.
func parseFilter(q url.Values, snap *index.Snapshot, extra ...string) (atlas.Filter, error) {
	if err := atlas.CheckParams(q, append(atlas.FilterParams(), extra...)...); err != nil {
		return atlas.Filter{}, err
	}
	return atlas.ParseFilter(q, snap)
}

// isClientGone reports whether err comes from writing to a client that
// closed its connection.
func isClientGone(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.Canceled)
}

// acceptsGzip reports whether the request names gzip with a q above 0
// (the dynamic answers are gzip or identity; "*" does not count).
func acceptsGzip(r *http.Request) bool {
	return codingQ(r.Header.Get("Accept-Encoding"))["gzip"] > 0
}

type statusRecorder struct {
	http.ResponseWriter
	route  string // the operation's OpenAPI path, "" until a route matches
	reason string // the problem's reason label, when it gave one
	status int
	bytes  int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
