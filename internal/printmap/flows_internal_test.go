package printmap

import (
	"math"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// Flows connect: on the two-panel maps (side by side and stacked), every
// partnership is in its kind's bundle, each bundle's gates lie on the two
// facing edges, opposite each other, apart from the other bundles, and a
// larger bundle is no narrower.
func TestFlowsConnect(t *testing.T) {
	snap := testkit.Snapshot(t)
	layouts := map[bool]int{}
	for _, iso := range []string{"BJ", "JP", "ML", "SN"} {
		for _, size := range [][2]float64{{297, 210}, {210, 297}} {
			m, _, ids := countryMapOf(t, snap, iso, size)
			gs := m.flowGates()
			if len(m.panels) != 2 || len(gs) == 0 {
				t.Fatalf("%s %v: %d panels, %d gates", iso, size, len(m.panels), len(gs))
			}
			fr, pa := m.panels[0], m.panels[1]
			n := 0
			for i, g := range gs {
				n += g.n
				layouts[g.horizontal]++
				const eps = 1e-9
				if g.horizontal {
					if math.Abs(g.fx-(fr.x+fr.w)) > eps || math.Abs(g.px-pa.x) > eps || g.fy != g.py ||
						g.fy-g.width/2 < math.Max(fr.y, pa.y) || g.fy+g.width/2 > math.Min(fr.y+fr.h, pa.y+pa.h) {
						t.Errorf("%s %v: %s gate (%.1f, %.1f)–(%.1f, %.1f) off the facing edges", iso, size, g.kind, g.fx, g.fy, g.px, g.py)
					}
				} else if math.Abs(g.fy-fr.y) > eps || math.Abs(g.py-(pa.y+pa.h)) > eps || g.fx != g.px ||
					g.fx-g.width/2 < math.Max(fr.x, pa.x) || g.fx+g.width/2 > math.Min(fr.x+fr.w, pa.x+pa.w) {
					t.Errorf("%s %v: %s gate (%.1f, %.1f)–(%.1f, %.1f) off the facing edges", iso, size, g.kind, g.fx, g.fy, g.px, g.py)
				}
				for _, h := range gs[i+1:] {
					along := math.Abs(g.fy - h.fy)
					if !g.horizontal {
						along = math.Abs(g.fx - h.fx)
					}
					if along < (g.width+h.width)/2 {
						t.Errorf("%s %v: bands %s and %s overlap", iso, size, g.kind, h.kind)
					}
					if (g.n > h.n && g.width < h.width) || (h.n > g.n && h.width < g.width) {
						t.Errorf("%s %v: band widths do not follow the counts", iso, size)
					}
				}
			}
			if n != len(ids) {
				t.Errorf("%s %v: bundles hold %d partnerships, the map %d", iso, size, n, len(ids))
			}
		}
	}
	if layouts[true] == 0 || layouts[false] == 0 {
		t.Errorf("layouts tried: side by side %d, stacked %d", layouts[true], layouts[false])
	}
}
