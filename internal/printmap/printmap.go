// Package printmap draws print maps of the atlas with a vector graphics
// library (tdewolff/canvas): the country view of /atlas/{country} — France
// and one partner country in a single equirectangular frame (or, for a
// distant partner, two panels side by side: France métropolitaine and the
// partner country, each at its own scale), the
// great-circle arcs of their partnerships, French authorities coloured by
// type (the web atlas palette), partner authorities, a legend, a title, a
// credits line and, when the selection holds synthetic records, a visible
// "données en partie synthétiques" notice — as SVG, PDF or PNG.
//
// Render is a pure function of its arguments: the same snapshot, country,
// filter and options give the same bytes (PDF aside from nothing: no
// timestamps are written).
package printmap

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
	"github.com/tdewolff/canvas/renderers/rasterizer"
	"github.com/tdewolff/canvas/renderers/svg"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Format is an output format.
type Format string

// Formats.
const (
	SVG Format = "svg"
	PDF Format = "pdf"
	PNG Format = "png"
)

// ContentType returns the media type of f.
func (f Format) ContentType() string {
	switch f {
	case SVG:
		return "image/svg+xml"
	case PDF:
		return "application/pdf"
	}
	return "image/png"
}

// Size bounds.
const (
	MinMM, MaxMM   = 50.0, 1200.0 // page side, millimetres (A0 is 841 × 1189)
	MinDPI, MaxDPI = 36.0, 600.0
	MaxPixels      = 40e6 // PNG pixel budget (A3 at 300 dpi is 17.4 Mpx)
)

// Options sets the page. Zero values give A4 landscape at 150 dpi.
type Options struct {
	Format            Format
	WidthMM, HeightMM float64
	DPI               float64 // PNG resolution
}

func (o *Options) defaults() {
	if o.WidthMM == 0 {
		o.WidthMM = 297
	}
	if o.HeightMM == 0 {
		o.HeightMM = 210
	}
	if o.DPI == 0 {
		o.DPI = 150
	}
	if o.Format == "" {
		o.Format = PNG
	}
}

// Validate checks the options, naming the offending parameter (width,
// height, dpi) in an atlas.ParamError.
func (o Options) Validate() error {
	o.defaults()
	if o.WidthMM < MinMM || o.WidthMM > MaxMM || math.IsNaN(o.WidthMM) {
		return atlas.InvalidParam("width", ff(o.WidthMM)+"mm", fmt.Sprintf("page width must be between %g and %g mm", MinMM, MaxMM))
	}
	if o.HeightMM < MinMM || o.HeightMM > MaxMM || math.IsNaN(o.HeightMM) {
		return atlas.InvalidParam("height", ff(o.HeightMM)+"mm", fmt.Sprintf("page height must be between %g and %g mm", MinMM, MaxMM))
	}
	if o.DPI < MinDPI || o.DPI > MaxDPI || math.IsNaN(o.DPI) {
		return atlas.InvalidParam("dpi", ff(o.DPI), fmt.Sprintf("expected a resolution between %g and %g dpi", MinDPI, MaxDPI))
	}
	if o.Format == PNG {
		w, h := o.Pixels()
		if float64(w)*float64(h) > MaxPixels {
			return atlas.InvalidParam("dpi", ff(o.DPI), fmt.Sprintf("%d × %d px exceeds %g Mpx; lower dpi or the page size", w, h, MaxPixels/1e6))
		}
	}
	switch o.Format {
	case SVG, PDF, PNG:
	default:
		return atlas.InvalidParam("format", string(o.Format), "allowed: svg, pdf, png")
	}
	return nil
}

