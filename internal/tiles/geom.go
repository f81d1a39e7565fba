package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
)

// maxLat is the latitude limit of Web Mercator.
const maxLat = 85.0511287798066

// worldSize returns the width of the world in world units at zoom z.
func worldSize(z int) float64 { return float64(Extent) * math.Exp2(float64(z)) }

// toWorld projects a WGS84 point to world units of a world ws units wide.
func toWorld(p orb.Point, ws float64) (x, y float64) {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	x = (p[0] + 180) / 360 * ws
	s := math.Sin(lat * math.Pi / 180)
	y = (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * ws
	return x, y
}

// fromWorld is the inverse of toWorld.
func fromWorld(x, y, ws float64) orb.Point {
	lon := x/ws*360 - 180
	n := math.Pi - 2*math.Pi*y/ws
	lat := 180 / math.Pi * math.Atan(math.Sinh(n))
	return orb.Point{lon, lat}
}

// frame places one tile in world units.
type frame struct {
	z      int
	ws     float64   // world size, world units
	ox, oy float64   // tile origin (north-west corner), world units
	box    orb.Bound // buffered tile, tile units
	wgs    orb.Bound // buffered tile, WGS84 (longitudes clamped to ±180)
}

func newFrame(t maptile.Tile) frame {
	f := frame{z: int(t.Z), ws: worldSize(int(t.Z))}
	f.ox, f.oy = float64(t.X)*Extent, float64(t.Y)*Extent
	f.box = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}
	nw := fromWorld(math.Max(0, f.ox-Buffer), math.Max(0, f.oy-Buffer), f.ws)
	se := fromWorld(math.Min(f.ws, f.ox+Extent+Buffer), math.Min(f.ws, f.oy+Extent+Buffer), f.ws)
	f.wgs = orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
	if f.wgs.Min[1] <= -maxLat+1e-9 {
		f.wgs.Min[1] = -90
	}
	if f.wgs.Max[1] >= maxLat-1e-9 {
		f.wgs.Max[1] = 90
	}
	return f
}

// tilePt projects a WGS84 point to tile units.
func (f *frame) tilePt(p orb.Point) orb.Point {
	x, y := toWorld(p, f.ws)
	return orb.Point{x - f.ox, y - f.oy}
}

// inBox reports whether a point in tile units lies in the buffered tile.
func (f *frame) inBox(x, y float64) bool {
	return x >= -Buffer && y >= -Buffer && x <= Extent+Buffer && y <= Extent+Buffer
}

// greatCircle interpolates along the great circle from a to b.
type greatCircle struct {
	a, b   orb.Point
	d      float64 // angular distance, radians
	sd, cd float64 // its sine and cosine
	va, vb [3]float64
}

func newGreatCircle(a, b orb.Point) greatCircle {
	g := greatCircle{a: a, b: b, va: unit(a), vb: unit(b)}
	dot := g.va[0]*g.vb[0] + g.va[1]*g.vb[1] + g.va[2]*g.vb[2]
	cx := g.va[1]*g.vb[2] - g.va[2]*g.vb[1]
	cy := g.va[2]*g.vb[0] - g.va[0]*g.vb[2]
	cz := g.va[0]*g.vb[1] - g.va[1]*g.vb[0]
	g.d = math.Atan2(math.Sqrt(cx*cx+cy*cy+cz*cz), dot)
	g.sd, g.cd = math.Sincos(g.d)
	return g
}

func unit(p orb.Point) [3]float64 {
	slat, clat := math.Sincos(p[1] * math.Pi / 180)
	slon, clon := math.Sincos(p[0] * math.Pi / 180)
	return [3]float64{clat * clon, clat * slon, slat}
}

// vec returns the unit vector at fraction t in (0, 1) of the arc.
func (g *greatCircle) vec(t float64) (x, y, z float64) {
	st, ct := math.Sincos(t * g.d)
	// sin((1-t)d) = sin d cos td - cos d sin td
	A := ct - g.cd/g.sd*st
	B := st / g.sd
	return A*g.va[0] + B*g.vb[0], A*g.va[1] + B*g.vb[1], A*g.va[2] + B*g.vb[2]
}

// equator returns the fraction of the arc where it crosses the equator,
// when it does between its ends. There, and only there, the arc's Mercator
// image changes the side it bends to: an interval of the arc over it can
// pass a flatness test at its midpoint and still stray from its chord.
func (g *greatCircle) equator() (float64, bool) {
	a, b := g.va[2], g.vb[2]
	if a*b >= 0 || g.sd == 0 {
		return 0, false
	}
	// z(θ) ∝ sin(d−θ)·a + sin(θ)·b = 0 ⇔ tan θ = a·sin d / (a·cos d − b).
	th := math.Atan2(a*g.sd, a*g.cd-b)
	if th < 0 {
		th += math.Pi
	}
	if th <= 0 || th >= g.d {
		return 0, false
	}
	return th / g.d, true
}

