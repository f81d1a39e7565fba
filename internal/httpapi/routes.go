package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/gorilla/mux"
)

// The routes are declared once, by ogcapi.Operations, which the OpenAPI
// document, its HTML page and the router all read. Each resource file binds
// its handlers to operations (method and OpenAPI path); routes then
// registers them on the router in the operations' order, which settles the
// one overlap (/atlas/{country}.{ext} before /atlas/{country}). An operation
// without a handler, or a handler without an operation, fails NewServer.

// binding is the handler of one operation and how the router matches it
// when its OpenAPI path is not a router pattern as it stands.
type binding struct {
	h       http.Handler
	pattern string   // router pattern, when it is not the OpenAPI path (a regexp)
	prefix  bool     // the pattern is a path prefix
	aliases []string // further patterns served by the same handler
}

// bindings collects the handlers of the resource files, keyed by
// "METHOD path".
type bindings map[string]binding

func (b bindings) bind(method, path string, h binding) {
	key := method + " " + path
	if _, dup := b[key]; dup {
		panic("httpapi: two handlers for " + key)
	}
	b[key] = h
}

// get binds a data handler (the snapshot of the request) to GET path;
// routes adds HEAD to every GET.
func (s *Server) get(b bindings, path string, h handlerFunc) {
	b.bind(http.MethodGet, path, binding{h: s.data(h)})
}

// routes builds the router from ogcapi.Operations and the handlers the
// resource files bind. Pages and static files are left out when the server
// has no static files.
func (s *Server) routes() error {
	b := bindings{}
	s.dataRoutes(b)
	s.directoryRoutes(b)
	s.bourseRoutes(b)
	s.moneyRoutes(b)
	s.ogcRoutes(b)
	s.exportRoutes(b)
	s.declarationRoutes(b)
	s.apdWriteRoutes(b)
	s.callWriteRoutes(b)
	s.sessionRoutes(b)
	s.operationRoutes(b)

	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, fmt.Errorf("path %q: %w", r.URL.Path, atlas.ErrNotFound))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed", "")
	})
	var missing []string
	for _, op := range ogcapi.Operations() {
		key := op.Method + " " + op.Path
		h, ok := b[key]
		delete(b, key)
		if op.Tag == ogcapi.TagPages && s.static == nil {
			continue
		}
		if !ok {
			missing = append(missing, key)
			continue
		}
		methods := []string{op.Method}
		if op.Method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		pattern := op.Path
		if h.pattern != "" {
			pattern = h.pattern
		}
		hh := labelRoute(op.Path, h.h)
		for _, p := range append([]string{pattern}, h.aliases...) {
			if h.prefix {
				r.PathPrefix(p).Handler(hh).Methods(methods...)
			} else {
				r.Handle(p, hh).Methods(methods...)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("httpapi: operations without a handler: %s", strings.Join(missing, ", "))
	}
	if len(b) > 0 {
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return fmt.Errorf("httpapi: handlers for no operation of ogcapi.Operations: %s", strings.Join(keys, ", "))
	}
	s.router = r
	return nil
}

// tileRoute is the operation of the tile path ServeHTTP matches itself.
const tileRoute = "/tiles/{layers}/{z}/{x}/{y}.mvt"

// labelRoute makes h record route, its operation's OpenAPI path, for the
// metrics of the request.
func labelRoute(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*statusRecorder); ok {
			rec.route = route
		}
		h.ServeHTTP(w, r)
	})
}