// Pixels returns the PNG size in pixels.
func (o Options) Pixels() (w, h int) {
	o.defaults()
	return int(math.Round(o.WidthMM * o.DPI / 25.4)), int(math.Round(o.HeightMM * o.DPI / 25.4))
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Palette: the web atlas's (static/js/core.js).
var (
	typeColors = map[atlas.AuthorityType]color.RGBA{
		atlas.Region: hex("#1d4e89"), atlas.Departement: hex("#2a9d8f"),
		atlas.Groupement: hex("#e09f3e"), atlas.Commune: hex("#c8553d"),
	}
	kindColors = map[atlas.Kind]color.RGBA{
		atlas.Jumelage: hex("#3a7bd5"), atlas.Cooperation: hex("#d1495b"), atlas.Amitie: hex("#7b4fa0"),
	}
	partnerColor = hex("#5b3f8c")
	seaColor     = hex("#dce8f0")
	landColor    = hex("#efece5")
	franceColor  = hex("#f6f1e4")
	partnerLand  = hex("#f6e7c8")
	borderColor  = hex("#b6ada0")
	inkColor     = hex("#222222")
	mutedColor   = hex("#5a5a5a")
	warnColor    = hex("#b3261e")
	ruleColor    = hex("#d9d4cc")
	areaColor    = hex("#7d7468")
)

func hex(s string) color.RGBA {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

func withAlpha(c color.RGBA, a float64) color.RGBA {
	// canvas takes premultiplied colours.
	return color.RGBA{uint8(float64(c.R) * a), uint8(float64(c.G) * a), uint8(float64(c.B) * a), uint8(255 * a)}
}

// family returns the embedded Go fonts (BSD licence, golang.org/x/image),
// parsed once per process: rendering needs no system font.
var family = sync.OnceValues(func() (*canvas.FontFamily, error) {
	fonts := canvas.NewFontFamily("Go")
	for _, style := range []canvas.FontStyle{canvas.FontRegular, canvas.FontBold} {
		if err := fonts.LoadFont(fontFile(style), 0, style); err != nil {
			return nil, err
		}
	}
	return fonts, nil
})

// fontFile is the embedded Go font file of a style the family loads: bold,
// or regular.
func fontFile(style canvas.FontStyle) []byte {
	if style.Weight() == canvas.FontBold {
		return gobold.TTF
	}
	return goregular.TTF
}

// France métropolitaine, the French side of every country view.
var metropole = orb.Bound{Min: orb.Point{-5.3, 41.3}, Max: orb.Point{9.7, 51.2}}

// Author is the author a PDF print map names: the atlas itself.
const Author = "Atlas français de la coopération décentralisée"

// Publisher is the body that publishes the atlas, named on every map.
const Publisher = "Ministère de l'Europe et des Affaires étrangères · Délégation pour l'action extérieure des collectivités territoriales"

// edition names the data a map is drawn from: the snapshot's version, so
// that a printed map can be traced to its data.
func (m *countryMap) edition() string { return "version " + m.snap.Version() }

// title is the map's title.
func (m *countryMap) title() string {
	return "Coopérations décentralisées : France – " + m.country.NameFR
}

// withDPI returns the PNG data with a pHYs chunk after its header (IHDR,
// always first and 25 bytes long after the signature) saying its
// resolution, so that a page-layout program prints it at its size.
func withDPI(data []byte, dpi float64) []byte {
	const ihdrEnd = 8 + 25
	if len(data) < ihdrEnd {
		return data
	}
	ppm := uint32(math.Round(dpi / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: the metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(data)+len(chunk))
	return append(append(append(out, data[:ihdrEnd]...), chunk...), data[ihdrEnd:]...)
}

// SyntheticNotice is printed when the mapped selection holds synthetic records.
const SyntheticNotice = "Données en partie synthétiques : une partie des partenariats et tous les projets sont générés, non réels."

// Draw draws the country view of iso2 for filter f (its own country facet
// is replaced by iso2) and returns the encoded page. It stops, with ctx's
// error, soon after ctx is done: the page is drawn path by path and each one
// checks it first, so a cancelled 600-dpi PNG gives its CPU back within one
// path's rasterisation.
func Draw(ctx context.Context, snap *index.Snapshot, iso2 string, f atlas.Filter, o Options) ([]byte, error) {
	o.defaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	country, ok := snap.Country(iso2)
	if !ok {
		return nil, fmt.Errorf("country %q: %w", iso2, atlas.ErrNotFound)
	}
	fam, err := family()
	if err != nil {
		return nil, fmt.Errorf("printmap: font: %w", err)
	}
	f.Countries = []string{iso2}
	ids, sel, err := snap.Items(index.LayerPartnerships, f)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := newMap(snap, fam, country, ids, sel, o)
	var pl pageLayers
	m.draw(pl.context(o.WidthMM, o.HeightMM), fam)
	c := pl.canvases[0]

	// The format renderers are used directly: the umbrella package
	// canvas/renderers pulls chart and plot libraries in.
	var buf bytes.Buffer
	switch o.Format {
	case SVG:
		// The SVG renderer embeds its fonts in the order of a map, and
		// writes each font program with the clock in its head table, so
		// one map would have many bodies under one ETag: the fonts are
		// embedded here instead, as the files they were loaded from, in the
		// order the map first uses them.
		opts := svg.DefaultOptions
		opts.EmbedFonts = false
		r := svg.New(&buf, c.W, c.H, &opts)
		fonts := &fontRecorder{Renderer: r}
		// Each layer a group with its id, for the cartographer who edits
		// the map.
		for i, lc := range pl.canvases {
			fmt.Fprintf(&buf, `<g id="%s">`, pl.names[i])
			lc.RenderTo(cancellable{ctx, fonts})
			buf.WriteString("</g>")
		}
		if err = r.Close(); err == nil && ctx.Err() == nil {
			embedFonts(&buf, fonts.fonts)
		}
	case PDF:
		r := pdf.New(&buf, c.W, c.H, nil)
		r.SetInfo(m.title(), fmt.Sprintf("%d partenariats entre %d collectivités françaises et %d autorités partenaires (%s)", len(m.ids), len(m.auths), len(m.partners), country.NameFR),
			"coopération décentralisée, jumelage, "+country.NameFR, Author, "atlas")
		r.SetLang("fr")
		pl.renderTo(cancellable{ctx, r})
		err = r.Close()
	default:
		r := rasterizer.New(c.W, c.H, canvas.DPI(o.DPI), canvas.DefaultColorSpace)
		pl.renderTo(cancellable{ctx, r})
		if ctx.Err() == nil {
			r.Close()
			if err = png.Encode(&buf, r.Image); err == nil {
				buf = *bytes.NewBuffer(withDPI(buf.Bytes(), o.DPI))
			}
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, fmt.Errorf("printmap: %w", err)
	}
	return buf.Bytes(), nil
}

// A page's layers, bottom to top: each is drawn on a canvas of its own, so
// that the SVG holds it as a group with that id.
const (
	layerBase     = "fond-de-carte" // the page, sea and land
	layerLinks    = "liens"         // arcs, flows and their bands
	layerPoints   = "points"        // authorities, partners, places
	layerFrames   = "cadres"        // page margins over the map bleed, frames
	layerOverseas = "outre-mer"     // the insets, whole
	layerNames    = "noms"          // placed names and their leaders
	layerTitle    = "titre"         // title, key figures, publisher
	layerLegend   = "legende"       // legend and start-years chart
	layerScales   = "echelles"      // panel captions and scale bars
	layerCredits  = "sources"       // credits and the synthetic notice
)

// layerFunc returns the drawing context of the named layer.
type layerFunc func(name string) *canvas.Context

// pageLayers holds a page's layers in the order they are first drawn on.
type pageLayers struct {
	names    []string
	canvases []*canvas.Canvas
	contexts []*canvas.Context
}

// context returns the layerFunc of a W × H mm page; a layer is created the
// first time it is asked for, above the ones before. The base layer is
// created first.
func (pl *pageLayers) context(w, h float64) layerFunc {
	get := func(name string) *canvas.Context {
		for i, n := range pl.names {
			if n == name {
				return pl.contexts[i]
			}
		}
		c := canvas.New(w, h)
		pl.names, pl.canvases = append(pl.names, name), append(pl.canvases, c)
		pl.contexts = append(pl.contexts, canvas.NewContext(c))
		return pl.contexts[len(pl.contexts)-1]
	}
	get(layerBase)
	return get
}

// renderTo renders every layer, bottom first.
func (pl *pageLayers) renderTo(r canvas.Renderer) {
	for _, c := range pl.canvases {
		c.RenderTo(r)
	}
}

// cancellable is a renderer that draws nothing more once ctx is done.
type cancellable struct {
	ctx context.Context
	canvas.Renderer
}

func (c cancellable) RenderPath(p *canvas.Path, s canvas.Style, m canvas.Matrix) {
	if c.ctx.Err() == nil {
		c.Renderer.RenderPath(p, s, m)
	}
}

func (c cancellable) RenderText(t *canvas.Text, m canvas.Matrix) {
	if c.ctx.Err() == nil {
		c.Renderer.RenderText(t, m)
	}
}

func (c cancellable) RenderImage(img image.Image, m canvas.Matrix) {
	if c.ctx.Err() == nil {
		c.Renderer.RenderImage(img, m)
	}
}

// fontRecorder passes drawing on to a renderer and notes the fonts of its
// text, in the order of their first use.
type fontRecorder struct {
	canvas.Renderer
	fonts []*canvas.Font
}

func (f *fontRecorder) RenderText(t *canvas.Text, m canvas.Matrix) {
	t.WalkSpans(func(_, _ float64, s canvas.TextSpan) {
		if s.Face != nil && !slices.Contains(f.fonts, s.Face.Font) {
			f.fonts = append(f.fonts, s.Face.Font)
		}
	})
	f.Renderer.RenderText(t, m)
}

// embedFonts writes fonts into the SVG document in doc, before its closing
// tag, as CSS @font-face rules with the files they were loaded from inline
// (fontFile), as the SVG renderer would.
func embedFonts(doc *bytes.Buffer, fonts []*canvas.Font) {
	const end = "</svg>"
	if len(fonts) == 0 || !bytes.HasSuffix(doc.Bytes(), []byte(end)) {
		return
	}
	doc.Truncate(doc.Len() - len(end))
	doc.WriteString("<style>")
	for _, f := range fonts {
		fmt.Fprintf(doc, "\n@font-face{font-family:'%s'", f.Name())
		if f.Style().Weight() != canvas.FontRegular {
			fmt.Fprintf(doc, ";font-weight:%d", f.Style().CSS())
		}
		if f.Style().Italic() {
			doc.WriteString(";font-style:italic")
		}
		doc.WriteString(";src:url('data:type/opentype;base64,")
		enc := base64.NewEncoder(base64.StdEncoding, doc)
		enc.Write(fontFile(f.Style()))
		enc.Close()
		doc.WriteString("');}")
	}
	doc.WriteString("\n</style>" + end)
}

// countryMap holds what one page shows.
type countryMap struct {
	snap    *index.Snapshot
	country atlas.Country
	ids     []int32
	o       Options

	auths    []int32 // distinct French authorities, largest type first
	partners []int32
	years    map[int32]int // earliest known start year per partner
	byType   map[atlas.AuthorityType]int
	byKind   map[atlas.Kind]int
	y0, y1   int
	synth    bool

	panels                 []*panel // one frame, or France and the partner side by side
	insets                 []*panel // overseas France, in the legend column
	insetTop               float64  // top of their block (its heading), mm
	dropped                int      // names left out for want of room (labels.go)
	places                 []place  // the partner country's main places that are not partners
	rows                   []legendRow
	legendX, legendTop     float64 // the legend column's left edge and top, mm
	legendW                float64 // its width, mm
	chart                  rect    // the start-years chart, empty when none
	credits                string
	creditsX, creditsTop   float64 // the credits' text box, mm
	creditsW               float64
	mapX, mapY, mapW, mapH float64 // extent of the panels on the page, mm (origin bottom-left)
}

// panel is one map frame on the page.
type panel struct {
	frame      orb.Bound // WGS84 extent shown
	proj       projection
	pb         orb.Bound // the frame projected, metres
	x, y, w, h float64   // rectangle on the page, mm (origin bottom-left)
	scale      float64   // mm per projected metre
	caption    string    // empty for the single frame
	clip       bool      // clip drawings to the rectangle (two-panel layout)
}

// FarKM is the distance between the partner country and metropolitan
// France beyond which the page shows two panels instead of one frame.
const FarKM = 1500.0

// twoPanels reports whether the partner extent b is far enough from
// metropolitan France for the two-panel layout: a single frame would leave
// both countries as specks on an empty page.
func twoPanels(b orb.Bound) bool {
	return boundGapKM(metropole, b) > FarKM
}

// boundGapKM approximates the distance between two WGS84 boxes, in km.
func boundGapKM(a, b orb.Bound) float64 {
	dx := math.Max(0, math.Max(b.Min[0]-a.Max[0], a.Min[0]-b.Max[0]))
	dy := math.Max(0, math.Max(b.Min[1]-a.Max[1], a.Min[1]-b.Max[1]))
	lat := (math.Max(a.Min[1], b.Min[1]) + math.Min(a.Max[1], b.Max[1])) / 2
	if dy > 0 {
		lat = (a.Min[1] + a.Max[1] + b.Min[1] + b.Max[1]) / 4
	}
	return math.Hypot(dx*math.Cos(lat*math.Pi/180), dy) * 111.32
}

// pad widens b by 6 % of its extent plus half a degree, within the world.
func pad(b orb.Bound) orb.Bound {
	dx, dy := (b.Max[0]-b.Min[0])*0.06+0.5, (b.Max[1]-b.Min[1])*0.06+0.5
	b.Min[0], b.Max[0] = math.Max(-180, b.Min[0]-dx), math.Min(180, b.Max[0]+dx)
	b.Min[1], b.Max[1] = math.Max(-85, b.Min[1]-dy), math.Min(85, b.Max[1]+dy)
	return b
}

// newPanel returns the panel of frame in projection pr: its projected
// extent is that of the frame's edges (a graticule's extremes lie on them).
func newPanel(frame orb.Bound, pr projection) *panel {
	p := &panel{frame: frame, proj: pr}
	const n = 64
	first := true
	for i := 0; i <= n; i++ {
		f := float64(i) / n
		lon := frame.Min[0] + f*(frame.Max[0]-frame.Min[0])
		lat := frame.Min[1] + f*(frame.Max[1]-frame.Min[1])
		for _, q := range [][2]float64{{lon, frame.Min[1]}, {lon, frame.Max[1]}, {frame.Min[0], lat}, {frame.Max[0], lat}} {
			x, y := pr.forward(q[0], q[1])
			if first {
				p.pb, first = orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x, y}}, false
			}
			p.pb = p.pb.Extend(orb.Point{x, y})
		}
	}
	return p
}

// aspect is the panel's width over height.
func (p *panel) aspect() float64 {
	return (p.pb.Max[0] - p.pb.Min[0]) / (p.pb.Max[1] - p.pb.Min[1])
}

// fit places the panel in the cell, centred, keeping its aspect.
func (p *panel) fit(cx, cy, cw, ch float64) {
	pw, ph := p.pb.Max[0]-p.pb.Min[0], p.pb.Max[1]-p.pb.Min[1]
	p.scale = math.Min(cw/pw, ch/ph)
	p.w, p.h = pw*p.scale, ph*p.scale
	p.x = cx + (cw-p.w)/2
	p.y = cy + (ch-p.h)/2
}

func newMap(snap *index.Snapshot, fam *canvas.FontFamily, country atlas.Country, ids []int32, sel *index.Selection, o Options) *countryMap {
	m := &countryMap{snap: snap, country: country, ids: ids, o: o, years: map[int32]int{},
		byType: map[atlas.AuthorityType]int{}, byKind: map[atlas.Kind]int{}}
	ds := snap.Dataset()
	seenA, seenP := map[int32]bool{}, map[int32]bool{}
	partnerBound := orb.Bound{Min: country.Label, Max: country.Label}
	for _, i := range ids {
		p := ds.Partnerships[i]
		a, pt := snap.PartnershipEnds(i)
		m.byKind[p.Kind]++
		if p.Provenance == atlas.Synthetic {
			m.synth = true
		}
		if !seenA[a] {
			seenA[a] = true
			m.auths = append(m.auths, a)
			m.byType[ds.Authorities[a].Type]++
		}
		if !seenP[pt] {
			seenP[pt] = true
			m.partners = append(m.partners, pt)
			partnerBound = partnerBound.Extend(ds.Partners[pt].Point)
		}
		if y := p.StartYear; y != 0 {
			if m.y0 == 0 || y < m.y0 {
				m.y0 = y
			}
			m.y1 = max(m.y1, y)
			if old, ok := m.years[pt]; !ok || y < old {
				m.years[pt] = y
			}
		}
	}
	// The partner country: its largest polygon (no far-away islands), and
	// every mapped partner.
	if shape, err := snap.Lookup(index.LayerCountries, country.ISO2); err == nil {
		partnerBound = partnerBound.Union(largestPolygon(snap.Geometry(index.LayerCountries, shape)).Bound())
	}
	// Overseas French authorities are drawn in insets (overseasInsets).
	rank := map[atlas.AuthorityType]int{atlas.Region: 0, atlas.Departement: 1, atlas.Groupement: 2, atlas.Commune: 3}
	slices.SortStableFunc(m.auths, func(a, b int32) int {
		return rank[ds.Authorities[a].Type] - rank[ds.Authorities[b].Type]
	})

	m.places = m.referencePlaces()
	m.layout(fam, partnerBound)
	return m
}

func largestPolygon(g orb.Geometry) orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return g
	case orb.MultiPolygon:
		best, area := orb.Polygon(nil), -1.0
		for _, p := range g {
			if len(p) == 0 {
				continue
			}
			b := p[0].Bound()
			if a := (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]); a > area {
				best, area = p, a
			}
		}
		return best
	}
	return nil
}

