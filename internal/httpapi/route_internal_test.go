package httpapi

import (
	"net/http"
	"net/url"
	pathpkg "path"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	staticfs "github.com/atlas-cooperation/atlas/static"
	"github.com/gorilla/mux"
)

// FuzzMatchTile checks that the tile route's fast path matches exactly what
// the router's tile route matches, with the same variables.
func FuzzMatchTile(f *testing.F) {
	for _, p := range []string{
		"/tiles/partnerships/5/16/11.mvt", "/tiles/a,b/0/0/0.mvt", "/tiles/a/1/2/3.mvt.mvt",
		"/tiles/a/1/2/.mvt", "/tiles//1/2/3.mvt", "/tiles/a/1/2/3/4.mvt", "/tiles/a/1/2.mvt",
		"/tiles/a/./2/3.mvt", "/tiles/a/../2/3.mvt", "/tiles/a/1/2/3.json", "/tiles/a.json",
		"/tile/a/1/2/3.mvt", "/tiles/a/1/2/3.mvt/", "/tiles/é/1/2/3.mvt", "/tiles/a/1/2/..mvt",
	} {
		f.Add(http.MethodGet, p)
	}
	f.Add(http.MethodPost, "/tiles/partnerships/5/16/11.mvt")
	f.Add(http.MethodHead, "/tiles/partnerships/5/16/11.mvt")
	router := mux.NewRouter()
	route := router.Handle("/tiles/{layers}/{z}/{x}/{y}.mvt", http.NotFoundHandler()).Methods(http.MethodGet, http.MethodHead)
	f.Fuzz(func(t *testing.T, method, path string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: path}}
		p, ok := matchTile(r)
		var m mux.RouteMatch
		// The router redirects unclean paths before matching: the fast
		// path must leave those to it.
		want := router.Match(r, &m) && m.Route == route && m.MatchErr == nil && pathpkg.Clean(path) == path
		if ok != want {
			t.Fatalf("%s %q: fast path %v, router %v", method, path, ok, want)
		}
		if ok && (p.layers != m.Vars["layers"] || p.z != m.Vars["z"] || p.x != m.Vars["x"] || p.y != m.Vars["y"]) {
			t.Fatalf("%s %q: fast path %+v, router %v", method, path, p, m.Vars)
		}
	})
}

// TestRoutesAreTheOperations checks that the router serves exactly the
// operations of ogcapi.Operations, the list the OpenAPI document is made
// of: a request for each operation, its path parameters filled in, is
// matched by the route registered for that operation; every route of the
// router belongs to an operation; a server without static files serves no
// page.
func TestRoutesAreTheOperations(t *testing.T) {
	sample := strings.NewReplacer("{layers}", "partnerships", "{layer}", "partners", "{z}", "3", "{x}", "4", "{y}", "2",
		"{id}", "FRTW00044", "{ext}", "svg", "{country}", "JP", "{path}", "js/atlas.js", "{collectionId}", "partnerships",
		"{featureId}", "FRTW00044", "{tileMatrixSetId}", "WebMercatorQuad", "{tileMatrix}", "3", "{tileRow}", "2", "{tileCol}", "4")
	for _, static := range []bool{true, false} {
		opts := Options{}
		if static {
			opts.Static = staticfs.FS()
		}
		s, err := New(index.NewLive(testkit.Snapshot(t)), tiles.NewRenderer(tiles.Options{CacheBytes: 1 << 20}), opts)
		if err != nil {
			t.Fatal(err)
		}
		ops := ogcapi.Operations()
		if len(ops) < 30 {
			t.Fatalf("%d operations", len(ops))
		}
		routeOf := map[*mux.Route]string{} // route → operation
		for _, op := range ops {
			path := sample.Replace(op.Path)
			if op.Path == "/atlas/{country}" {
				path = "/atlas/jp" // not a print map: no extension
			}
			r := &http.Request{Method: op.Method, URL: &url.URL{Path: path}}
			var m mux.RouteMatch
			matched := s.router.Match(r, &m) && m.MatchErr == nil
			if page := op.Tag == ogcapi.TagPages; page && !static {
				if matched {
					t.Errorf("without static files, %s %s is served", op.Method, path)
				}
				continue
			}
			if !matched {
				t.Errorf("%s %s (%s) is not routed: %v", op.Method, path, op.Path, m.MatchErr)
				continue
			}
			if prev, dup := routeOf[m.Route]; dup && prev != op.Method+" "+op.Path {
				t.Errorf("%s %s is routed to %s's route", op.Method, op.Path, prev)
			}
			routeOf[m.Route] = op.Method + " " + op.Path
		}
		err = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
			if _, ok := routeOf[route]; !ok {
				tpl, _ := route.GetPathTemplate()
				if tpl != ogcapi.Prefix+"/" { // the landing page's alias
					t.Errorf("route %s serves no operation", tpl)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
