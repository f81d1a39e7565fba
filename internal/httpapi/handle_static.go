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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atlas-cooperation/atlas/internal/assets"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

// staticFile is one embedded file: its bytes, its compressed forms and its
// fingerprint (the start of its SHA-256, put in its immutable URL).
type staticFile struct {
	data  []byte
	etag  string
	hash  string
	ctype string
	br    []byte // precompressed forms (nil: none)
	gz    []byte
	// forms compresses an HTML page once, on first use: the pages are
	// rewritten at load (fingerprinted references), so have no build-time
	// forms.
	forms func() [2][]byte
}

type staticFiles struct {
	files map[string]*staticFile
}

// hashLen is the length of a fingerprint (hex digits) in an asset's URL.
const hashLen = 12

// Cache policies of the static files.
const (
	cacheImmutable = "public, max-age=31536000, immutable" // /static/<dir>/<name>.<hash>.<ext>, hash current
	cacheStatic    = "public, max-age=3600"                // /static/<path>
	cacheStaleHash = "public, max-age=60"                  // a fingerprint of an earlier build: the current file, briefly
	cachePage      = "public, max-age=60"
)

// staticRef is a /static/ reference in an HTML attribute.
var staticRef = regexp.MustCompile(`((?:src|href)=")/static/([^"?#]+)"`)

// loadStatic reads every file of fsys once, with its ETag (content hash),
// pairs it with its precompressed forms (name.br, name.gz, see
// internal/assets) and rewrites the HTML files' /static/ references
// to fingerprinted URLs.
func loadStatic(fsys fs.FS) (*staticFiles, error) {
	st := &staticFiles{files: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || assets.IsForm(p) {
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
		f := &staticFile{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, hash: hex.EncodeToString(sum[:hashLen/2]), ctype: ctype}
		// A form is used only when smaller; the test of static/ checks
		// that each decompresses to its source.
		if b, err := fs.ReadFile(fsys, p+".br"); err == nil && len(b) < len(data) {
			f.br = b
		}
		if b, err := fs.ReadFile(fsys, p+".gz"); err == nil && len(b) < len(data) {
			f.gz = b
		}
		st.files[p] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p, f := range st.files {
		if path.Ext(p) != ".html" {
			continue
		}
		f.data = staticRef.ReplaceAllFunc(f.data, func(m []byte) []byte {
			sub := staticRef.FindSubmatch(m)
			if u := st.url(string(sub[2])); u != "" {
				return append(append(sub[1], u...), '"')
			}
			return m
		})
		sum := sha256.Sum256(f.data)
		f.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		f.br, f.gz = nil, nil
		data := f.data
		f.forms = sync.OnceValue(func() [2][]byte {
			return [2][]byte{assets.Brotli(data), assets.Gzip(data)}
		})
	}
	return st, nil
}

// url returns the fingerprinted URL of the file name
// (/static/<dir>/<name>.<hash>.<ext>), "" when there is none.
func (st *staticFiles) url(name string) string {
	f, ok := st.files[name]
	if !ok {
		return ""
	}
	dir, base := path.Split(name)
	ext := path.Ext(base)
	return "/static/" + dir + strings.TrimSuffix(base, ext) + "." + f.hash + ext
}

// lookup finds the file of a /static/ path: the file itself
// (cacheStatic), or a fingerprinted name of it (cacheImmutable when the
// fingerprint is the current one, cacheStaleHash for another: a page
// cached before a deploy still gets its assets, the current ones).
func (st *staticFiles) lookup(name string) (*staticFile, string) {
	if f, ok := st.files[name]; ok {
		return f, cacheStatic
	}
	dir, base := path.Split(name)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	hash := path.Ext(stem)
	if len(hash) != hashLen+1 || !isHex(hash[1:]) {
		return nil, ""
	}
	f, ok := st.files[dir+strings.TrimSuffix(stem, hash)+ext]
	if !ok {
		return nil, ""
	}
	if hash[1:] == f.hash {
		return f, cacheImmutable
	}
	return f, cacheStaleHash
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// encodedForms returns f's brotli and gzip forms (nil: none).
func (f *staticFile) encodedForms() (br, gz []byte) {
	if f.forms != nil {
		b := f.forms()
		return b[0], b[1]
	}
	return f.br, f.gz
}

// codingQ parses Accept-Encoding: each named coding's q-value (x-gzip is
// gzip; a malformed or out-of-range q is 0, a refusal).
func codingQ(header string) map[string]float64 {
	q := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		if coding == "x-gzip" {
			coding = "gzip"
		}
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				v = f
			}
		}
		q[coding] = v
	}
	return q
}