// xy projects a WGS84 point to page millimetres.
func (p *panel) xy(q orb.Point) (float64, float64) {
	x, y := p.proj.forward(q[0], q[1])
	return p.x + (x-p.pb.Min[0])*p.scale, p.y + (y-p.pb.Min[1])*p.scale
}

// inside reports whether the page point lies in the panel rectangle.
func (p *panel) inside(x, y float64) bool {
	return x >= p.x && x <= p.x+p.w && y >= p.y && y <= p.y+p.h
}

func (m *countryMap) draw(lay layerFunc, fam *canvas.FontFamily) {
	W, H := m.o.WidthMM, m.o.HeightMM
	ctx := lay(layerBase)
	ctx.SetFillColor(color.White)
	ctx.DrawPath(0, 0, canvas.Rectangle(W, H))
	for _, p := range m.panels {
		m.drawPanel(lay, fam, p)
	}

	// Page margins over the map bleed, and the map frames.
	ctx = lay(layerFrames)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.SetFillColor(color.White)
	ctx.DrawPath(0, 0, canvas.Rectangle(W, m.mapY))
	ctx.DrawPath(0, m.mapY+m.mapH, canvas.Rectangle(W, H-m.mapY-m.mapH))
	ctx.DrawPath(0, 0, canvas.Rectangle(m.mapX, H))
	ctx.DrawPath(m.mapX+m.mapW, 0, canvas.Rectangle(W-m.mapX-m.mapW, H))
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(borderColor)
	ctx.SetStrokeWidth(0.3)
	for _, p := range m.panels {
		ctx.DrawPath(p.x, p.y, canvas.Rectangle(p.w, p.h))
	}
	m.drawBands(lay(layerLinks), fam, m.flowGates())
	m.drawInsets(lay(layerOverseas), fam)

	// Names, placed so that none collides (labels.go).
	labels, markers, dropped := m.layoutLabels(fam)
	m.dropped = dropped
	ctx = lay(layerNames)
	for n, ls := range labels {
		for _, l := range ls {
			if !l.placed {
				continue
			}
			if l.leader && l.own >= 0 {
				x0, y0, x1, y1 := l.leaderLine(markers[n][l.own])
				seg := &canvas.Path{}
				seg.MoveTo(x0, y0)
				seg.LineTo(x1, y1)
				ctx.SetFillColor(canvas.Transparent)
				ctx.SetStrokeColor(mutedColor)
				ctx.SetStrokeWidth(0.15)
				ctx.DrawPath(0, 0, seg)
			}
			// A pale knockout under the name, so that the links crossing
			// it do not hide it (its box covers no point: labels.go).
			ctx.SetStrokeColor(canvas.Transparent)
			ctx.SetFillColor(withAlpha(color.RGBA{255, 255, 255, 255}, 0.6))
			ctx.DrawPath(l.box.x0, l.box.y0, canvas.Rectangle(l.box.x1-l.box.x0, l.box.y1-l.box.y0))
			ctx.SetFillColor(l.face.Fill.Color)
			ctx.DrawText(l.x, l.y, canvas.NewTextLine(l.face, l.text, canvas.Left))
		}
	}

	m.drawText(lay, fam)
}

