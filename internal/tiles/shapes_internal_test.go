package tiles

import (
	"math"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// TestRingCmdsMatchRing checks that the precomputed geometry of a ring (the
// fast path of polygons wholly inside a tile) encodes exactly as the ring
// clipped and rounded in the tile would.
func TestRingCmdsMatchRing(t *testing.T) {
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(Options{})
	n := 0
	for _, layer := range []string{index.LayerCountries, index.LayerDepartements} {
		for _, z := range []int{3, 6, 9} {
			set := r.shapes(snap, layer, z)
			for _, s := range set.shapes {
				for _, poly := range s.polys {
					// A tile origin a few units off the polygon, so that the
					// polygon lies inside the buffered tile when small enough.
					ox, oy := int64(poly.bound.Min[0])-5, int64(poly.bound.Min[1])-5
					if poly.bound.Max[0]-float64(ox) > Extent || poly.bound.Max[1]-float64(oy) > Extent {
						continue
					}
					var fast, slow layerEncoder
					fast.begin()
					slow.begin()
					for k, rg := range poly.rings {
						fast.ringCmds(int64(rg.first[0])-ox, int64(rg.first[1])-oy, int64(rg.last[0])-ox, int64(rg.last[1])-oy, rg.cmds)
						pts := rg.points(nil, 1, float64(ox), float64(oy), everywhere)
						if last := pts[len(pts)-1]; last != (orb.Point{float64(int64(rg.last[0]) - ox), float64(int64(rg.last[1]) - oy)}) {
							t.Fatalf("%s z%d: decoded ring ends at %v, want %v", layer, z, last, rg.last)
						}
						if !slow.ring(pts, k == 0) {
							t.Fatalf("%s z%d: ring %d degenerate in the tile", layer, z, k)
						}
					}
					if !slices.Equal(fast.geom, slow.geom) {
						t.Fatalf("%s z%d: fast geometry %v, want %v", layer, z, fast.geom[:min(12, len(fast.geom))], slow.geom[:min(12, len(slow.geom))])
					}
					n++
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("only %d polygons compared", n)
	}
}

// everywhere is a bound that holds every point.
var everywhere = orb.Bound{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}
