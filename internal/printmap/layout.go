package printmap

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
	"github.com/tdewolff/canvas"
)

// The page, from the top: a title band (title and key figures on the left,
// the publisher on the right), then the map frames on the left and the
// legend column on the right, down to the bottom margin. The column holds,
// from its top: the legend, the overseas insets, a chart of the
// partnerships' start years that takes the height left, and the credits.
// When the credits do not fit in the column (a flat page), they run under
// the map across the page. Every frame is grown to fill its cell (more of
// the surroundings is shown), so that the page has no holes: see
// TestPagesAreFilled for the measure.

// legendRow is one line of the legend column.
type legendRow struct {
	text   string
	face   *canvas.FontFace
	indent float64                                 // text offset from the column's left edge, mm
	count  string                                  // a figure, right-aligned in the column after dot leaders
	space  float64                                 // blank above the line, in lines
	swatch func(ctx *canvas.Context, x, y float64) // its symbol, drawn at the line's baseline
}

// legend returns the legend's rows at text scale k. The row naming how many
// names were dropped is written once they are placed (labels.go); its line
// is always reserved.
func (m *countryMap) legend(fam *canvas.FontFamily, k float64) []legendRow {
	head := fam.Face(9*k, inkColor, canvas.FontBold)
	item := fam.Face(8*k, inkColor, canvas.FontRegular)
	note := fam.Face(7*k, mutedColor, canvas.FontRegular)
	rows := []legendRow{{text: "Collectivités françaises", face: head}}
	for _, t := range atlas.AuthorityTypes() {
		c := typeColors[t]
		rows = append(rows, legendRow{text: t.Label(), count: fmt.Sprint(m.byType[t]), face: item, indent: 4.5 * k,
			swatch: func(ctx *canvas.Context, x, y float64) { dot(ctx, x+1.5*k, y+1*k, 1.3*k, c) }})
	}
	rows = append(rows, legendRow{text: "Autorité partenaire", count: fmt.Sprint(len(m.partners)), face: item, indent: 4.5 * k,
		swatch: func(ctx *canvas.Context, x, y float64) { dot(ctx, x+1.5*k, y+1*k, 0.9*k, partnerColor) }})
	if len(m.places) > 0 {
		rows = append(rows, legendRow{text: "Ville principale (pleine : capitale)", face: item, indent: 4.5 * k,
			swatch: func(ctx *canvas.Context, x, y float64) { drawPlace(ctx, x+1.5*k, y+1*k, false) }})
	}
	rows = append(rows, legendRow{text: "Partenariats", face: head, space: 0.5})
	for _, kd := range atlas.Kinds() {
		c := kindColors[kd]
		rows = append(rows, legendRow{text: kd.Label(), count: fmt.Sprint(m.byKind[kd]), face: item, indent: 4.5 * k,
			swatch: func(ctx *canvas.Context, x, y float64) {
				ctx.SetFillColor(canvas.Transparent)
				ctx.SetStrokeColor(c)
				ctx.SetStrokeWidth(0.6 * k)
				seg := &canvas.Path{}
				seg.MoveTo(0, 0)
				seg.LineTo(3.5*k, 0)
				ctx.DrawPath(x, y+1*k, seg)
			}})
	}
	if m.y0 != 0 {
		rows = append(rows, legendRow{text: "Nom, AAAA : première année de partenariat", face: note, space: 0.3})
	}
	rows = append(rows, legendRow{text: droppedRow, face: note})
	if m.synth {
		rows = append(rows, legendRow{text: "Données en partie synthétiques", face: fam.Face(8*k, warnColor, canvas.FontBold), space: 0.5})
	}
	return rows
}

// droppedRow stands for the row that counts the names left out.
const droppedRow = "\x00dropped"

// dot draws a filled point with a thin white ring.
func dot(ctx *canvas.Context, x, y, r float64, c color.RGBA) {
	ctx.SetFillColor(c)
	ctx.SetStrokeColor(color.White)
	ctx.SetStrokeWidth(0.15)
	ctx.DrawPath(x, y, canvas.Circle(r))
}