// drawPanel draws the sea, the land, the arcs and the points of one panel.
func (m *countryMap) drawPanel(lay layerFunc, fam *canvas.FontFamily, pn *panel) {
	ds := m.snap.Dataset()
	ctx := lay(layerBase)
	// Sea and land: the single frame is clipped by drawing the page margins
	// over it afterwards, the panels of the two-panel layout geometrically.
	ctx.SetFillColor(seaColor)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.DrawPath(pn.x, pn.y, canvas.Rectangle(pn.w, pn.h))
	wide := orb.Bound{Min: orb.Point{pn.frame.Min[0] - 5, pn.frame.Min[1] - 5}, Max: orb.Point{pn.frame.Max[0] + 5, pn.frame.Max[1] + 5}}
	ctx.SetStrokeColor(borderColor)
	ctx.SetStrokeWidth(0.15)
	for k, b := range ds.CountryShapes {
		if !b.Geometry.Bound().Intersects(wide) {
			continue
		}
		fill := landColor
		switch b.ID {
		case "FR":
			fill = franceColor
		case m.country.ISO2:
			fill = partnerLand
		}
		ctx.SetFillColor(fill)
		p := pn.polygonPath(m.snap.Geometry(index.LayerCountries, int32(k)))
		if p != nil {
			ctx.DrawPath(0, 0, p)
		}
	}

	// Two panels: flows bundled by kind (flows.go); otherwise arcs.
	ctx = lay(layerLinks)
	if gs := m.flowGates(); gs != nil && (pn == m.panels[0] || pn == m.panels[1]) {
		if pn == m.panels[0] {
			m.drawFlows(ctx, 0, gs)
		} else {
			m.drawFlows(ctx, 1, gs)
		}
		m.drawPoints(lay(layerPoints), pn)
		return
	}
	if !slices.Contains(m.panels, pn) {
		// An overseas inset shows its collectivités: its arcs would only
		// leave it (and, across the antimeridian, cross it from edge to edge).
		m.drawPoints(lay(layerPoints), pn)
		return
	}
	// Arcs, coloured by kind.
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeWidth(math.Max(0.12, 0.35-float64(len(m.ids))/4000))
	alpha := math.Max(0.15, math.Min(0.7, 60/math.Sqrt(float64(len(m.ids))+1)/10))
	for _, i := range m.ids {
		a, pt := m.snap.PartnershipEnds(i)
		ml := atlas.Arc(ds.Authorities[a].Point, ds.Partners[pt].Point, 50)
		ctx.SetStrokeColor(withAlpha(kindColors[ds.Partnerships[i].Kind], alpha))
		for _, l := range ml {
			pts := make([][2]float64, len(l))
			for n, q := range l {
				pts[n][0], pts[n][1] = pn.xy(q)
			}
			var path *canvas.Path
			if pn.clip {
				path = clipLine(pts, pn.x, pn.y, pn.x+pn.w, pn.y+pn.h)
			} else {
				path = &canvas.Path{}
				for n, q := range pts {
					if n == 0 {
						path.MoveTo(q[0], q[1])
					} else {
						path.LineTo(q[0], q[1])
					}
				}
			}
			if !path.Empty() {
				ctx.DrawPath(0, 0, path)
			}
		}
	}

	m.drawPoints(lay(layerPoints), pn)
}

