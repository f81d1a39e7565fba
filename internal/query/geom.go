package query

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// parts is a geometry broken into what the intersection test needs.
type parts struct {
	points []orb.Point
	segs   [][2]orb.Point // line segments and polygon edges
	polys  []orb.Polygon
	verts  []orb.Point // every vertex
}

func explode(g orb.Geometry, out *parts) {
	line := func(ls []orb.Point) {
		for i := 1; i < len(ls); i++ {
			out.segs = append(out.segs, [2]orb.Point{ls[i-1], ls[i]})
		}
		out.verts = append(out.verts, ls...)
	}
	switch g := g.(type) {
	case orb.Point:
		out.points = append(out.points, g)
		out.verts = append(out.verts, g)
	case orb.MultiPoint:
		out.points = append(out.points, g...)
		out.verts = append(out.verts, g...)
	case orb.LineString:
		line(g)
	case orb.MultiLineString:
		for _, l := range g {
			line(l)
		}
	case orb.Polygon:
		out.polys = append(out.polys, g)
		for _, r := range g {
			line(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			explode(p, out)
		}
	case orb.Collection:
		for _, s := range g {
			explode(s, out)
		}
	case orb.Bound:
		explode(g.ToPolygon(), out)
	}
}

// Intersects reports whether two CRS84 geometries share at least one point,
// computed in the plane of longitude/latitude (as CQL2 does for CRS84).
func Intersects(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return false
	}
	if !boundOf(a).Intersects(boundOf(b)) {
		return false
	}
	var pa, pb parts
	explode(a, &pa)
	explode(b, &pb)
	for _, s := range pa.segs {
		sb := orb.Bound{Min: s[0], Max: s[0]}.Extend(s[1])
		for _, t := range pb.segs {
			tb := orb.Bound{Min: t[0], Max: t[0]}.Extend(t[1])
			if sb.Intersects(tb) && segmentsIntersect(s[0], s[1], t[0], t[1]) {
				return true
			}
		}
	}
	inPolys := func(polys []orb.Polygon, pts []orb.Point) bool {
		for _, poly := range polys {
			pbd := poly.Bound()
			for _, p := range pts {
				if pbd.Contains(p) && planar.PolygonContains(poly, p) {
					return true
				}
			}
		}
		return false
	}
	if inPolys(pa.polys, pb.verts) || inPolys(pb.polys, pa.verts) {
		return true
	}
	onSegs := func(pts []orb.Point, segs [][2]orb.Point, others []orb.Point) bool {
		for _, p := range pts {
			for _, o := range others {
				if p == o {
					return true
				}
			}
			for _, s := range segs {
				if orient(s[0], s[1], p) == 0 && onSegment(s[0], s[1], p) {
					return true
				}
			}
		}
		return false
	}
	return onSegs(pa.points, pb.segs, pb.points) || onSegs(pb.points, pa.segs, nil)
}

func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func segmentsIntersect(p1, p2, q1, q2 orb.Point) bool {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return o1 == 0 && onSegment(p1, p2, q1) || o2 == 0 && onSegment(p1, p2, q2) ||
		o3 == 0 && onSegment(q1, q2, p1) || o4 == 0 && onSegment(q1, q2, p2)
}

// MaxVertices bounds the vertices of the geometry literals of one filter.
const MaxVertices = 10000

// vertices counts the vertices of a geometry.
func vertices(g orb.Geometry) int {
	var p parts
	explode(g, &p)
	return len(p.verts)
}

// prepared is a geometry literal made ready to be tested against every
// feature: exploded once, its edges in an R-tree, so that a feature costs
// the edges near it rather than all of them (a 5,000-vertex polygon tested
// edge by edge against 11,600 arcs was billions of segment tests).
type prepared struct {
	g     orb.Geometry
	bound orb.Bound
	p     parts
	edges rtree.RTreeG[int32] // index into p.segs
	rings []int32             // polygon of each of p.segs, -1 for lines
}

