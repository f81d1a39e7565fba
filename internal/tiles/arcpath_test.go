package tiles_test

import (
	"math"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestArcsFollowGreatCircle checks, at zooms above and below the per-zoom
// arc index, that every vertex of a drawn arc lies within three tile units
// of its great circle (the chord tolerance, where a chord is cut at the
// tile's edge, and rounding), and that the arc passes within three units of
// points
// sampled along the great circle, in the tiles that hold them.
func TestArcsFollowGreatCircle(t *testing.T) {
	snap := defaultSnapshot(t)
	ds := snap.Dataset()
	for _, c := range []struct {
		q     string
		zooms []maptile.Zoom
	}{
		{"country=JP", []maptile.Zoom{5, 8, 9, 12, 15}},
		{"country=BJ&kind=cooperation", []maptile.Zoom{5, 8, 9, 12, 15}},
		// Grouped by département up to z9, individual above: the tiles
		// above draw from an index of z8 at a level z8 does not draw.
		{"country=DE,IT,ES,GB", []maptile.Zoom{10, 13}},
	} {
		q := c.q
		f := parseFilter(t, snap, q)
		ids, _, err := snap.Items(index.LayerPartnerships, f)
		if err != nil {
			t.Fatal(err)
		}
		r := tiles.NewRenderer(tiles.Options{CacheBytes: 64 << 20})
		for n, i := range ids {
			if n%7 != 0 {
				continue
			}
			a, pt := snap.PartnershipEnds(i)
			pa, pb := ds.Authorities[a].Point, ds.Partners[pt].Point
			id := snap.FeatureID(index.LayerPartnerships, i)
			normal := gcNormal(pa, pb)
			for _, z := range c.zooms {
				for k := 0; k <= 20; k++ {
					sp := gcAt(pa, pb, float64(k)/20)
					if math.Abs(sp[1]) > 80 {
						continue
					}
					tl := maptile.At(sp, z)
					l := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, tl, f))[index.LayerPartnerships]
					var line orb.MultiLineString
					for _, ft := range l.Features {
						if isCluster(ft) {
							t.Fatalf("%s z%d: clustered arcs, want individual ones", q, z)
						}
						if ft.Properties["id"] == id {
							switch g := ft.Geometry.(type) {
							case orb.LineString:
								line = append(line, g)
							case orb.MultiLineString:
								line = append(line, g...)
							}
						}
					}
					if len(line) == 0 {
						t.Errorf("%s z%d %v: arc %s missing from the tile holding %v", q, z, tl, id, sp)
						continue
					}
					unitKm := 2 * math.Pi * atlas.EarthRadiusKm * math.Cos(sp[1]*math.Pi/180) / float64(uint64(tiles.Extent)<<z)
					for _, part := range line {
						for _, v := range part {
							ll := tileToLonLat(tl, v)
							if d := math.Abs(crossTrackKm(normal, ll)); d > 3*unitKm*(1+math.Abs(ll[1]-sp[1])/10) {
								t.Errorf("%s z%d arc %s: vertex %v is %.0f units off the great circle", q, z, id, v, d/unitKm)
							}
						}
					}
					tp := lonLatToTile(tl, sp)
					best := math.Inf(1)
					for _, part := range line {
						for m := 0; m+1 < len(part); m++ {
							best = math.Min(best, segDist(tp, part[m], part[m+1]))
						}
					}
					if best > 3 {
						t.Errorf("%s z%d arc %s: passes %.1f units from the great circle's point %v", q, z, id, best, sp)
					}
				}
			}
		}
	}
}

func unitVec(p orb.Point) [3]float64 {
	lat, lon := p[1]*math.Pi/180, p[0]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func gcNormal(a, b orb.Point) [3]float64 {
	u, v := unitVec(a), unitVec(b)
	n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
	return [3]float64{n[0] / l, n[1] / l, n[2] / l}
}

func crossTrackKm(n [3]float64, p orb.Point) float64 {
	u := unitVec(p)
	return math.Asin(n[0]*u[0]+n[1]*u[1]+n[2]*u[2]) * atlas.EarthRadiusKm
}

func gcAt(a, b orb.Point, t float64) orb.Point {
	u, v := unitVec(a), unitVec(b)
	d := math.Acos(math.Max(-1, math.Min(1, u[0]*v[0]+u[1]*v[1]+u[2]*v[2])))
	A, B := math.Sin((1-t)*d)/math.Sin(d), math.Sin(t*d)/math.Sin(d)
	x, y, z := A*u[0]+B*v[0], A*u[1]+B*v[1], A*u[2]+B*v[2]
	return orb.Point{math.Atan2(y, x) * 180 / math.Pi, math.Atan2(z, math.Hypot(x, y)) * 180 / math.Pi}
}

func worldSizeAt(z maptile.Zoom) float64 { return float64(uint64(tiles.Extent) << z) }

func tileToLonLat(tl maptile.Tile, v orb.Point) orb.Point {
	ws := worldSizeAt(tl.Z)
	x, y := float64(tl.X)*tiles.Extent+v[0], float64(tl.Y)*tiles.Extent+v[1]
	return orb.Point{x/ws*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*y/ws))) * 180 / math.Pi}
}

func lonLatToTile(tl maptile.Tile, p orb.Point) orb.Point {
	ws := worldSizeAt(tl.Z)
	s := math.Sin(p[1] * math.Pi / 180)
	x := (p[0] + 180) / 360 * ws
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * ws
	return orb.Point{x - float64(tl.X)*tiles.Extent, y - float64(tl.Y)*tiles.Extent}
}

func segDist(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}