// drawPoints draws the partners, then the French authorities (largest
// types below), of a panel.
func (m *countryMap) drawPoints(ctx *canvas.Context, pn *panel) {
	ds := m.snap.Dataset()
	// Points: partners, then French authorities (largest types below).
	ctx.SetStrokeColor(color.White)
	ctx.SetStrokeWidth(0.15)
	ctx.SetFillColor(partnerColor)
	for _, p := range m.partners {
		x, y := pn.xy(ds.Partners[p].Point)
		if pn.clip && !pn.inside(x, y) {
			continue
		}
		ctx.DrawPath(x, y, canvas.Circle(0.7))
	}
	if pn == m.panels[len(m.panels)-1] { // the partner country's panel
		for _, pl := range m.places {
			if x, y := pn.xy(pl.point); pn.inside(x, y) {
				drawPlace(ctx, x, y, pl.capital)
			}
		}
	}
	ctx.SetStrokeColor(color.White)
	ctx.SetStrokeWidth(0.15)
	radius := authorityRadius
	for _, a := range m.auths {
		au := ds.Authorities[a]
		if !pn.frame.Contains(au.Point) {
			continue
		}
		ctx.SetFillColor(typeColors[au.Type])
		x, y := pn.xy(au.Point)
		ctx.DrawPath(x, y, canvas.Circle(radius[au.Type]))
	}
}