// acceptEncoding returns the encoding of Accept-Encoding's choice among
// br, gzip and identity ("" for identity): the highest q-value, ties going
// to br, then gzip, then identity; a coding that is not named gets the q
// of "*", else 0 (identity: 1). q=0 refuses. When everything is refused,
// identity.
func acceptEncoding(header string, br, gz bool) string {
	q := codingQ(header)
	qOf := func(c string) float64 {
		if v, ok := q[c]; ok {
			return v
		}
		if v, ok := q["*"]; ok {
			return v
		}
		if c == "identity" {
			return 1
		}
		return 0
	}
	best, bestQ := "", qOf("identity")
	if gz && qOf("gzip") > 0 && qOf("gzip") >= bestQ {
		best, bestQ = "gzip", qOf("gzip")
	}
	if br && qOf("br") > 0 && qOf("br") >= bestQ {
		best = "br"
	}
	return best
}

// serveFile serves the /static/ file or page name.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name, cacheControl string) {
	f, ok := s.static.files[name]
	if !ok || strings.HasSuffix(name, ".go") {
		s.NotFound(w, r)
		return
	}
	s.serveStatic(w, r, f, cacheControl, http.StatusOK)
}

// serveStatic writes f with status: the representation Accept-Encoding
// prefers (Vary: Accept-Encoding), each with its own ETag so that a 304
// answers for the one the client holds; a Range request gets the
// identity, through http.ServeContent. A status other than 200 (the 404
// page) has no ETag and no conditional answer.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request, f *staticFile, cacheControl string, status int) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Add("Vary", "Accept-Encoding")
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	body, enc := f.data, ""
	if r.Header.Get("Range") == "" {
		br, gz := f.encodedForms()
		switch enc = acceptEncoding(r.Header.Get("Accept-Encoding"), br != nil, gz != nil); enc {
		case "br":
			body = br
		case "gzip":
			body = gz
		}
	}
	if enc == "" && status == http.StatusOK {
		h.Set("ETag", f.etag)
		if r.Header.Get("Range") != "" {
			w = &rangeProblem{ResponseWriter: w, s: s, size: len(f.data)}
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
		return
	}
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	if status == http.StatusOK {
		tag := strings.TrimSuffix(f.etag, `"`) + "-" + map[string]string{"br": "br", "gzip": "gz"}[enc] + `"`
		h.Set("ETag", tag)
		if ifNoneMatch(r.Header.Get("If-None-Match"), tag) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// ifNoneMatch reports whether the If-None-Match header matches tag (weak
// comparison, RFC 9110 13.1.2).
func ifNoneMatch(inm, tag string) bool {
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
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
				s.serveStatic(w, r, f, cachePage, http.StatusNotFound)
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
		s.serveFile(w, r, name, cachePage)
	}
}

// handleStatic serves /static/<path> (assets, vendored libraries, glyphs),
// and /static/<dir>/<name>.<hash>.<ext>, the fingerprinted URL the pages
// use (see lookup).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	f, cc := s.static.lookup(strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/"))
	if f == nil {
		s.NotFound(w, r)
		return
	}
	s.serveStatic(w, r, f, cc, http.StatusOK)
}
