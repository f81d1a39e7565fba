// Command glyphgen writes the MapLibre glyph ranges (signed distance field
// PBFs) served under /static/glyphs/{fontstack}/{start}-{end}.pbf.
//
// The atlas must render labels without fetching anything from another origin,
// and no npm package ships prebuilt glyph PBFs, so they are generated here from
// the Go fonts (golang.org/x/image/font/gofont, BSD-3-Clause) with the same
// parameters as MapLibre's own glyphs: 24 px em, 3 px buffer, radius 8,
// cutoff 0.25. Only the Latin ranges listed in ranges are written: other
// scripts are not needed by the atlas's labels. Run from the repository root:
//
//	go run ./static/internal/glyphgen -out static/glyphs
package main

import (
	"flag"
	"fmt"
	"image"
	"image/draw"
	"log"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

const (
	fontSize = 24
	buffer   = 3
	radius   = 8
	cutoff   = 0.25
	inf      = 1e20 // as tiny-sdf: finite, so that inf-inf is not NaN
)

func main() {
	out := flag.String("out", "static/glyphs", "output directory")
	flag.Parse()
	stacks := []struct {
		name string
		ttf  []byte
	}{{"Go-Regular", goregular.TTF}, {"Go-Bold", gobold.TTF}}
	for _, s := range stacks {
		if err := writeStack(*out, s.name, s.ttf); err != nil {
			log.Fatal(err)
		}
	}
}

// ranges are the first code points of the 256-code-point ranges written:
// Basic Latin and Latin-1, Latin Extended-A and -B, IPA and spacing
// modifiers, Latin Extended Additional, General Punctuation (’ – “ ” …).
var ranges = []rune{0, 256, 512, 7680, 8192}

func writeStack(out, name string, ttf []byte) error {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: fontSize, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return err
	}
	defer face.Close()
	var buf sfnt.Buffer
	dir := filepath.Join(out, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ascent := face.Metrics().Ascent.Ceil()
	for _, start := range ranges {
		var glyphs [][]byte
		for r := start; r < start+256; r++ {
			idx, err := f.GlyphIndex(&buf, r)
			if err != nil || (idx == 0 && r != 0) {
				continue
			}
			if g := renderGlyph(face, r, ascent); g != nil {
				glyphs = append(glyphs, g)
			}
		}
		if len(glyphs) == 0 && start != 0 {
			continue
		}
		rng := fmt.Sprintf("%d-%d", start, start+255)
		var stack []byte
		stack = appendBytes(stack, 1, []byte(name))
		stack = appendBytes(stack, 2, []byte(rng))
		for _, g := range glyphs {
			stack = appendBytes(stack, 3, g)
		}
		pbf := appendBytes(nil, 1, stack)
		if err := os.WriteFile(filepath.Join(dir, rng+".pbf"), pbf, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s/%s.pbf: %d glyphs, %d bytes\n", name, rng, len(glyphs), len(pbf))
	}
	return nil
}

// renderGlyph returns the encoded glyph message, or nil when the face has no
// glyph for r.
func renderGlyph(face font.Face, r rune, ascent int) []byte {
	dr, mask, maskp, adv, ok := face.Glyph(fixed.P(0, 0), r)
	if !ok {
		return nil
	}
	w, h := dr.Dx(), dr.Dy()
	var bitmap []byte
	if w > 0 && h > 0 {
		alpha := image.NewAlpha(image.Rect(0, 0, w+2*buffer, h+2*buffer))
		draw.Draw(alpha, image.Rect(buffer, buffer, buffer+w, buffer+h), mask, maskp, draw.Src)
		bitmap = sdf(alpha)
	} else {
		w, h = 0, 0
	}
	var g []byte
	g = appendVarint(g, 1, uint64(r))
	if len(bitmap) > 0 {
		g = appendBytes(g, 2, bitmap)
	}
	g = appendVarint(g, 3, uint64(w))
	g = appendVarint(g, 4, uint64(h))
	g = appendVarint(g, 5, zigzag(dr.Min.X))
	g = appendVarint(g, 6, zigzag(-dr.Min.Y-ascent))
	g = appendVarint(g, 7, uint64(adv.Round()))
	return g
}

// sdf converts an alpha mask to a signed distance field (tiny-sdf's method:
// squared Euclidean distance transforms of the outside and the inside).
func sdf(a *image.Alpha) []byte {
	w, h := a.Rect.Dx(), a.Rect.Dy()
	n := w * h
	outer := make([]float64, n)
	inner := make([]float64, n)
	for i := 0; i < n; i++ {
		v := float64(a.Pix[i]) / 255
		switch {
		case v >= 1:
			outer[i], inner[i] = 0, inf
		case v <= 0:
			outer[i], inner[i] = inf, 0
		default:
			d := math.Max(0, 0.5-v)
			outer[i] = d * d
			d = math.Max(0, v-0.5)
			inner[i] = d * d
		}
	}
	edt(outer, w, h)
	edt(inner, w, h)
	out := make([]byte, n)
	for i := range out {
		d := math.Sqrt(outer[i]) - math.Sqrt(inner[i])
		v := math.Round(255 - 255*(d/radius+cutoff))
		out[i] = byte(math.Max(0, math.Min(255, v)))
	}
	return out
}

func edt(data []float64, w, h int) {
	size := max(w, h)
	f := make([]float64, size)
	z := make([]float64, size+1)
	v := make([]int, size)
	d := make([]float64, size)
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			f[y] = data[y*w+x]
		}
		edt1d(f, d, v, z, h)
		for y := 0; y < h; y++ {
			data[y*w+x] = d[y]
		}
	}
	for y := 0; y < h; y++ {
		copy(f, data[y*w:y*w+w])
		edt1d(f, d, v, z, w)
		copy(data[y*w:y*w+w], d[:w])
	}
}

// edt1d is Felzenszwalb and Huttenlocher's 1D squared distance transform.
func edt1d(f, d []float64, v []int, z []float64, n int) {
	v[0] = 0
	z[0] = -inf
	z[1] = inf
	k := 0
	for q := 1; q < n; q++ {
		var s float64
		for {
			r := v[k]
			s = (f[q] - f[r] + float64(q*q-r*r)) / float64(q-r) / 2
			if s <= z[k] {
				k--
				if k > -1 {
					continue
				}
			}
			break
		}
		k++
		v[k] = q
		z[k] = s
		z[k+1] = inf
	}
	k = 0
	for q := 0; q < n; q++ {
		for z[k+1] < float64(q) {
			k++
		}
		r := v[k]
		d[q] = f[r] + float64((q-r)*(q-r))
	}
}

func zigzag(v int) uint64 { return uint64((int64(v) << 1) ^ (int64(v) >> 63)) }

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendVarint(b []byte, field int, v uint64) []byte {
	b = appendUvarint(b, uint64(field<<3))
	return appendUvarint(b, v)
}

func appendBytes(b []byte, field int, p []byte) []byte {
	b = appendUvarint(b, uint64(field<<3|2))
	b = appendUvarint(b, uint64(len(p)))
	return append(b, p...)
}
