package tiles_test

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestArcLevelUniformPerZoom checks that all tiles of a zoom draw arcs at the
// same aggregation level (no seams between grouped and individual arcs).
func TestArcLevelUniformPerZoom(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	for _, q := range []string{"", "theme=culture-patrimoine", "country=JP"} {
		f := parseFilter(t, snap, q)
		for z := maptile.Zoom(1); z <= 8; z++ {
			var tls []maptile.Tile
			if z <= 4 {
				n := uint32(1) << z
				for x := uint32(0); x < n; x++ {
					for y := uint32(0); y < n; y++ {
						tls = append(tls, maptile.New(x, y, z))
					}
				}
			} else {
				for _, c := range []orb.Point{{2.35, 48.86}, {5.4, 43.3}, {-1.55, 47.2}, {139.7, 35.7}, {-17.45, 14.69}} {
					ct := maptile.At(c, z)
					for dx := -1; dx <= 1; dx++ {
						for dy := -1; dy <= 1; dy++ {
							tls = append(tls, maptile.New(uint32(int(ct.X)+dx), uint32(int(ct.Y)+dy), z))
						}
					}
				}
			}
			levels := map[string]maptile.Tile{}
			for _, tl := range tls {
				l := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, tl, f))[index.LayerPartnerships]
				if l == nil {
					continue
				}
				for _, ft := range l.Features {
					lv := "individual"
					if isCluster(ft) {
						lv, _ = ft.Properties["level"].(string)
					}
					levels[lv] = tl
				}
			}
			if len(levels) > 1 {
				t.Errorf("filter %q z%d: several arc levels: %v", q, z, levels)
			}
		}
	}
}
