package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
)

func getStatic(t *testing.T, h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeBody(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStaticEncoding checks Accept-Encoding negotiation on a precompressed
// asset and on a page (compressed on first use).
func TestStaticEncoding(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	for _, path := range []string{"/static/js/core.js", "/embed"} {
		identity := getStatic(t, srv, http.MethodGet, path)
		if identity.Code != 200 || identity.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s without Accept-Encoding: %d %q", path, identity.Code, identity.Header().Get("Content-Encoding"))
		}
		tags := map[string]string{}
		for _, c := range []struct{ accept, want string }{
			{"", ""},
			{"br", "br"},
			{"gzip", "gzip"},
			{"gzip, deflate, br, zstd", "br"},
			{"gzip;q=1, br;q=0.5", "gzip"},
			{"br;q=0, gzip", "gzip"},
			{"br;q=0, gzip;q=0", ""},
			{"x-gzip", "gzip"},
			{"*", "br"},
			{"*;q=0.5, br;q=0", "gzip"},
			{"*;q=0", ""}, // nothing acceptable: identity all the same
			{"identity", ""},
			{"deflate, zstd", ""},
			{"GZIP;Q=0.8, identity;q=0.5", "gzip"},
			{"gzip;q=0.8", ""}, // identity, not named, has q=1
		} {
			rec := getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", c.accept)
			h := rec.Header()
			if rec.Code != 200 || h.Get("Content-Encoding") != c.want {
				t.Errorf("%s, Accept-Encoding %q: %d, Content-Encoding %q, want %q", path, c.accept, rec.Code, h.Get("Content-Encoding"), c.want)
				continue
			}
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s, Accept-Encoding %q: Vary %q", path, c.accept, h.Values("Vary"))
			}
			if h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("%s, Accept-Encoding %q: Content-Length %q for %d bytes", path, c.accept, h.Get("Content-Length"), rec.Body.Len())
			}
			if got := decodeBody(t, c.want, rec.Body.Bytes()); !bytes.Equal(got, identity.Body.Bytes()) {
				t.Errorf("%s, %s: does not decode to the identity body", path, c.want)
			}
			if c.want != "" && rec.Body.Len() >= identity.Body.Len() {
				t.Errorf("%s, %s: %d bytes, identity %d", path, c.want, rec.Body.Len(), identity.Body.Len())
			}
			if old, ok := tags[c.want]; ok && old != h.Get("ETag") {
				t.Errorf("%s, %s: ETag %s then %s", path, c.want, old, h.Get("ETag"))
			}
			tags[c.want] = h.Get("ETag")
		}
		if len(tags) != 3 || tags[""] == tags["br"] || tags[""] == tags["gzip"] || tags["br"] == tags["gzip"] {
			t.Errorf("%s: want one ETag per encoding, got %v", path, tags)
		}
		// 304 per representation.
		for enc, tag := range tags {
			accept := map[string]string{"": "identity", "br": "br", "gzip": "gzip"}[enc]
			rec := getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", accept, "If-None-Match", tag)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != tag {
				t.Errorf("%s, %q with its ETag %s: %d, ETag %s, %d bytes", path, accept, tag, rec.Code, rec.Header().Get("ETag"), rec.Body.Len())
			}
			other := map[string]string{"": "br", "br": "gzip", "gzip": "identity"}[enc]
			if rec := getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", other, "If-None-Match", tag); rec.Code != 200 {
				t.Errorf("%s, %q with the ETag of %q: %d, want 200", path, other, accept, rec.Code)
			}
		}
		// HEAD: the headers of GET, no body.
		for _, accept := range []string{"br", "gzip", ""} {
			get := getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", accept)
			head := getStatic(t, srv, http.MethodHead, path, "Accept-Encoding", accept)
			if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") ||
				head.Header().Get("Content-Encoding") != get.Header().Get("Content-Encoding") || head.Header().Get("ETag") != get.Header().Get("ETag") {
				t.Errorf("HEAD %s %q: %d, %d bytes, headers %v; GET's %v", path, accept, head.Code, head.Body.Len(), head.Header(), get.Header())
			}
		}
		// Range: the identity's bytes.
		rec := getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", "br, gzip", "Range", "bytes=0-9")
		if rec.Code != http.StatusPartialContent || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), identity.Body.Bytes()[:10]) ||
			rec.Header().Get("ETag") != tags[""] {
			t.Errorf("%s, Range bytes=0-9: %d %q %q", path, rec.Code, rec.Header().Get("Content-Encoding"), rec.Body.String())
		}
		rec = getStatic(t, srv, http.MethodGet, path, "Accept-Encoding", "br", "Range", "bytes=99999999-")
		if rec.Code != http.StatusRequestedRangeNotSatisfiable || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s, Range past the end: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

