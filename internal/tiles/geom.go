package tiles

import (
	"math"

	"github.com/atlas-cooperation/atlas/internal/atlas"
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

// arcSegmentKm is the densification step of arcs at zoom z, coarse at low
// zoom (a segment stays a few pixels long) and at least 2 km.
func arcSegmentKm(z int) float64 {
	return math.Max(2, 2000/math.Exp2(float64(z)))
}

// greatCircle interpolates along the great circle from a to b.
type greatCircle struct {
	a, b   orb.Point
	d      float64 // angular distance, radians
	sd     float64
	va, vb [3]float64
}

func newGreatCircle(a, b orb.Point) greatCircle {
	g := greatCircle{a: a, b: b, d: atlas.DistanceKm(a, b) / atlas.EarthRadiusKm}
	g.sd = math.Sin(g.d)
	g.va = unit(a)
	g.vb = unit(b)
	return g
}

func unit(p orb.Point) [3]float64 {
	lat, lon := p[1]*math.Pi/180, p[0]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// at returns the point at fraction t in [0, 1] of the arc.
func (g *greatCircle) at(t float64) orb.Point {
	if t <= 0 {
		return g.a
	}
	if t >= 1 {
		return g.b
	}
	A := math.Sin((1-t)*g.d) / g.sd
	B := math.Sin(t*g.d) / g.sd
	x := A*g.va[0] + B*g.vb[0]
	y := A*g.va[1] + B*g.vb[1]
	z := A*g.va[2] + B*g.vb[2]
	return orb.Point{math.Atan2(y, x) * 180 / math.Pi, math.Atan2(z, math.Hypot(x, y)) * 180 / math.Pi}
}

// arcCutter cuts great-circle arcs to a WGS84 bound.
type arcCutter struct {
	g     greatCircle
	wb    orb.Bound
	segKm float64
	dst   orb.MultiLineString
	cur   orb.LineString
}

// arcPieces appends to dst the parts of the great-circle arc from a to b that
// may cross the WGS84 bound wb, densified so that no segment is longer than
// segKm, and split at the antimeridian (as atlas.Arc does). It bisects the
// arc and skips every sub-arc whose enclosing spherical cap misses wb, so a
// long arc costs little in a small tile.
func arcPieces(dst orb.MultiLineString, a, b orb.Point, segKm float64, wb orb.Bound) orb.MultiLineString {
	c := arcCutter{g: newGreatCircle(a, b), wb: wb, segKm: segKm, dst: dst}
	if c.g.d*atlas.EarthRadiusKm < 1e-6 {
		if wb.Contains(a) {
			c.dst = append(c.dst, orb.LineString{a, b})
		}
		return c.dst
	}
	c.walk(0, 1, a, b)
	c.flush()
	return c.dst
}

func (c *arcCutter) flush() {
	if len(c.cur) > 1 {
		c.dst = splitAntimeridian(c.dst, c.cur)
	}
	c.cur = nil
}

// walk handles the sub-arc [t0, t1] whose end points are p0 and p1.
func (c *arcCutter) walk(t0, t1 float64, p0, p1 orb.Point) {
	theta := (t1 - t0) * c.g.d // radians
	tm := (t0 + t1) / 2
	pm := c.g.at(tm)
	if !capMayHit(pm, theta/2*180/math.Pi, c.wb) {
		c.flush()
		return
	}
	if theta*atlas.EarthRadiusKm <= c.segKm {
		if len(c.cur) == 0 {
			c.cur = append(c.cur, p0)
		}
		c.cur = append(c.cur, p1)
		return
	}
	c.walk(t0, tm, p0, pm)
	c.walk(tm, t1, pm, p1)
}

// capMayHit reports whether the spherical cap of radius r degrees around c
// may intersect b (a conservative test on the cap's lon/lat box, across the
// antimeridian too).
func capMayHit(c orb.Point, r float64, b orb.Bound) bool {
	r += 1e-6
	if c[1]-r > b.Max[1] || c[1]+r < b.Min[1] {
		return false
	}
	lat := math.Abs(c[1]) + r
	if lat >= 89 || r >= 90 {
		return true
	}
	dl := r / math.Cos(lat*math.Pi/180)
	if dl >= 180 {
		return true
	}
	for _, shift := range [3]float64{0, 360, -360} {
		lo, hi := c[0]-dl+shift, c[0]+dl+shift
		if hi >= b.Min[0] && lo <= b.Max[0] {
			return true
		}
	}
	return false
}

// splitAntimeridian appends pts to dst as one or more lines that stay within
// [-180, 180] longitude, meeting at ±180 where pts jumps across.
func splitAntimeridian(dst orb.MultiLineString, pts orb.LineString) orb.MultiLineString {
	start := 0
	var carry orb.Point
	carried := false
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		if math.Abs(q[0]-p[0]) <= 180 {
			continue
		}
		edge := 180.0
		if p[0] < 0 {
			edge = -180
		}
		qx := q[0] + 2*edge
		t := (edge - p[0]) / (qx - p[0])
		lat := p[1] + t*(q[1]-p[1])
		part := make(orb.LineString, 0, i-start+2)
		if carried {
			part = append(part, carry)
		}
		part = append(part, pts[start:i]...)
		part = append(part, orb.Point{edge, lat})
		dst = append(dst, part)
		carry, carried = orb.Point{-edge, lat}, true
		start = i
	}
	if !carried {
		return append(dst, pts)
	}
	part := make(orb.LineString, 0, len(pts)-start+1)
	part = append(part, carry)
	part = append(part, pts[start:]...)
	return append(dst, part)
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
