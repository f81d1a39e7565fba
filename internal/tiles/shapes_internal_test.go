package tiles

import (
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// TestRingCmdsMatchRing checks that the precomputed geometry of a ring (the
// fast path of polygons wholly inside a tile) encodes exactly as the ring
// clipped and rounded in the tile would.
func TestRingCmdsMatchRing(t *testing.T) {
	snap := internalSnapshot(t)
	n := 0
	for _, layer := range []string{index.LayerCountries, index.LayerDepartements} {
		for _, z := range []int{3, 6, 9} {
			set := buildShapeSets(snap, layer, -1)[z]
			for _, s := range set.shapes {
				for _, poly := range s.polys {
					// A tile origin a few units off the polygon, so that the
					// polygon lies inside the buffered tile when small enough.
					ox, oy := int64(poly.bound.Min[0])-5, int64(poly.bound.Min[1])-5
					if poly.bound.Max[0]-float64(ox) > Extent || poly.bound.Max[1]-float64(oy) > Extent {
						continue
					}
					var fast, slow mvt.Layer
					fast.Begin()
					slow.Begin()
					for k, rg := range poly.rings {
						fast.Cmds(int64(rg.first[0])-ox, int64(rg.first[1])-oy, int64(rg.last[0])-ox, int64(rg.last[1])-oy, rg.cmds, mvt.GeomPolygon)
						pts := rg.points(nil, 1, float64(ox), float64(oy), everywhere)
						if last := pts[len(pts)-1]; last != (orb.Point{float64(int64(rg.last[0]) - ox), float64(int64(rg.last[1]) - oy)}) {
							t.Fatalf("%s z%d: decoded ring ends at %v, want %v", layer, z, last, rg.last)
						}
						if !slow.Ring(pts, k == 0) {
							t.Fatalf("%s z%d: ring %d degenerate in the tile", layer, z, k)
						}
					}
					if !slices.Equal(fast.Geometry(), slow.Geometry()) {
						t.Fatalf("%s z%d: fast geometry %v, want %v", layer, z, fast.Geometry()[:min(12, len(fast.Geometry()))], slow.Geometry()[:min(12, len(slow.Geometry()))])
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

// TestRingSpansSkipped checks that skipping the spans of a ring beyond a
// side of the tile changes nothing once the ring is clipped: in tiles of
// zooms 5–12 over France, every ring with spans that meets the tile is
// encoded the same with and without skipping.
func TestRingSpansSkipped(t *testing.T) {
	snap := internalSnapshot(t)
	// Sets that keep their polygons at every zoom.
	uncut := map[string]*[ShapeMaxZoom + 1]*shapeSet{}
	for _, layer := range []string{index.LayerCountries, index.LayerRegions, index.LayerDepartements} {
		uncut[layer] = buildShapeSets(snap, layer, -1)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	j := &job{}
	compared, skipped := 0, 0
	for _, layer := range []string{index.LayerCountries, index.LayerRegions, index.LayerDepartements} {
		for range 300 {
			z := 5 + rng.IntN(8)
			tl := maptile.At(orb.Point{-5 + 13*rng.Float64(), 42 + 9*rng.Float64()}, maptile.Zoom(z))
			j.t, j.fr = tl, newFrame(tl)
			set := uncut[layer][min(z, ShapeMaxZoom)]
			scale := math1(z - set.z)
			wb := orb.Bound{
				Min: orb.Point{(j.fr.ox - Buffer) / scale, (j.fr.oy - Buffer) / scale},
				Max: orb.Point{(j.fr.ox + Extent + Buffer) / scale, (j.fr.oy + Extent + Buffer) / scale},
			}
			for _, s := range set.shapes {
				for _, poly := range s.polys {
					if !poly.bound.Intersects(wb) {
						continue
					}
					for k := range poly.rings {
						rg := &poly.rings[k]
						if rg.spans == nil {
							continue
						}
						var fast, slow mvt.Layer
						fast.Begin()
						slow.Begin()
						okF := fast.Ring(j.ringInTile(rg, scale, wb, false), k == 0)
						okS := slow.Ring(j.ringInTile(rg, scale, everywhere, false), k == 0)
						if len(rg.points(nil, scale, 0, 0, wb)) < len(rg.points(nil, scale, 0, 0, everywhere)) {
							skipped++
						}
						if okF != okS || !slices.Equal(fast.Geometry(), slow.Geometry()) {
							t.Fatalf("%s %v: ring %d clipped differently when spans are skipped", layer, tl, k)
						}
						compared++
					}
				}
			}
		}
	}
	if compared < 1000 || skipped < compared/2 {
		t.Errorf("only %d rings compared, %d with spans skipped", compared, skipped)
	}
}

// TestCutShapesMatchDrawn checks that the boundary tiles drawn from the
// shapes cut once are the tiles drawn by clipping the shapes, byte for
// byte, with and without a filter's bbox.
func TestCutShapesMatchDrawn(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	bbox := orb.Bound{Min: orb.Point{-10, 35}, Max: orb.Point{30, 60}}
	uncut := map[string]*[ShapeMaxZoom + 1]*shapeSet{}
	for _, layer := range []string{index.LayerCountries, index.LayerRegions, index.LayerDepartements} {
		uncut[layer] = buildShapeSets(snap, layer, -1)
	}
	for _, f := range []atlas.Filter{{}, {BBox: &bbox}} {
		j := testJob(r, snap, f)
		for _, layer := range []string{index.LayerCountries, index.LayerRegions, index.LayerDepartements} {
			tiles := 0
			for z := 0; z <= ShapeCutMaxZoom; z++ {
				bs := r.shapes(snap, layer, z)
				if bs.cut == nil {
					t.Fatalf("%s z%d: shapes not cut", layer, z)
				}
				drawn := *uncut[layer][z]
				n := uint32(1) << z
				for x := uint32(0); x < n; x += max(1, n/16) {
					for y := uint32(0); y < n; y += max(1, n/32) {
						tl := maptile.New(x, y, maptile.Zoom(z))
						j.t, j.fr = tl, newFrame(tl)
						got := drawLayer(t, j, layer, func() error {
							return j.drawCutShapes(layer, bs, r.props(j, layer, len(bs.shapes)))
						})
						props := r.props(j, layer, len(drawn.shapes))
						want := drawLayer(t, j, layer, func() error {
							return j.eachShape(layer, &drawn, func(i int32) {
								j.enc.DictTags(&props.Dict, props.Of(int(i)))
								j.enc.End()
							})
						})
						if !slices.Equal(got, want) {
							t.Fatalf("%v %s %v: %d bytes from the cut shapes, %d drawn", f.Encode(), layer, tl, len(got), len(want))
						}
						if len(want) > 0 {
							tiles++
						}
					}
				}
			}
			if tiles < 10 {
				t.Errorf("%v %s: only %d tiles with shapes compared", f.Encode(), layer, tiles)
			}
		}
	}
}

// TestClusterChargeExcludesPointTable checks that a cluster set is charged
// for what it holds, not for the point layer's property table its own
// table extends (cached and charged once, on its own): charging it again
// with every cluster set of every zoom and filter inflated the budget's
// count and cost the measuring of megabytes per set.
func TestClusterChargeExcludesPointTable(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	for _, layer := range []string{index.LayerAuthorities, index.LayerPartners} {
		points := r.pointProps(snap, layer)
		pointBytes := cache.SizeOf(points, shared)
		set := buildClusters(snap, snap.Select(atlas.Filter{}), atlas.Filter{}, layer, 2, points)
		if len(set.clusters) == 0 || set.props == nil {
			t.Fatalf("%s: no clusters at z2", layer)
		}
		own := cache.SizeOf(set, shared)
		// What the set holds: its clusters, its tiles and its own
		// dictionary and tags, a few hundred bytes per cluster at most.
		if limit := int64(len(set.clusters))*512 + 64<<10; own > limit {
			t.Errorf("%s: a cluster set of %d clusters charged %d bytes (> %d; the point table is %d bytes)",
				layer, len(set.clusters), own, limit, pointBytes)
		}
	}
}