var staticRefRE = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)

// TestStaticFingerprints checks that every page's /static/ references are
// fingerprinted URLs answering 200, immutable, with the file's bytes;
// that the plain URL keeps its hour; and that a fingerprint of another
// build gets the current file, briefly cached.
func TestStaticFingerprints(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	pages := []string{"/", "/embed?country=JP", "/atlas/JP", "/collectivites/69123", "/partenaires/NOPE", "/qui-coopere/DE", "/analyses", "/bourse", "/atlas/ZZ"}
	seen := 0
	for _, p := range pages {
		page := getStatic(t, srv, http.MethodGet, p, "Accept", "text/html")
		if page.Code != 200 && page.Code != 404 {
			t.Fatalf("%s: %d", p, page.Code)
		}
		refs := staticRefRE.FindAllStringSubmatch(page.Body.String(), -1)
		if len(refs) == 0 {
			t.Errorf("%s: no /static/ reference", p)
		}
		for _, m := range refs {
			u := m[1]
			rec := getStatic(t, srv, http.MethodGet, u, "Accept-Encoding", "br")
			if rec.Code != 200 {
				t.Errorf("%s references %s: %d", p, u, rec.Code)
				continue
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("%s references %s: Cache-Control %q (not fingerprinted?)", p, u, cc)
			}
			plain := regexp.MustCompile(`\.[0-9a-f]{12}(\.[a-z0-9]+)$`).ReplaceAllString(u, "$1")
			if plain == u {
				t.Errorf("%s: %s is not fingerprinted", p, u)
				continue
			}
			pr := getStatic(t, srv, http.MethodGet, plain, "Accept-Encoding", "br")
			if pr.Code != 200 || pr.Header().Get("Cache-Control") != "public, max-age=3600" || !bytes.Equal(pr.Body.Bytes(), rec.Body.Bytes()) ||
				pr.Header().Get("ETag") != rec.Header().Get("ETag") {
				t.Errorf("%s: %d %q, or not the bytes of %s", plain, pr.Code, pr.Header().Get("Cache-Control"), u)
			}
			stale := plain[:strings.LastIndex(plain, ".")] + ".000000000000" + plain[strings.LastIndex(plain, "."):]
			sr := getStatic(t, srv, http.MethodGet, stale, "Accept-Encoding", "br")
			if sr.Code != 200 || sr.Header().Get("Cache-Control") != "public, max-age=60" || !bytes.Equal(sr.Body.Bytes(), rec.Body.Bytes()) {
				t.Errorf("%s: %d %q, want the current file for a minute", stale, sr.Code, sr.Header().Get("Cache-Control"))
			}
			seen++
		}
	}
	if seen < 20 {
		t.Errorf("only %d references checked", seen)
	}
	for _, p := range []string{"/static/js/core.000000000000", "/static/js/nope.0123456789ab.js", "/static/js/core.js.br", "/static/js/core.js.gz", "/static/js/core.0123456789.js"} {
		if rec := getStatic(t, srv, http.MethodGet, p); rec.Code != 404 {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}
