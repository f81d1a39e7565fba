package printmap_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/printmap"
)

func TestTwoPanelLayout(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for iso2, want := range map[string]int{"BJ": 2, "JP": 2, "SN": 2, "DE": 1, "BE": 1, "IT": 1, "ES": 1, "GB": 1} {
		caps, err := printmap.Panels(snap, iso2, printmap.Options{})
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
	o := printmap.Options{Format: printmap.PNG, WidthMM: 297, HeightMM: 210, DPI: 150}
	w, h := o.Pixels()
	for _, iso2 := range []string{"BJ", "JP"} {
		data, err := printmap.Draw(context.Background(), snap, iso2, atlas.Filter{}, o)
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