// clipLine returns the parts of the page polyline inside the rectangle
// (Liang–Barsky on each segment).
func clipLine(pts [][2]float64, x0, y0, x1, y1 float64) *canvas.Path {
	path := &canvas.Path{}
	open := false
	for n := 1; n < len(pts); n++ {
		ax, ay, bx, by := pts[n-1][0], pts[n-1][1], pts[n][0], pts[n][1]
		dx, dy := bx-ax, by-ay
		t0, t1 := 0.0, 1.0
		ok := true
		for _, e := range [4][2]float64{{-dx, ax - x0}, {dx, x1 - ax}, {-dy, ay - y0}, {dy, y1 - ay}} {
			p, q := e[0], e[1]
			if p == 0 {
				if q < 0 {
					ok = false
					break
				}
				continue
			}
			r := q / p
			if p < 0 {
				t0 = math.Max(t0, r)
			} else {
				t1 = math.Min(t1, r)
			}
		}
		if !ok || t0 > t1 {
			open = false
			continue
		}
		if !open || t0 > 0 {
			path.MoveTo(ax+t0*dx, ay+t0*dy)
		}
		path.LineTo(ax+t1*dx, ay+t1*dy)
		open = t1 == 1
	}
	return path
}

// clipRing clips a closed page ring to the rectangle (Sutherland–Hodgman).
func clipRing(pts [][2]float64, x0, y0, x1, y1 float64) [][2]float64 {
	edges := []func(q [2]float64) float64{
		func(q [2]float64) float64 { return q[0] - x0 },
		func(q [2]float64) float64 { return x1 - q[0] },
		func(q [2]float64) float64 { return q[1] - y0 },
		func(q [2]float64) float64 { return y1 - q[1] },
	}
	for _, in := range edges {
		if len(pts) == 0 {
			break
		}
		out := make([][2]float64, 0, len(pts))
		prev := pts[len(pts)-1]
		for _, cur := range pts {
			dp, dc := in(prev), in(cur)
			if (dp >= 0) != (dc >= 0) {
				t := dp / (dp - dc)
				out = append(out, [2]float64{prev[0] + t*(cur[0]-prev[0]), prev[1] + t*(cur[1]-prev[1])})
			}
			if dc >= 0 {
				out = append(out, cur)
			}
			prev = cur
		}
		pts = out
	}
	return pts
}

