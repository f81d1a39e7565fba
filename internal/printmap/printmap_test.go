package printmap_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/printmap"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// artifact keeps a rendered file in ATLAS_ARTIFACTS (when set) for a look.
func artifact(t *testing.T, name string, data []byte) string {
	dir := os.Getenv("ATLAS_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSVG(t *testing.T) {
	snap := atlastest.Snapshot(t)
	data, err := printmap.Draw(context.Background(), snap, "JP", atlas.Filter{}, printmap.Options{Format: printmap.SVG})
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, "atlas-jp.svg", data)
	d := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	// The map is editable: its layers are top-level groups with ids, and
	// its names are text, in the names group.
	var groups []string
	texts := map[string][]string{} // group id → its texts
	group, depth := "", 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		switch se := tok.(type) {
		case xml.StartElement:
			depth++
			if root == "" {
				root = se.Name.Local
			}
			if depth == 2 && se.Name.Local == "g" {
				for _, a := range se.Attr {
					if a.Name.Local == "id" {
						group = a.Value
						groups = append(groups, group)
					}
				}
			}
		case xml.EndElement:
			depth--
			if depth == 1 {
				group = ""
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(se)); s != "" && group != "" {
				texts[group] = append(texts[group], s)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
	want := []string{"fond-de-carte", "liens", "points", "cadres", "outre-mer", "noms", "titre", "legende", "echelles", "sources"}
	if !slices.Equal(groups, want) {
		t.Errorf("layers %q, want %q", groups, want)
	}
	names := strings.Join(texts["noms"], "|")
	for _, n := range []string{"Tokyo", "Sapporo, 2007", "Bretagne"} {
		if !strings.Contains(names, n) {
			t.Errorf("no text %q in the names layer: %s", n, names)
		}
	}
	if !strings.Contains(strings.Join(texts["titre"], " "), "France – Japon") {
		t.Errorf("title layer: %q", texts["titre"])
	}
	// Text is drawn as glyph paths or text; the title font is embedded.
	if len(data) < 10_000 {
		t.Errorf("SVG of %d bytes: too small for a map", len(data))
	}
	// Both fonts are embedded once, regular (first used) then bold, before
	// the closing tag.
	faces := strings.Count(string(data), "@font-face{")
	bold := strings.Index(string(data), "@font-face{font-family:'Go';font-weight:700")
	if faces != 2 || bold < strings.Index(string(data), "@font-face{") || !bytes.HasSuffix(data, []byte("</style></svg>")) {
		t.Errorf("%d @font-face rules, bold at %d; want regular then bold before </svg>", faces, bold)
	}
	// The fonts are the files they were loaded from, byte for byte: a font
	// program written anew would carry the time it was written.
	for name, ttf := range map[string][]byte{"regular": goregular.TTF, "bold": gobold.TTF} {
		if !bytes.Contains(data, []byte(base64.StdEncoding.EncodeToString(ttf))) {
			t.Errorf("the %s font is not embedded as its file", name)
		}
	}
	// The same map is the same bytes, as its ETag says: the renderer
	// embeds fonts in a map's order, which would differ from one drawing
	// to the next.
	for range 4 {
		again, err := printmap.Draw(context.Background(), snap, "JP", atlas.Filter{}, printmap.Options{Format: printmap.SVG})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Fatal("drawing the same SVG map twice gave other bytes")
		}
	}
}

func TestPNGSize(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, o := range []printmap.Options{
		{Format: printmap.PNG},
		{Format: printmap.PNG, WidthMM: 210, HeightMM: 297, DPI: 72},
	} {
		data, err := printmap.Draw(context.Background(), snap, "DE", atlas.Filter{Kinds: []atlas.Kind{atlas.Jumelage}}, o)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		w, h := o.Pixels()
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("PNG %v, want %d × %d", b, w, h)
		}
		// Its resolution, in a pHYs chunk right after the header.
		dpi := o.DPI
		if dpi == 0 {
			dpi = 150
		}
		ppm := uint32(dpi/0.0254 + 0.5)
		phys := data[33:54]
		if string(phys[4:8]) != "pHYs" || binary.BigEndian.Uint32(phys[8:]) != ppm || binary.BigEndian.Uint32(phys[12:]) != ppm || phys[16] != 1 {
			t.Errorf("no pHYs of %g dpi (%d px/m) after IHDR: %q", dpi, ppm, phys)
		}
		if o.DPI == 0 {
			artifact(t, "atlas-de.png", data)
			if w != 1754 || h != 1240 {
				t.Errorf("default size %d × %d, want A4 landscape at 150 dpi", w, h)
			}
		}
	}
}