// sinMaxLat is the sine of Web Mercator's latitude limit.
var sinMaxLat = math.Sin(maxLat * math.Pi / 180)

// world returns the point at fraction t of the arc in world units of a world
// ws units wide, its longitude taken within 180° of refLon (so that x is
// continuous along the arc).
func (g *greatCircle) world(t, refLon, ws float64) orb.Point {
	if t <= 0 || t >= 1 || g.sd == 0 {
		q := g.a
		if t >= 1 {
			q = g.b
		}
		lon := q[0] + 360*math.Round((refLon-q[0])/360)
		x, y := toWorld(orb.Point{lon, q[1]}, ws)
		return orb.Point{x, y}
	}
	vx, vy, vz := g.vec(t)
	lon := math.Atan2(vy, vx) * 180 / math.Pi
	lon += 360 * math.Round((refLon-lon)/360)
	s := math.Max(-sinMaxLat, math.Min(sinMaxLat, vz/math.Sqrt(vx*vx+vy*vy+vz*vz)))
	return orb.Point{(lon + 180) / 360 * ws, (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * ws}
}

// appendWorldPolygon projects a WGS84 polygon to world units of a world ws
// units wide and appends it to dst. Latitudes are clamped to Web Mercator's
// limit. A polygon whose rings jump across the antimeridian (consecutive
// longitudes more than 180° apart) is unwrapped to continuous longitudes,
// rings that encircle a pole are closed along it, and the result is cut at
// the world's east and west edges, the part beyond one edge being moved to
// the other: x never wraps across the world.
func appendWorldPolygon(dst orb.MultiPolygon, poly orb.Polygon, ws float64) orb.MultiPolygon {
	crosses := false
	for _, r := range poly {
		for i := 1; i < len(r); i++ {
			if math.Abs(r[i][0]-r[i-1][0]) > 180 {
				crosses = true
				break
			}
		}
	}
	project := func(r orb.Ring) orb.Ring {
		wr := make(orb.Ring, len(r))
		for n, p := range r {
			x, y := toWorld(p, ws)
			wr[n] = orb.Point{x, y}
		}
		return wr
	}
	if !crosses {
		out := make(orb.Polygon, len(poly))
		for k, r := range poly {
			out[k] = project(r)
		}
		return append(dst, out)
	}
	uw := make(orb.Polygon, 0, len(poly))
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, r := range poly {
		if len(r) == 0 {
			continue
		}
		u := make(orb.Ring, 0, len(r)+3)
		u = append(u, r[0])
		off := 0.0
		for i := 1; i < len(r); i++ {
			d := r[i][0] - r[i-1][0]
			if d > 180 {
				off -= 360
			} else if d < -180 {
				off += 360
			}
			u = append(u, orb.Point{r[i][0] + off, r[i][1]})
		}
		first, last := u[0], u[len(u)-1]
		if math.Abs(last[0]-first[0]) > 180 {
			// The ring goes round a pole: close it along the pole.
			pole := -90.0
			var sum float64
			for _, p := range u {
				sum += p[1]
			}
			if sum > 0 {
				pole = 90
			}
			u = append(u, orb.Point{last[0], pole}, orb.Point{first[0], pole}, first)
		} else if last != first {
			u = append(u, first)
		}
		w := project(u)
		for n := range w {
			// toWorld maps longitudes linearly, also beyond ±180.
			minX, maxX = math.Min(minX, w[n][0]), math.Max(maxX, w[n][0])
		}
		uw = append(uw, w)
	}
	if len(uw) == 0 {
		return dst
	}
	world := orb.Bound{Min: orb.Point{0, -1}, Max: orb.Point{ws, ws + 1}}
	for _, shift := range [3]float64{0, ws, -ws} {
		if maxX+shift <= 0 || minX+shift >= ws {
			continue
		}
		c := make(orb.Polygon, len(uw))
		for k, r := range uw {
			sr := make(orb.Ring, len(r))
			for n, p := range r {
				sr[n] = orb.Point{p[0] + shift, p[1]}
			}
			c[k] = sr
		}
		c = clip.Polygon(world, c)
		if len(c) > 0 && len(c[0]) >= 4 {
			dst = append(dst, c)
		}
	}
	return dst
}
