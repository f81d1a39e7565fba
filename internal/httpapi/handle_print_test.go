package httpapi_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
	"regexp"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
)

func TestPrintMaps(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	rec := get(t, srv, "/atlas/jp.png?width=800px&height=600px&dpi=100&kind=jumelage")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 600 {
		t.Errorf("PNG %v, want 800 × 600", b)
	}
	for path, want := range map[string]struct {
		code  int
		param string
	}{
		"/atlas/JP.svg":                                {http.StatusOK, ""},
		"/atlas/JP.pdf?width=420&height=297mm":         {http.StatusOK, ""},
		"/atlas/JP.png?width=10":                       {http.StatusBadRequest, "width"},
		"/atlas/JP.png?height=abc":                     {http.StatusBadRequest, "height"},
		"/atlas/JP.png?dpi=9000":                       {http.StatusBadRequest, "dpi"},
		"/atlas/JP.png?dpi=600&width=1200&height=1200": {http.StatusBadRequest, "dpi"},
		"/atlas/JP.png?colour=red":                     {http.StatusBadRequest, "colour"},
		"/atlas/ZZ.png":                                {http.StatusNotFound, ""},
		"/atlas/JP.gif":                                {http.StatusNotFound, ""}, // not a print format, not a country
	} {
		rec := get(t, srv, path)
		if rec.Code != want.code {
			t.Errorf("GET %s = %d, want %d: %.200s", path, rec.Code, want.code, rec.Body)
			continue
		}
		if want.param != "" {
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Param != want.param {
				t.Errorf("GET %s: %+v, want param %q", path, p, want.param)
			}
		}
	}
}

// TestPrintMapETag checks that a print map's ETag is one well-formed
// strong tag, the same with or without gzip (print maps are sent as they
// are), that it revalidates, and that it stands for one body.
func TestPrintMapETag(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	const path = "/atlas/JP.svg?kind=jumelage"
	plain := get(t, srv, path)
	gz := get(t, srv, path, "Accept-Encoding", "gzip")
	tag := plain.Header().Get("ETag")
	if !regexp.MustCompile(`^"[^"]+"$`).MatchString(tag) {
		t.Fatalf("ETag %s is not one quoted strong tag", tag)
	}
	if gz.Header().Get("ETag") != tag || gz.Header().Get("Content-Encoding") != "" {
		t.Errorf("with gzip accepted: ETag %s, Content-Encoding %q; want %s and none", gz.Header().Get("ETag"), gz.Header().Get("Content-Encoding"), tag)
	}
	if !bytes.Equal(plain.Body.Bytes(), gz.Body.Bytes()) {
		t.Error("two bodies under one ETag")
	}
	if rec := get(t, srv, path, "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", tag, rec.Code)
	}
	// A PDF's tag is weak (equivalent documents, not the same bytes), and
	// revalidates as well.
	pdf := get(t, srv, "/atlas/JP.pdf").Header().Get("ETag")
	if !regexp.MustCompile(`^W/"[^"]+"$`).MatchString(pdf) {
		t.Errorf("PDF ETag %s, want a weak tag", pdf)
	}
	if rec := get(t, srv, "/atlas/JP.pdf", "If-None-Match", pdf); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", pdf, rec.Code)
	}
}
