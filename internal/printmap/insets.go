package printmap

import (
	"math"
	"slices"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/tdewolff/canvas"
)

// k0 is the text scale of a W×H mm page: 1 for A4, larger for larger pages.
func k0(W, H float64) float64 { return math.Max(0.6, math.Min(math.Min(W, H)/210, 3)) }

// overseasInsets returns an inset for every overseas territory one of auths
// belongs to (a French authority outside the France panel's frame: the five
// DROM, and the collectivités of Saint-Pierre-et-Miquelon, Saint-Barthélemy,
// Saint-Martin, Wallis-et-Futuna, Polynésie and Nouvelle-Calédonie), ordered
// by territory code, in a grid filling the page rectangle (x, y, w, h),
// from its top, in the rows that make the insets largest (at most 60 mm at text scale 1).
// An inset frames every authority of its territory (the whole territory,
// not only those taking part), in the projection projectionFor chooses, and
// is captioned with its name.
func overseasInsets(snap *index.Snapshot, auths []int32, fr *panel, x, y, w, h, k float64) []*panel {
	ds := snap.Dataset()
	// A territory is its région code: 01–06 for the DROM; a collectivité
	// d'outre-mer is its own région (975, 987…).
	in := map[string]bool{}
	for _, a := range auths {
		if au := ds.Authorities[a]; !fr.frame.Contains(au.Point) {
			in[au.Region] = true
		}
	}
	if len(in) == 0 {
		return nil
	}
	bounds := map[string]orb.Bound{}
	for _, au := range ds.Authorities {
		if !in[au.Region] || (au.Point == orb.Point{}) {
			continue
		}
		if b, ok := bounds[au.Region]; ok {
			bounds[au.Region] = b.Extend(au.Point)
		} else {
			bounds[au.Region] = orb.Bound{Min: au.Point, Max: au.Point}
		}
	}
	codes := make([]string, 0, len(bounds))
	for c := range bounds {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	gap, capH := 2.5*k, 3*k
	side, perRow := 0.0, 1
	for rows := 1; rows <= len(codes); rows++ {
		per := (len(codes) + rows - 1) / rows
		s := math.Min((w+gap)/float64(per)-gap, (h+gap)/float64(rows)-gap-capH)
		if s > side {
			side, perRow = s, per
		}
	}
	side = math.Min(side, 60*k)
	// Each inset fills its cell: as wide as the row allows, as tall as it
	// was sized, showing more of the sea around its territory.
	cellW := math.Min((w+gap)/float64(perRow)-gap, 2*side)
	var out []*panel
	for n, c := range codes {
		frame := padInset(bounds[c])
		p := newPanel(frame, projectionFor(frame))
		col, row := n%perRow, n/perRow
		// Left aligned in its row, under its caption.
		p.fill(x+float64(col)*(cellW+gap), y+h-float64(row+1)*(side+capH+gap)+gap, cellW, side)
		p.clip = true
		p.caption = territoryName(snap, c)
		out = append(out, p)
	}
	return out
}

// padInset widens a territory's bound by a fifth of its extent and at least
// 0.15° (a single island, or a single point).
func padInset(b orb.Bound) orb.Bound {
	dx := math.Max((b.Max[0]-b.Min[0])*0.2, 0.15)
	dy := math.Max((b.Max[1]-b.Min[1])*0.2, 0.15)
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// territoryName is the name of the région of that code, or of the
// collectivité d'outre-mer (its département authority's name).
func territoryName(snap *index.Snapshot, code string) string {
	if n := snap.RegionName(code); n != "" && n != code {
		return n
	}
	if i, err := snap.Lookup(index.LayerAuthorities, "dep-"+code); err == nil {
		return snap.Dataset().Authorities[i].Name
	}
	return code
}

// legendLines is the height of the legend column, in lines, at most (see
// drawText): the insets go under it.
const legendLines = 17

// drawInsets draws the overseas insets, their frames and captions, under an
// "Outre-mer" heading.
func (m *countryMap) drawInsets(ctx *canvas.Context, fam *canvas.FontFamily) {
	if len(m.insets) == 0 {
		return
	}
	k := k0(m.o.WidthMM, m.o.HeightMM)
	ctx.SetFillColor(inkColor)
	ctx.DrawText(m.insets[0].x, m.insetTop-3*k, canvas.NewTextLine(fam.Face(9*k, inkColor, canvas.FontBold), "Outre-mer", canvas.Left))
	for _, p := range m.insets {
		// A caption wider than its inset is set smaller.
		face := fam.Face(6*k, inkColor, canvas.FontRegular)
		if w := face.TextWidth(p.caption); w > p.w {
			face = fam.Face(6*k*p.w/w, inkColor, canvas.FontRegular)
		}
		m.drawPanel(func(string) *canvas.Context { return ctx }, fam, p)
		ctx.SetFillColor(canvas.Transparent)
		ctx.SetStrokeColor(borderColor)
		ctx.SetStrokeWidth(0.3)
		ctx.DrawPath(p.x, p.y, canvas.Rectangle(p.w, p.h))
		ctx.SetFillColor(inkColor)
		ctx.SetStrokeColor(canvas.Transparent)
		ctx.DrawText(p.x, p.y+p.h+0.8*k, canvas.NewTextLine(face, p.caption, canvas.Left))
	}
}
