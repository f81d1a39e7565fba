package query

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
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