// polygonPath returns the page path of a (multi)polygon, nil when empty.
func (pn *panel) polygonPath(g orb.Geometry) *canvas.Path {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	wide := orb.Bound{Min: orb.Point{pn.frame.Min[0] - 5, pn.frame.Min[1] - 5}, Max: orb.Point{pn.frame.Max[0] + 5, pn.frame.Max[1] + 5}}
	path := &canvas.Path{}
	for _, p := range polys {
		for _, r := range p {
			if len(r) < 3 {
				continue
			}
			// Skip rings far outside the frame.
			if !r.Bound().Intersects(wide) {
				continue
			}
			pts := make([][2]float64, len(r))
			for n, q := range r {
				pts[n][0], pts[n][1] = pn.xy(q)
			}
			if pn.clip {
				pts = clipRing(pts, pn.x, pn.y, pn.x+pn.w, pn.y+pn.h)
				if len(pts) < 3 {
					continue
				}
			}
			for n, q := range pts {
				if n == 0 {
					path.MoveTo(q[0], q[1])
				} else {
					path.LineTo(q[0], q[1])
				}
			}
			path.Close()
		}
	}
	if path.Empty() {
		return nil
	}
	return path
}

func (m *countryMap) drawText(lay layerFunc, fam *canvas.FontFamily) {
	W, H := m.o.WidthMM, m.o.HeightMM
	ctx := lay(layerTitle)
	k := k0(W, H) // type scale: 1 on A4
	margin := pageMargin(W)

	// The publisher, right-aligned in the title band, when the title
	// leaves it room; the title grows (to a third larger) into the room
	// left.
	pub := fam.Face(9*k, inkColor, canvas.FontBold)
	org := fam.Face(7*k, mutedColor, canvas.FontRegular)
	size := 18 * k
	band := W - 2*margin
	tw := fam.Face(size, inkColor, canvas.FontBold).TextWidth(m.title())
	if pw := math.Max(pub.TextWidth(Author), org.TextWidth(Publisher)); tw+pw+10*k < band {
		ctx.SetFillColor(inkColor)
		ctx.DrawText(W-margin, H-margin-4*k, canvas.NewTextLine(pub, Author, canvas.Right))
		ctx.DrawText(W-margin, H-margin-8.5*k, canvas.NewTextLine(org, Publisher, canvas.Right))
		ctx.DrawText(W-margin, H-margin-12.5*k, canvas.NewTextLine(org, "Fonds : données "+m.edition(), canvas.Right))
		size *= math.Min(4.0/3, (band-pw-10*k)/tw)
	}

	title := fam.Face(size, inkColor, canvas.FontBold)
	sub := fam.Face(9.5*k, mutedColor, canvas.FontRegular)
	ctx.DrawText(margin, H-margin-6*k, canvas.NewTextLine(title, m.title(), canvas.Left))
	subtitle := fmt.Sprintf("%d partenariats · %d collectivités françaises · %d autorités partenaires", len(m.ids), len(m.auths), len(m.partners))
	if m.y0 != 0 {
		subtitle += fmt.Sprintf(" · débuts de %d à %d", m.y0, m.y1)
	}
	ctx.DrawText(margin, H-margin-12.5*k, canvas.NewTextLine(sub, subtitle, canvas.Left))

	ctx = lay(layerLegend)
	m.drawLegend(ctx, k, m.legendW)
	m.drawChart(ctx, fam)

	// Captions and scale bars (true at each frame's middle latitude), then
	// credits.
	foot := fam.Face(6.5*k, mutedColor, canvas.FontRegular)
	ctx = lay(layerScales)
	for _, p := range m.panels {
		if p.caption != "" {
			ctx.SetFillColor(inkColor)
			ctx.DrawText(p.x, p.y+p.h+1.8*k, canvas.NewTextLine(fam.Face(9*k, inkColor, canvas.FontBold), p.caption, canvas.Left))
		}
		m.drawScale(ctx, fam, p, k)
	}

	ctx = lay(layerCredits)
	ctx.SetFillColor(mutedColor)
	ctx.DrawText(m.creditsX, m.creditsTop, canvas.NewTextBox(foot, m.credits, m.creditsW, 0, canvas.Left, canvas.Top, nil))
}

// drawScale draws the scale bar of a panel, true at its centre (the
// projection's scale factor there taken out), and names the projection.
func (m *countryMap) drawScale(ctx *canvas.Context, fam *canvas.FontFamily, p *panel, k float64) {
	c := p.frame.Center()
	kmPerMM := 1 / (p.scale * 1000 * p.proj.scale(c[1]))
	target := math.Min(30, p.w*0.35) * kmPerMM
	step := math.Pow(10, math.Floor(math.Log10(target)))
	for _, f := range []float64{5, 2, 1} {
		if f*step <= target {
			step *= f
			break
		}
	}
	barMM := step / kmPerMM
	bx, by := p.x+3, p.y+3
	ctx.SetFillColor(inkColor)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.DrawPath(bx, by, canvas.Rectangle(barMM, 0.8))
	ctx.DrawText(bx+barMM+1.5, by, canvas.NewTextLine(fam.Face(7*k, inkColor, canvas.FontRegular), fmt.Sprintf("%g km (%s)", step, p.proj.name()), canvas.Left))
}
