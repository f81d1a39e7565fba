package httpapi_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
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
		"/atlas/JP.gif":                                {http.StatusOK, ""}, // the page route: not a print format
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
