package printmap_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
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

// emptyShare is the share of the page, inside its margins, left empty: the
// page is cut into 5 mm cells, a cell is blank when every pixel in it is
// white, and a blank cell is empty when it lies in a blank square of 3 × 3
// cells (15 mm), a hole a reader would see. The leading between lines, the
// gutters between blocks and the margins (the printer's) are not holes.
// It also returns the page with its empty cells tinted red.
func emptyShare(img image.Image, widthMM, margin float64) (float64, image.Image) {
	b := img.Bounds()
	pxmm := float64(b.Dx()) / widthMM
	cell, m := int(5*pxmm), int(margin*pxmm+0.5)
	nx, ny := (b.Dx()-2*m)/cell, (b.Dy()-2*m)/cell
	blank := make([][]bool, ny)
	for j := range blank {
		blank[j] = make([]bool, nx)
		for i := range blank[j] {
			blank[j][i] = whiteRect(img, b.Min.X+m+i*cell, b.Min.Y+m+j*cell, cell)
		}
	}
	empty := make([][]bool, ny)
	for j := range empty {
		empty[j] = make([]bool, nx)
	}
	for j := 0; j+3 <= ny; j++ {
		for i := 0; i+3 <= nx; i++ {
			hole := true
			for dj := 0; dj < 3 && hole; dj++ {
				for di := 0; di < 3; di++ {
					if !blank[j+dj][i+di] {
						hole = false
						break
					}
				}
			}
			for dj := 0; dj < 3 && hole; dj++ {
				for di := 0; di < 3; di++ {
					empty[j+dj][i+di] = true
				}
			}
		}
	}
	n := 0
	marked := image.NewRGBA(b)
	draw.Draw(marked, b, img, b.Min, draw.Src)
	for j, row := range empty {
		for i, e := range row {
			if e {
				n++
				r := image.Rect(b.Min.X+m+i*cell, b.Min.Y+m+j*cell, b.Min.X+m+(i+1)*cell, b.Min.Y+m+(j+1)*cell)
				draw.Draw(marked, r, image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
			}
		}
	}
	return float64(n) / float64(nx*ny), marked
}

func whiteRect(img image.Image, x0, y0, size int) bool {
	for y := y0; y < y0+size; y++ {
		for x := x0; x < x0+size; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r&g&b < 0xfe00 {
				return false
			}
		}
	}
	return true
}

// TestPagesAreFilled: on A4 and A3, portrait and landscape, the maps leave
// no more than 5 % of the page blank (inside the margins).
func TestPagesAreFilled(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, iso2 := range []string{"BJ", "JP", "ML", "DE", "CA"} {
		for _, pg := range []struct {
			name string
			w, h float64
		}{{"A4 landscape", 297, 210}, {"A4 portrait", 210, 297}, {"A3 landscape", 420, 297}, {"A3 portrait", 297, 420}} {
			o := printmap.Options{Format: printmap.PNG, WidthMM: pg.w, HeightMM: pg.h, DPI: 60}
			data, err := printmap.Draw(context.Background(), snap, iso2, atlas.Filter{}, o)
			if err != nil {
				t.Fatalf("%s %s: %v", iso2, pg.name, err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			margin := max(6, pg.w*0.025)
			if e, marked := emptyShare(img, pg.w, margin); e > 0.05 {
				t.Errorf("%s %s: %.1f %% of the page blank, want ≤ 5 %% (holes in red: %s)", iso2, pg.name, 100*e,
					artifact(t, fmt.Sprintf("blank-%s-%.0fx%.0f.png", strings.ToLower(iso2), pg.w, pg.h), encodePNG(t, marked)))
			} else {
				t.Logf("%s %s: %.1f %% blank", iso2, pg.name, 100*e)
			}
		}
	}
}

func encodePNG(t *testing.T, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