// legendSize is the width and height of the legend rows, mm: one line is
// 5 mm at text scale 1, plus the blank the rows ask for.
func legendSize(rows []legendRow, k float64) (w, h float64) {
	for _, r := range rows {
		text := r.text
		if text == droppedRow {
			text = "999 noms non placés, faute de place"
		}
		tw := r.indent + r.face.TextWidth(text)
		if r.count != "" {
			tw += 8*k + r.face.TextWidth(r.count)
		}
		w = math.Max(w, tw)
		h += (1 + r.space) * 5 * k
	}
	return w, h
}

// layout places every block of the page; see the comment at the top of
// this file.
func (m *countryMap) layout(fam *canvas.FontFamily, partnerBound orb.Bound) {
	W, H, k := m.o.WidthMM, m.o.HeightMM, k0(m.o.WidthMM, m.o.HeightMM)
	margin := pageMargin(W)
	m.rows = m.legend(fam, k)
	lw, lh := legendSize(m.rows, k)
	colW := math.Max(lw, 40*k)
	m.legendW = colW
	gutter := 5 * k
	top := H - margin - titleBand*k
	colX := W - margin - colW
	m.legendX, m.legendTop = colX, top-4*k

	// Credits: at the bottom of the column when it has room for them under
	// the legend (and a row of insets), else across the page.
	m.credits = atlas.Credits()
	if m.synth {
		m.credits = SyntheticNotice + " " + m.credits
	}
	foot := fam.Face(6.5*k, mutedColor, canvas.FontRegular)
	inColumn := canvas.NewTextBox(foot, m.credits, colW, 0, canvas.Left, canvas.Top, nil)
	_, ch := inColumn.Size()
	colBottom := margin
	mapBottom := margin
	need := lh + 6*k + ch + 4*k
	if m.wantsInsets() {
		need += 24 * k
	}
	if need <= top-margin {
		m.creditsX, m.creditsTop, m.creditsW = colX, margin+ch, colW
		colBottom = margin + ch + 4*k
	} else {
		across := canvas.NewTextBox(foot, m.credits, W-2*margin, 0, canvas.Left, canvas.Top, nil)
		_, ah := across.Size()
		m.creditsX, m.creditsTop, m.creditsW = margin, margin+ah, W-2*margin
		mapBottom = margin + ah + 3*k
		colBottom = mapBottom
	}

	// The frames, each filling its cell.
	availW, availH := colX-gutter-margin, top-mapBottom
	if m.country.ISO2 != "FR" && twoPanels(partnerBound) {
		capH := 6 * k // caption band above each panel
		gap := math.Max(6, W*0.02)
		fr, pa := newPanel(pad(metropole), lambert93), newPanel(pad(partnerBound), projectionFor(pad(partnerBound)))
		fr.caption, pa.caption = "France métropolitaine", m.country.NameFR
		fr.clip, pa.clip = true, true
		a0, a1 := fr.aspect(), pa.aspect()
		// Side by side, widths shared by aspect; or one above the other
		// (France on top), heights shared by aspect: whichever shows the
		// countries larger.
		w0 := (availW - gap) * a0 / (a0 + a1)
		hs := availH - 2*capH - gap
		h0 := hs * (1 / a0) / (1/a0 + 1/a1)
		if fitted(*fr, availW, h0)+fitted(*pa, availW, hs-h0) > 1.1*(fitted(*fr, w0, availH-capH)+fitted(*pa, availW-gap-w0, availH-capH)) {
			fr.fill(margin, top-capH-h0, availW, h0)
			pa.fill(margin, mapBottom, availW, hs-h0)
		} else {
			fr.fill(margin, mapBottom, w0, availH-capH)
			pa.fill(margin+w0+gap, mapBottom, availW-gap-w0, availH-capH)
		}
		m.panels = []*panel{fr, pa}
	} else {
		frame := metropole
		if m.country.ISO2 != "FR" {
			frame = frame.Union(partnerBound)
		}
		p := newPanel(pad(frame), lambert93)
		p.fill(margin, mapBottom, availW, availH)
		m.panels = []*panel{p}
	}
	m.mapX, m.mapY = math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, p := range m.panels {
		m.mapX, m.mapY = math.Min(m.mapX, p.x), math.Min(m.mapY, p.y)
		x1, y1 = math.Max(x1, p.x+p.w), math.Max(y1, p.y+p.h)
	}
	m.mapW, m.mapH = x1-m.mapX, y1-m.mapY

	// Overseas France under the legend, under an "Outre-mer" heading; in
	// the France panel's lower left corner (the Atlantic) when the column
	// has no room.
	m.insetTop = m.legendTop - lh
	ix, iy, iw, ih := colX, colBottom, colW, m.insetTop-6*k-colBottom
	if ih < 20*k {
		fr := m.panels[0]
		ix, iy, iw, ih = fr.x+2.5*k, fr.y+9*k, fr.w*0.5, fr.h*0.45
		m.insetTop = iy + ih + 6*k
	}
	m.insets = overseasInsets(m.snap, m.auths, m.panels[0], ix, iy, iw, ih, k)

	// The start-years chart takes what the column has left.
	m.chart = rect{colX, colBottom, colX + colW, m.legendTop - lh}
	if len(m.insets) > 0 {
		low := m.insetTop
		for _, p := range m.insets {
			low = math.Min(low, p.y)
		}
		m.chart.y1 = math.Min(m.chart.y1, low-2*k)
		if ix != colX { // the insets are in the map
			m.chart.y1 = m.legendTop - lh
		}
	}
	if m.chart.y1-m.chart.y0 < 28*k || m.y0 == 0 {
		m.chart = rect{}
	}
}

