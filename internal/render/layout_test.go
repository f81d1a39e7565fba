package render_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/render"
)

func TestTwoPanelLayout(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for iso2, want := range map[string]int{"BJ": 2, "JP": 2, "SN": 2, "DE": 1, "BE": 1, "IT": 1, "ES": 1, "GB": 1} {
		caps, err := render.Panels(snap, iso2, render.Options{})
		if err != nil {
			t.Fatalf("%s: %v", iso2, err)
		}
		if len(caps) != want {
			t.Errorf("%s: %d panels %q, want %d", iso2, len(caps), caps, want)
		}
		if want == 2 && caps[0] != "France métropolitaine" {
			t.Errorf("%s: left caption %q", iso2, caps[0])
		}
	}
	o := render.Options{Format: render.PNG, WidthMM: 297, HeightMM: 210, DPI: 150}
	w, h := o.Pixels()
	for _, iso2 := range []string{"BJ", "JP"} {
		data, err := render.Render(snap, iso2, atlas.Filter{}, o)
		if err != nil {
			t.Fatalf("%s: %v", iso2, err)
		}
		artifact(t, "print-"+strings.ToLower(iso2)+".png", data)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", iso2, err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s: %d × %d px, want %d × %d", iso2, b.Dx(), b.Dy(), w, h)
		}
	}
}
