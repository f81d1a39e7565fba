package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

type staticFile struct {
	data  []byte
	etag  string
	ctype string
}

type staticFiles struct{ files map[string]staticFile }

// loadStatic reads every file of fsys once, with its ETag (content hash).
func loadStatic(fsys fs.FS) (*staticFiles, error) {
	st := &staticFiles{files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".pbf":
			ctype = "application/x-protobuf"
		case ".js", ".mjs":
			ctype = "text/javascript; charset=utf-8"
		case ".json":
			ctype = "application/json"
		}
		if ctype == "" {
			ctype = http.DetectContentType(data)
		}
		st.files[p] = staticFile{data, `"` + hex.EncodeToString(sum[:8]) + `"`, ctype}
		return nil
	})
	return st, err
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name, cacheControl string) {
	f, ok := s.static.files[name]
	if !ok || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".go") {
		s.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("Range") != "" {
		w = &rangeProblem{ResponseWriter: w, s: s, size: len(f.data)}
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// rangeProblem answers a Range the file cannot satisfy with a problem body
// (http.ServeContent writes plain text).
type rangeProblem struct {
	http.ResponseWriter
	s       *Server
	size    int
	problem bool
}

func (w *rangeProblem) WriteHeader(code int) {
	if code != http.StatusRequestedRangeNotSatisfiable {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.problem = true
	w.s.writeProblem(w.ResponseWriter, code, fmt.Sprintf("the range is past the end of the file (%d bytes)", w.size), "Range")
}

func (w *rangeProblem) Write(b []byte) (int, error) {
	if w.problem {
		return len(b), nil // ServeContent's plain-text message
	}
	return w.ResponseWriter.Write(b)
}

// countryPage serves the country atlas page for a country of the data, and
// 404 for any other code (or an image format the print maps do not draw): to
// a browser, the page itself with that status; to any other client, a
// problem body.
func (s *Server) countryPage() http.HandlerFunc {
	return s.checkedPage("country.html", func(snap *index.Snapshot, v map[string]string) bool {
		return snap.HasCountry(strings.ToUpper(v["country"]))
	}, func(v map[string]string) string {
		return fmt.Sprintf("no country %q in the atlas: use an ISO 3166-1 alpha-2 code (/atlas/JP), or .svg, .pdf, .png for a print map", v["country"])
	})
}

// directoryPage serves directory.html when exists says the path's place is
// in the snapshot (see checkedPage).
func (s *Server) directoryPage(exists func(snap *index.Snapshot, vars map[string]string) bool) http.HandlerFunc {
	return s.checkedPage("directory.html", exists, func(map[string]string) string { return "no such page in the atlas" })
}

// checkedPage serves the page name when exists says the place its path
// names is in the snapshot; else 404: the page itself to a browser (a
// reader who followed a stale link sees the page, whose script says what
// the atlas lacks, while the status tells crawlers and caches there is no
// such page), a problem body saying why to anyone else.
func (s *Server) checkedPage(name string, exists func(snap *index.Snapshot, vars map[string]string) bool, why func(vars map[string]string) string) http.HandlerFunc {
	page := s.page(name)
	return func(w http.ResponseWriter, r *http.Request) {
		v := mux.Vars(r)
		if snap := s.snaps.Current(); snap != nil && !exists(snap, v) {
			w.Header().Set("Vary", "Accept")
			if f, ok := s.static.files[name]; ok && strings.Contains(r.Header.Get("Accept"), "text/html") {
				w.Header().Set("Content-Type", f.ctype)
				w.Header().Set("Cache-Control", "public, max-age=60")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				w.WriteHeader(http.StatusNotFound)
				if r.Method != http.MethodHead {
					_, _ = w.Write(f.data)
				}
				return
			}
			s.writeProblem(w, http.StatusNotFound, why(v), "")
			return
		}
		page(w, r)
	}
}

// NotFound answers 404 with a problem body.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.router.NotFoundHandler.ServeHTTP(w, r)
}

// page serves an HTML page; its state lives in the URL's query, read by the
// page's script, so the page itself is the same for every query.
func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveFile(w, r, name, "public, max-age=60")
	}
}

// handleStatic serves /static/<path> (assets, vendored libraries, glyphs).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/"), "public, max-age=3600")
}