func TestPDF(t *testing.T) {
	snap := atlastest.Snapshot(t)
	data, err := printmap.Draw(context.Background(), snap, "BJ", atlas.Filter{}, printmap.Options{Format: printmap.PDF, WidthMM: 420, HeightMM: 297})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:8])
	}
	path := artifact(t, "atlas-bj-a3.pdf", data)
	pdfinfo := testkit.RequireTool(t, "pdfinfo", "poppler-utils")
	out, err := exec.Command(pdfinfo, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	// A3 landscape: 1190.55 × 841.89 pt.
	if !strings.Contains(string(out), "Page size:      1190.55 x 841.89 pts (A3)") && !strings.Contains(string(out), "1190.55 x 841.89") {
		t.Errorf("pdfinfo:\n%s", out)
	}
	if strings.Contains(string(out), "Syntax Error") {
		t.Errorf("pdfinfo complains:\n%s", out)
	}
	info := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	if info["Title"] != "Coopérations décentralisées : France – Bénin" || info["Author"] != printmap.Author ||
		!strings.Contains(info["Subject"], "partenariats entre") || info["CreationDate"] == "" {
		t.Errorf("pdfinfo: title %q, author %q, subject %q, created %q", info["Title"], info["Author"], info["Subject"], info["CreationDate"])
	}

	// The text reads back: title, publisher, legend, the partners' and the
	// régions' names, the insets' heading, the credits.
	pdftotext := testkit.RequireTool(t, "pdftotext", "poppler-utils")
	text, err := exec.Command(pdftotext, "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, text)
	}
	for _, want := range []string{"France – Bénin", printmap.Author, "Collectivités françaises", "Coopération décentralisée",
		"Porto-Novo", "Cotonou", "Parakou", "OCCITANIE", "CORSE", "Outre-mer", "La Réunion", "GeoNames"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("pdftotext: no %q in\n%s", want, text)
		}
	}
}

func TestBadOptions(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for param, o := range map[string]printmap.Options{
		"width":  {Format: printmap.PNG, WidthMM: 10},
		"height": {Format: printmap.PNG, HeightMM: 5000},
		"dpi":    {Format: printmap.PNG, DPI: 5000},
	} {
		_, err := printmap.Draw(context.Background(), snap, "JP", atlas.Filter{}, o)
		var pe *atlas.ParamError
		if !errorsAs(err, &pe) || pe.Param != param {
			t.Errorf("%s: %v", param, err)
		}
	}
	if _, err := printmap.Draw(context.Background(), snap, "ZZ", atlas.Filter{}, printmap.Options{}); err == nil {
		t.Error("unknown country rendered")
	}
}

// TestDrawStopsWhenCancelled: a page whose request is cancelled stops with
// the context's error, whether it was cancelled before drawing or while a
// 600-dpi A4 PNG (about 35 million pixels) is being rasterised.
func TestDrawStopsWhenCancelled(t *testing.T) {
	snap := atlastest.Snapshot(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := printmap.Draw(ctx, snap, "BJ", atlas.Filter{}, printmap.Options{Format: printmap.PDF}); err != context.Canceled {
		t.Errorf("cancelled before drawing: err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	o := printmap.Options{Format: printmap.PNG, WidthMM: 297, HeightMM: 210, DPI: 600}
	drawn := make(chan error, 1)
	go func() {
		_, err := printmap.Draw(ctx, snap, "DE", atlas.Filter{}, o)
		drawn <- err
	}()
	cancel()
	if err := <-drawn; err != context.Canceled {
		t.Errorf("cancelled while drawing: err = %v, want context.Canceled", err)
	}
}

// BenchmarkDrawBenin draws the France–Bénin map: an A4 PNG at 300 dpi, the
// PDF and the SVG.
func BenchmarkDrawBenin(b *testing.B) {
	snap := atlastest.Snapshot(b)
	for _, c := range []struct {
		name string
		o    printmap.Options
	}{
		{"png-300dpi", printmap.Options{Format: printmap.PNG, DPI: 300}},
		{"pdf", printmap.Options{Format: printmap.PDF}},
		{"svg", printmap.Options{Format: printmap.SVG}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := printmap.Draw(context.Background(), snap, "BJ", atlas.Filter{}, c.o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