// pageMargin is the blank border of a page W mm wide, mm.
func pageMargin(W float64) float64 { return math.Max(6, W*0.025) }

// titleBand is the height of the title band at text scale 1, mm.
const titleBand = 16.0

// wantsInsets reports whether an overseas authority takes part.
func (m *countryMap) wantsInsets() bool {
	ds := m.snap.Dataset()
	for _, a := range m.auths {
		if !pad(metropole).Contains(ds.Authorities[a].Point) {
			return true
		}
	}
	return false
}

// fitted is the area p would take, mm², fitted in a cw × ch cell.
func fitted(p panel, cw, ch float64) float64 {
	p.fit(0, 0, cw, ch)
	return p.w * p.h
}

// fill places the panel in the cell, as fit does, then widens its frame
// to the cell's aspect about its centre: the cell is filled, with more of
// the surroundings, at the scale fit chose.
func (p *panel) fill(cx, cy, cw, ch float64) {
	p.fit(cx, cy, cw, ch)
	gx, gy := cw/p.w, ch/p.h
	c := p.pb.Center()
	hw, hh := (p.pb.Max[0]-p.pb.Min[0])*gx/2, (p.pb.Max[1]-p.pb.Min[1])*gy/2
	p.pb = orb.Bound{Min: orb.Point{c[0] - hw, c[1] - hh}, Max: orb.Point{c[0] + hw, c[1] + hh}}
	// The WGS84 frame grows alike (it selects what is drawn, with a wide
	// allowance around it).
	fc := p.frame.Center()
	fw, fh := (p.frame.Max[0]-p.frame.Min[0])*gx/2, (p.frame.Max[1]-p.frame.Min[1])*gy/2
	p.frame = orb.Bound{
		Min: orb.Point{math.Max(-180, fc[0]-fw), math.Max(-85, fc[1]-fh)},
		Max: orb.Point{math.Min(180, fc[0]+fw), math.Min(85, fc[1]+fh)},
	}
	p.x, p.y, p.w, p.h = cx, cy, cw, ch
}

