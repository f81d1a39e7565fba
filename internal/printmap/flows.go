package printmap

import (
	"math"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/tdewolff/canvas"
)

// Flows of the two-panel layout. An arc from France to a far country would
// leave one panel and enter the other somewhere unrelated; instead, the
// partnerships are bundled by kind: in the France panel a line runs from
// each French collectivité to its kind's gate on the edge facing the partner
// panel, a band as wide as the kind's count joins that gate to the facing
// edge of the partner panel across the gap, and a line runs from there to
// each partner. The gates of the kinds sit side by side, centred on the
// facing edges, in the legend's order.

// gate is where one kind's bundle crosses a panel's facing edge, page mm.
type gate struct {
	kind       atlas.Kind
	n          int     // partnerships of the kind
	width      float64 // of the band, mm
	fx, fy     float64 // on the France panel's facing edge
	px, py     float64 // on the partner panel's facing edge
	horizontal bool    // panels side by side (bands run left to right)
}

// bandMM is the width of a band per partnership, and maxBandMM its most.
const (
	bandMM    = 0.08
	minBandMM = 0.4
	maxBandMM = 5.0
)

// flowGates returns the gates of the two-panel layout, one per kind with
// partnerships, or nil for a single frame.
func (m *countryMap) flowGates() []gate {
	if len(m.panels) != 2 {
		return nil
	}
	fr, pa := m.panels[0], m.panels[1]
	horizontal := pa.x >= fr.x+fr.w // side by side; otherwise stacked
	var gs []gate
	total := 0.0
	for _, k := range atlas.Kinds() {
		n := m.byKind[k]
		if n == 0 {
			continue
		}
		w := math.Min(maxBandMM, math.Max(minBandMM, float64(n)*bandMM))
		gs = append(gs, gate{kind: k, n: n, width: w, horizontal: horizontal})
		total += w
	}
	const space = 1.0 // between bands, mm
	total += space * float64(len(gs)-1)
	if horizontal {
		// Centred on the part of the edges both panels share.
		lo, hi := math.Max(fr.y, pa.y), math.Min(fr.y+fr.h, pa.y+pa.h)
		at := (lo+hi)/2 + total/2
		for i := range gs {
			c := at - gs[i].width/2
			gs[i].fx, gs[i].fy = fr.x+fr.w, c
			gs[i].px, gs[i].py = pa.x, c
			at -= gs[i].width + space
		}
	} else {
		lo, hi := math.Max(fr.x, pa.x), math.Min(fr.x+fr.w, pa.x+pa.w)
		at := (lo+hi)/2 - total/2
		for i := range gs {
			c := at + gs[i].width/2
			gs[i].fx, gs[i].fy = c, fr.y
			gs[i].px, gs[i].py = c, pa.y+pa.h
			at += gs[i].width + space
		}
	}
	return gs
}

// flowLine is the curve from a point (x, y) to its gate (gx, gy), leaving
// the gate square to the edge (horizontally when the panels stand side by
// side): a cubic Bézier whose second control point lies on the gate's
// normal.
func flowLine(x, y, gx, gy float64, horizontal bool) *canvas.Path {
	p := &canvas.Path{}
	p.MoveTo(x, y)
	if horizontal {
		d := math.Abs(gx-x) * 0.5
		p.CubeTo(x+(gx-x)*0.25, y, gx-math.Copysign(d, gx-x), gy, gx, gy)
	} else {
		d := math.Abs(gy-y) * 0.5
		p.CubeTo(x, y+(gy-y)*0.25, gx, gy-math.Copysign(d, gy-y), gx, gy)
	}
	return p
}

// drawFlows draws the lines of panel n (0: France, 1: partner) to the gates.
func (m *countryMap) drawFlows(ctx *canvas.Context, n int, gs []gate) {
	ds := m.snap.Dataset()
	pn := m.panels[n]
	at := map[atlas.Kind]gate{}
	for _, g := range gs {
		at[g.kind] = g
	}
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeWidth(math.Max(0.12, 0.3-float64(len(m.ids))/4000))
	alpha := math.Max(0.2, math.Min(0.7, 60/math.Sqrt(float64(len(m.ids))+1)/10))
	for _, i := range m.ids {
		a, pt := m.snap.PartnershipEnds(i)
		kind := ds.Partnerships[i].Kind
		g := at[kind]
		var x, y, gx, gy float64
		if n == 0 {
			if !pn.frame.Contains(ds.Authorities[a].Point) {
				continue // overseas: in its inset
			}
			x, y = pn.xy(ds.Authorities[a].Point)
			gx, gy = g.fx, g.fy
		} else {
			x, y = pn.xy(ds.Partners[pt].Point)
			if !pn.inside(x, y) {
				continue
			}
			gx, gy = g.px, g.py
		}
		ctx.SetStrokeColor(withAlpha(kindColors[kind], alpha))
		ctx.DrawPath(0, 0, flowLine(x, y, gx, gy, g.horizontal))
	}
}

// drawBands draws the bands joining the gates across the gap between the
// panels, with their counts.
func (m *countryMap) drawBands(ctx *canvas.Context, fam *canvas.FontFamily, gs []gate) {
	ctx.SetFillColor(canvas.Transparent)
	for _, g := range gs {
		ctx.SetStrokeColor(withAlpha(kindColors[g.kind], 0.85))
		ctx.SetStrokeWidth(g.width)
		band := &canvas.Path{}
		band.MoveTo(g.fx, g.fy)
		band.LineTo(g.px, g.py)
		ctx.DrawPath(0, 0, band)
	}
}
