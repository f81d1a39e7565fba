package printmap

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// Names never collide: on the BJ, JP, ML and DE maps (A4 landscape and
// portrait, A3), no two placed label boxes intersect, none covers a point
// other than its own, each lies in its panel; the legend's count of names
// dropped is right.
func TestLabelsNeverCollide(t *testing.T) {
	snap := testkit.Snapshot(t)
	fam, err := family()
	if err != nil {
		t.Fatal(err)
	}
	for _, iso := range []string{"BJ", "JP", "ML", "DE"} {
		for _, size := range [][2]float64{{297, 210}, {210, 297}, {420, 297}} {
			m, _, _ := countryMapOf(t, snap, iso, size)
			byPanel, marks, dropped := m.layoutLabels(fam)
			placed, total := 0, 0
			for n, labels := range byPanel {
				pn := m.panels[n]
				markers := marks[n]
				var boxes []*label
				for _, l := range labels {
					total++
					if !l.placed {
						continue
					}
					placed++
					if !l.box.within(rect{pn.x, pn.y, pn.x + pn.w, pn.y + pn.h}) {
						t.Errorf("%s %v: %q outside its panel", iso, size, l.text)
					}
					for _, b := range boxes {
						if l.box.overlaps(b.box) {
							t.Errorf("%s %v: %q and %q collide", iso, size, l.text, b.text)
						}
					}
					for _, mk := range markers {
						if mk.id != l.own && l.box.overlaps(mk.box()) {
							t.Errorf("%s %v: %q covers another point", iso, size, l.text)
							break
						}
					}
					boxes = append(boxes, l)
				}
			}
			// Most names find room beside two panels; a single frame
			// of France and a neighbour (DE) is dense with points, and
			// places a few.
			want := total / 3
			if len(m.panels) == 1 {
				want = 5
			}
			if total == 0 || placed+dropped != total || placed < want {
				t.Errorf("%s %v: %d names, %d placed, %d dropped", iso, size, total, placed, dropped)
			}
		}
	}
}