func prepare(g orb.Geometry) *prepared {
	pr := &prepared{g: g, bound: boundOf(g)}
	explode(g, &pr.p)
	// explode lists each polygon's rings in order: attribute its edges to it
	pr.rings = make([]int32, len(pr.p.segs))
	for i := range pr.rings {
		pr.rings[i] = -1
	}
	var q parts
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			start := len(q.segs)
			explode(g, &q)
			for i := start; i < len(q.segs); i++ {
				pr.rings[i] = int32(len(q.polys) - 1)
			}
			return
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
			return
		case orb.Collection:
			for _, s := range g {
				walk(s)
			}
			return
		case orb.Bound:
			walk(g.ToPolygon())
			return
		}
		explode(g, &q)
	}
	walk(g)
	for i, s := range pr.p.segs {
		b := orb.Bound{Min: s[0], Max: s[0]}.Extend(s[1])
		pr.edges.Insert(b.Min, b.Max, int32(i))
	}
	return pr
}

// contains reports whether p lies inside one of the literal's polygons
// (even-odd rule over its rings, by the edges crossing the ray from p to
// the east; the boundary is left to the segment tests).
func (pr *prepared) contains(p orb.Point, cross []int8, work *int64) bool {
	if len(pr.p.polys) == 0 || !pr.bound.Contains(p) {
		return false
	}
	clear(cross)
	pr.edges.Search([2]float64{p[0], p[1]}, [2]float64{pr.bound.Max[0], p[1]}, func(_, _ [2]float64, i int32) bool {
		*work++
		poly := pr.rings[i]
		if poly < 0 {
			return true
		}
		a, b := pr.p.segs[i][0], pr.p.segs[i][1]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			cross[poly] ^= 1
		}
		return true
	})
	for _, c := range cross {
		if c != 0 {
			return true
		}
	}
	return false
}

// Intersects reports whether feature geometry g shares a point with the
// literal, adding to work the edges and vertices it tested.
func (pr *prepared) Intersects(g orb.Geometry, work *int64) bool {
	*work++
	if g == nil || !boundOf(g).Intersects(pr.bound) {
		return false
	}
	var pa parts
	explode(g, &pa)
	hit := false
	for _, s := range pa.segs {
		sb := orb.Bound{Min: s[0], Max: s[0]}.Extend(s[1])
		pr.edges.Search(sb.Min, sb.Max, func(_, _ [2]float64, i int32) bool {
			t := pr.p.segs[i]
			*work++
			hit = segmentsIntersect(s[0], s[1], t[0], t[1])
			return !hit
		})
		if hit {
			return true
		}
	}
	cross := make([]int8, len(pr.p.polys))
	for _, v := range pa.verts {
		if pr.contains(v, cross, work) {
			return true
		}
	}
	for _, poly := range pa.polys { // the feature's polygons around the literal
		pbd, pn := poly.Bound(), int64(0)
		for _, ring := range poly {
			pn += int64(len(ring))
		}
		for _, v := range pr.p.verts {
			*work++
			if !pbd.Contains(v) {
				continue
			}
			*work += pn
			if planar.PolygonContains(poly, v) {
				return true
			}
		}
	}
	for _, p := range pa.points { // a feature point on a literal edge or point
		pr.edges.Search(p, p, func(_, _ [2]float64, i int32) bool {
			*work++
			t := pr.p.segs[i]
			hit = orient(t[0], t[1], p) == 0 && onSegment(t[0], t[1], p)
			return !hit
		})
		if hit || slices.Contains(pr.p.points, p) {
			return true
		}
	}
	for _, p := range pr.p.points { // a literal point on a feature edge
		*work += int64(len(pa.segs))
		for _, s := range pa.segs {
			if orient(s[0], s[1], p) == 0 && onSegment(s[0], s[1], p) {
				return true
			}
		}
	}
	return false
}
