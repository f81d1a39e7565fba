package tiles_test

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// onBorder reports whether the edge p–q runs along an edge of the buffered
// tile (where clipped polygons legitimately have long edges).
func onBorder(p, q orb.Point) bool {
	lo, hi := 0.0, float64(tiles.Extent)
	return (p[1] <= lo && q[1] <= lo) || (p[1] >= hi && q[1] >= hi) ||
		(p[0] <= lo && q[0] <= lo) || (p[0] >= hi && q[0] >= hi)
}

// TestCountriesNoWorldSpanningEdges checks that no country polygon edge of
// the z0–z2 tiles spans more than half the tile, except along the tile
// border: rings crossing the antimeridian or reaching the poles must not be
// drawn as lines across the world.
func TestCountriesNoWorldSpanningEdges(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	for z := maptile.Zoom(0); z <= 2; z++ {
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				tl := maptile.New(x, y, z)
				l := decode(t, render(t, r, snap, []string{index.LayerCountries}, tl, atlas.Filter{}))[index.LayerCountries]
				if l == nil {
					continue
				}
				for _, ft := range l.Features {
					var polys orb.MultiPolygon
					switch g := ft.Geometry.(type) {
					case orb.Polygon:
						polys = orb.MultiPolygon{g}
					case orb.MultiPolygon:
						polys = g
					}
					for _, poly := range polys {
						for _, ring := range poly {
							for i := 0; i+1 < len(ring); i++ {
								p, q := ring[i], ring[i+1]
								if abs(q[0]-p[0]) > tiles.Extent/2 && !onBorder(p, q) {
									t.Fatalf("tile %v: country %v: edge %v–%v spans the tile", tl, ft.Properties["id"], p, q)
								}
							}
						}
					}
				}
			}
		}
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// TestArcsBeyondMercator checks that every selected arc is drawn in the
// world tile, including arcs that go beyond Web Mercator's latitude limit or
// cross the antimeridian (they are clamped, not dropped).
func TestArcsBeyondMercator(t *testing.T) {
	snap := defaultSnapshot(t)
	// The départements overseas (Wallis-et-Futuna, Guadeloupe…) have
	// partners whose arcs pass the pole or cross the antimeridian.
	f := parseFilter(t, snap, "type=departement")
	ids, _, err := snap.Items(index.LayerPartnerships, f)
	if err != nil {
		t.Fatal(err)
	}
	r := tiles.NewRenderer(tiles.Options{})
	l := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, maptile.New(0, 0, 0), f))[index.LayerPartnerships]
	if l == nil {
		t.Fatal("no arcs")
	}
	got := map[string]bool{}
	total := 0
	for _, ft := range l.Features {
		if isCluster(ft) {
			total += int(ft.Properties["count"].(float64))
			continue
		}
		got[ft.Properties["id"].(string)] = true
		total++
	}
	if total != len(ids) {
		t.Errorf("z0 tile draws %d arcs, selection %d", total, len(ids))
	}
	if len(got) == 0 {
		t.Fatal("the world tile clusters the whole selection: no individual arc to check")
	}
	{
		// The selection holds arcs of both kinds, drawn like the others.
		ds := snap.Dataset()
		beyond, split := 0, 0
		for _, i := range ids {
			a, pt := snap.PartnershipEnds(i)
			arc := atlas.Arc(ds.Authorities[a].Point, ds.Partners[pt].Point, 200)
			if len(arc) > 1 {
				split++
			}
			if b := arc.Bound(); b.Max[1] > 85.0511 || b.Min[1] < -85.0511 {
				beyond++
			}
		}
		if beyond == 0 || split == 0 {
			t.Fatalf("the selection has %d arcs beyond Mercator's limit and %d across the antimeridian: the test needs both", beyond, split)
		}
		for _, i := range ids {
			if id := snap.FeatureID(index.LayerPartnerships, i); !got[id] {
				t.Errorf("arc %s missing", id)
			}
		}
	}
}
