package printmap

import (
	"math"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// Every French authority the legend counts is drawn: in the France panel or
// in the inset of its overseas territory; the insets lie in the legend
// column under the legend (or, when the map leaves no room there, under the
// credits, or in the France panel's lower left corner), apart from one
// another, at least 7 mm wide.
func TestEveryAuthorityDrawn(t *testing.T) {
	snap := testkit.Snapshot(t)
	ds := snap.Dataset()
	overseas := 0
	for _, iso := range []string{"BJ", "JP", "ML", "DE", "SN", "MG", "CA"} {
		for _, size := range [][2]float64{{297, 210}, {420, 297}, {210, 297}} {
			m, o, _ := countryMapOf(t, snap, iso, size)
			fr := m.panels[0]
			territories := map[string]bool{}
			for _, a := range m.auths {
				au := ds.Authorities[a]
				if fr.frame.Contains(au.Point) {
					continue
				}
				overseas++
				territories[au.Region] = true
				drawn := false
				for _, in := range m.insets {
					if in.frame.Contains(au.Point) {
						x, y := in.xy(au.Point)
						drawn = in.inside(x, y)
					}
				}
				if !drawn {
					t.Errorf("%s %v: %s (%s) counted but not drawn", iso, size, au.Name, au.ID)
				}
			}
			if len(m.insets) != len(territories) {
				t.Errorf("%s %v: %d insets for %d overseas territories", iso, size, len(m.insets), len(territories))
			}
			right := o.WidthMM - math.Max(6, o.WidthMM*0.025)
			for n, in := range m.insets {
				inColumn := in.x >= m.mapX+m.mapW && in.x+in.w <= right+0.01 && in.y >= m.mapY-0.01 && in.y+in.h <= m.insetTop
				inPanel := in.x >= fr.x && in.x+in.w <= fr.x+fr.w*0.6 && in.y >= fr.y+3 && in.y+in.h <= m.insetTop && m.insetTop <= fr.y+fr.h
				inFoot := in.x >= 0 && in.x+in.w <= right+0.01 && in.y >= 5 && in.y+in.h <= m.insetTop && m.insetTop <= m.mapY-10
				if !inColumn && !inPanel && !inFoot || max(in.w, in.h) < 7 {
					t.Errorf("%s %v: inset %s at (%.1f, %.1f) %.1f×%.1f neither under the legend (x %.1f–%.1f, y %.1f–%.1f) nor in the France panel's corner",
						iso, size, in.caption, in.x, in.y, in.w, in.h, m.mapX+m.mapW, right, m.mapY, m.insetTop)
				}
				for _, other := range m.insets[n+1:] {
					if in.x < other.x+other.w && other.x < in.x+in.w && in.y < other.y+other.h+3 && other.y < in.y+in.h+3 {
						t.Errorf("%s %v: insets %s and %s overlap", iso, size, in.caption, other.caption)
					}
				}
			}
		}
	}
	if overseas == 0 {
		t.Fatal("no overseas authority on these maps: the test checks nothing")
	}
}