// drawChart draws the partnerships by decade of their start year, in the
// rectangle the layout left for it: bars with their counts, every decade
// from the first to the last shown, empty ones as zero.
func (m *countryMap) drawChart(ctx *canvas.Context, fam *canvas.FontFamily) {
	r := m.chart
	if r == (rect{}) {
		return
	}
	k := k0(m.o.WidthMM, m.o.HeightMM)
	d0 := m.y0 / 10 * 10
	counts := m.decades()
	top := max(1, slices.Max(counts))
	head := fam.Face(9*k, inkColor, canvas.FontBold)
	small := fam.Face(5.5*k, mutedColor, canvas.FontRegular)
	ctx.SetFillColor(inkColor)
	ctx.DrawText(r.x0, r.y1-3*k, canvas.NewTextLine(head, "Débuts par décennie", canvas.Left))
	bx0, bx1 := r.x0+0.5*k, r.x1-1*k
	by0, by1 := r.y0+4*k, r.y1-10*k // room for the decades under, the counts above
	slot := (bx1 - bx0) / float64(len(counts))
	// Every decade is named when there is room, else every other one.
	every := 1
	if small.TextWidth("2000") > slot*0.95 {
		every = 2
	}
	for n, c := range counts {
		x := bx0 + float64(n)*slot
		h := (by1 - by0) * float64(c) / float64(top)
		ctx.SetStrokeColor(canvas.Transparent)
		ctx.SetFillColor(kindColors[atlas.Jumelage])
		if c > 0 {
			ctx.DrawPath(x+slot*0.12, by0, canvas.Rectangle(slot*0.76, math.Max(h, 0.2)))
		}
		ctx.SetFillColor(inkColor)
		ctx.DrawText(x+slot/2, by0+h+1*k, canvas.NewTextLine(small, fmt.Sprint(c), canvas.Center))
		if n%every == 0 {
			ctx.SetFillColor(mutedColor)
			ctx.DrawText(x+slot/2, r.y0+1.2*k, canvas.NewTextLine(small, fmt.Sprint(d0+10*n), canvas.Center))
		}
	}
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(borderColor)
	ctx.SetStrokeWidth(0.2)
	// Light rules every round step, to read the bars against.
	step := niceStep(float64(top) / 4)
	ctx.SetStrokeColor(ruleColor)
	ctx.SetStrokeWidth(0.12)
	for v := step; v <= float64(top); v += step {
		y := by0 + (by1-by0)*v/float64(top)
		rule := &canvas.Path{}
		rule.MoveTo(bx0, y)
		rule.LineTo(bx1, y)
		ctx.DrawPath(0, 0, rule)
	}
	ctx.SetStrokeColor(borderColor)
	ctx.SetStrokeWidth(0.2)
	base := &canvas.Path{}
	base.MoveTo(bx0, by0)
	base.LineTo(bx1, by0)
	ctx.DrawPath(0, 0, base)
}

// niceStep is the round number (1, 2 or 5 times a power of ten, at least
// 1) nearest above x.
func niceStep(x float64) float64 {
	if x <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= x {
			return f * p
		}
	}
	return 10 * p
}

// drawLegend draws the legend rows from the column's top.
func (m *countryMap) drawLegend(ctx *canvas.Context, k, colW float64) {
	ly := m.legendTop
	for _, r := range m.rows {
		ly -= r.space * 5 * k
		text := r.text
		if text == droppedRow {
			if m.dropped == 0 {
				ly -= 5 * k
				continue
			}
			text = fmt.Sprintf("%d noms non placés, faute de place", m.dropped)
		}
		if r.swatch != nil {
			r.swatch(ctx, m.legendX, ly)
		}
		ctx.SetFillColor(inkColor)
		ctx.SetStrokeColor(canvas.Transparent)
		ctx.DrawText(m.legendX+r.indent, ly, canvas.NewTextLine(r.face, text, canvas.Left))
		if r.count != "" {
			// The figures aligned on the column's right edge, joined to
			// their labels by dot leaders.
			right := m.legendX + colW
			ctx.DrawText(right, ly, canvas.NewTextLine(r.face, r.count, canvas.Right))
			x0 := m.legendX + r.indent + r.face.TextWidth(text) + 1.5*k
			x1 := right - r.face.TextWidth(r.count) - 1.5*k
			ctx.SetFillColor(mutedColor)
			for x := x0 + 0.6*k; x < x1; x += 1.2 * k {
				ctx.DrawPath(x, ly+0.4*k, canvas.Circle(0.18*k))
			}
		}
		ly -= 5 * k
	}
}

// decades counts the partnerships by decade of their start year, from the
// first year's decade to the last's (empty decades as zero).
func (m *countryMap) decades() []int {
	ds := m.snap.Dataset()
	d0, d1 := m.y0/10*10, m.y1/10*10
	counts := make([]int, (d1-d0)/10+1)
	for _, i := range m.ids {
		if y := ds.Partnerships[i].StartYear; y != 0 {
			counts[(y/10*10-d0)/10]++
		}
	}
	return counts
}
