package printmap

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb/planar"
	"github.com/tdewolff/canvas"
)

// Names on the map. Each panel's labels are placed by placeLabels, in order
// of rank, each at the first of eight positions around its point (the
// cartographer's order: right-above, right, right-below, left-above, left,
// left-below, above, below; then the same again 3 mm away, with a leader
// line; then again 6 mm away) where its box stays inside the panel, meets no
// label placed before and covers no point but its own, nor the scale bar;
// a label with no such position is dropped, and the legend counts the
// dropped ones. Ranks:
//   - in a partner panel, every partner authority (at most maxPartnerLabels),
//     those with the most partnerships first, then the most populous: its
//     name and its first start year;
//   - the partner country's main places that are not partners (places.go):
//     its capital before the partners, the others after them, by
//     population, at most maxPlaceLabels;
//   - in the France panel, the participating régions, then départements
//     (at most maxFrenchLabels French names in all), then the names of
//     the régions that do not take part, in capitals at their centre
//     (moved by up to two lines, or a quarter of their length, where a
//     point is in the way), then the other collectivités by population.
//
// A single frame (a country near France) takes both.

// maxPartnerLabels and maxFrenchLabels bound the names tried per panel.
const (
	maxPartnerLabels = 40
	maxFrenchLabels  = 14
	maxPlaceLabels   = 8
)

// rect is a page rectangle, mm.
type rect struct{ x0, y0, x1, y1 float64 }

func (a rect) overlaps(b rect) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

func (a rect) within(b rect) bool {
	return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1
}

// marker is a drawn point: its centre and radius, and its owner.
type marker struct {
	x, y, r float64
	id      int // index of the marker, to tell a label's own
}

func (m marker) box() rect { return rect{m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r} }

// label is a name to place next to a marker.
type label struct {
	text    string
	face    *canvas.FontFace
	own     int     // the marker it names; -1 for an area's name
	ax, ay  float64 // an area name's anchor
	placed  bool
	box     rect    // once placed
	x, y    float64 // text origin (baseline, left) once placed
	ascent  float64
	descent float64
	leader  bool // placed away from its point, with a leader line
}

// leaderMM is how far from its point the second ring of positions (and
// twice as far, the third) puts a
// label, which a leader line then joins to it.
const leaderMM = 3.0

// leaderLine returns the leader of a label placed away from its point m:
// from the point's edge to the nearest point of the label's box.
func (l *label) leaderLine(m marker) (x0, y0, x1, y1 float64) {
	x1 = math.Max(l.box.x0, math.Min(m.x, l.box.x1))
	y1 = math.Max(l.box.y0, math.Min(m.y, l.box.y1))
	dx, dy := x1-m.x, y1-m.y
	d := math.Hypot(dx, dy)
	if d == 0 {
		return m.x, m.y, m.x, m.y
	}
	return m.x + dx/d*m.r, m.y + dy/d*m.r, x1, y1
}

