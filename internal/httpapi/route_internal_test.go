package httpapi

import (
	"net/http"
	"net/url"
	pathpkg "path"
	"testing"

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