// placeLabels places labels in order (see above) among markers, inside
// bound, avoiding the obstacles; it returns how many it dropped.
func placeLabels(labels []*label, markers []marker, bound rect, obstacles []rect) int {
	dropped := 0
	var placed []rect
	for _, l := range labels {
		w := l.face.TextWidth(l.text)
		h := l.ascent + l.descent
		var cands [][2]float64 // lower-left corners of the box
		if l.own < 0 {
			// An area's name: centred on its anchor, else moved up or
			// down by up to two lines, or sideways by a quarter of its
			// length.
			for _, d := range [][2]float64{{0, 0}, {0, 1}, {0, -1}, {0, 2}, {0, -2}, {-0.25, 0}, {0.25, 0}} {
				cands = append(cands, [2]float64{l.ax - w/2 + d[0]*w, l.ay - h/2 + d[1]*h})
			}
		}
		m := marker{l.ax, l.ay, 0, -1}
		if l.own >= 0 {
			m = markers[l.own]
		}
		for _, g := range []float64{m.r + 0.5, m.r + leaderMM, m.r + 2*leaderMM} {
			if l.own < 0 {
				break
			}
			d := g * 0.7
			cands = append(cands,
				[2]float64{m.x + d, m.y + d}, [2]float64{m.x + g, m.y - h/2}, [2]float64{m.x + d, m.y - d - h},
				[2]float64{m.x - d - w, m.y + d}, [2]float64{m.x - g - w, m.y - h/2}, [2]float64{m.x - d - w, m.y - d - h},
				[2]float64{m.x - w/2, m.y + g}, [2]float64{m.x - w/2, m.y - g - h})
		}
		l.placed = false
	next:
		for ci, c := range cands {
			b := rect{c[0], c[1], c[0] + w, c[1] + h}
			if !b.within(bound) {
				continue
			}
			for _, p := range placed {
				if b.overlaps(p) {
					continue next
				}
			}
			for _, o := range obstacles {
				if b.overlaps(o) {
					continue next
				}
			}
			for _, mk := range markers {
				if mk.id != l.own && b.overlaps(mk.box()) {
					continue next
				}
			}
			l.placed, l.box, l.x, l.y = true, b, c[0], c[1]+l.descent
			l.leader = l.own >= 0 && ci >= 8
			placed = append(placed, b)
			break
		}
		if !l.placed {
			dropped++
		}
	}
	return dropped
}

// panelLabels returns the markers drawn in panel pn (French authorities and
// partners inside it) and the labels of its names, ranked, with faces from
// fam at text scale k.
func (m *countryMap) panelLabels(pn *panel, fam *canvas.FontFamily, k float64, partners, french bool) ([]marker, []*label) {
	ds := m.snap.Dataset()
	face := fam.Face(6*k, inkColor, canvas.FontRegular)
	bold := fam.Face(6.5*k, inkColor, canvas.FontBold)
	placeFace := fam.Face(5.5*k, mutedColor, canvas.FontRegular)
	capitalFace := fam.Face(6*k, inkColor, canvas.FontBold)
	areaFace := fam.Face(5.5*k, areaColor, canvas.FontRegular)
	var markers []marker
	var labels []*label
	add := func(x, y, r float64) int {
		markers = append(markers, marker{x, y, r, len(markers)})
		return len(markers) - 1
	}
	newLabel := func(text string, f *canvas.FontFace, own int) *label {
		mt := f.Metrics()
		return &label{text: text, face: f, own: own, ascent: mt.Ascent, descent: mt.Descent}
	}
	// Partners: the most partnerships first, then the most populous.
	count := map[int32]int{}
	for _, i := range m.ids {
		_, pt := m.snap.PartnershipEnds(i)
		count[pt]++
	}
	ps := slices.Clone(m.partners)
	slices.SortStableFunc(ps, func(a, b int32) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return cmp.Compare(ds.Partners[b].Population, ds.Partners[a].Population)
	})
	// The capital's name first (a reader looks for it), the other places'
	// after the partners'.
	var others []*label
	nCapital := 0
	for _, pl := range m.places {
		x, y := pn.xy(pl.point)
		if !partners || !pn.inside(x, y) {
			continue
		}
		own := add(x, y, placeSide/2+0.1)
		switch {
		case pl.capital:
			labels = append(labels, newLabel(pl.name, capitalFace, own))
			nCapital++
		case len(others) < maxPlaceLabels:
			others = append(others, newLabel(pl.name, placeFace, own))
		}
	}
	for _, p := range ps {
		x, y := pn.xy(ds.Partners[p].Point)
		if !pn.inside(x, y) {
			continue
		}
		own := add(x, y, 0.7)
		if partners && len(labels)-nCapital < maxPartnerLabels {
			text := ds.Partners[p].Name
			if yr, ok := m.years[p]; ok {
				text += ", " + strconv.Itoa(yr)
			}
			labels = append(labels, newLabel(text, face, own))
		}
	}
	labels = append(labels, others...)
	// French authorities: m.auths is by type (régions first); then by
	// population within a type.
	as := slices.Clone(m.auths)
	rank := map[atlas.AuthorityType]int{atlas.Region: 0, atlas.Departement: 1, atlas.Groupement: 2, atlas.Commune: 2}
	slices.SortStableFunc(as, func(a, b int32) int {
		if c := cmp.Compare(rank[ds.Authorities[a].Type], rank[ds.Authorities[b].Type]); c != 0 {
			return c
		}
		return cmp.Compare(ds.Authorities[b].Population, ds.Authorities[a].Population)
	})
	nFrench := 0
	areas := false
	for _, a := range as {
		au := ds.Authorities[a]
		if !pn.frame.Contains(au.Point) {
			continue
		}
		if french && !areas && rank[au.Type] == 2 {
			labels, areas = append(labels, m.regionLabels(pn, areaFace)...), true
		}
		x, y := pn.xy(au.Point)
		own := add(x, y, authorityRadius[au.Type])
		if french && nFrench < maxFrenchLabels {
			f := face
			if au.Type == atlas.Region {
				f = bold
			}
			labels = append(labels, newLabel(au.Name, f, own))
			nFrench++
		}
	}
	if french && !areas {
		labels = append(labels, m.regionLabels(pn, areaFace)...)
	}
	// Partners' names before French ones in a single frame: the partner
	// country is what the map is about.
	return markers, labels
}

// authorityRadius is the radius of a French authority's point, mm.
var authorityRadius = map[atlas.AuthorityType]float64{atlas.Region: 1.7, atlas.Departement: 1.3, atlas.Groupement: 1.0, atlas.Commune: 0.75}

// layoutLabels places the names of every panel; it returns them by panel
// and the number dropped.
func (m *countryMap) layoutLabels(fam *canvas.FontFamily) ([][]*label, [][]marker, int) {
	k := k0(m.o.WidthMM, m.o.HeightMM)
	out := make([][]*label, len(m.panels))
	marks := make([][]marker, len(m.panels))
	dropped := 0
	for n, pn := range m.panels {
		partners, french := true, true
		if len(m.panels) == 2 {
			partners, french = n == 1, n == 0
		}
		markers, labels := m.panelLabels(pn, fam, k, partners, french)
		bound := rect{pn.x + 0.5, pn.y + 0.5, pn.x + pn.w - 0.5, pn.y + pn.h - 0.5}
		obstacles := []rect{{pn.x, pn.y, pn.x + pn.w*0.55, pn.y + 8*k}} // the scale bar
		for _, in := range m.insets {
			obstacles = append(obstacles, rect{in.x, in.y, in.x + in.w, in.y + in.h + 3*k})
		}
		dropped += placeLabels(labels, markers, bound, obstacles)
		out[n], marks[n] = labels, markers
	}
	return out, marks, dropped
}

// regionLabels returns the names of the metropolitan régions shown in pn
// that are not a participating authority (whose own name is on its point),
// anchored at the centroid of their largest polygon.
func (m *countryMap) regionLabels(pn *panel, face *canvas.FontFace) []*label {
	ds := m.snap.Dataset()
	taking := map[string]bool{}
	for _, a := range m.auths {
		if au := ds.Authorities[a]; au.Type == atlas.Region {
			taking[au.Region] = true
		}
	}
	mt := face.Metrics()
	var out []*label
	for k, r := range ds.RegionShapes {
		if taking[r.ID] {
			continue
		}
		poly := largestPolygon(m.snap.Geometry(index.LayerRegions, int32(k)))
		if len(poly) == 0 {
			continue
		}
		c, _ := planar.CentroidArea(poly)
		if !metropole.Contains(c) || !pn.frame.Contains(c) {
			continue
		}
		x, y := pn.xy(c)
		out = append(out, &label{text: strings.ToUpper(r.Name), face: face, own: -1, ax: x, ay: y, ascent: mt.Ascent, descent: mt.Descent})
	}
	return out
}
