package atlas

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusKm is the mean Earth radius used for distances.
const EarthRadiusKm = 6371.0088

// DistanceKm returns the great-circle distance between two WGS84 points.
func DistanceKm(a, b orb.Point) float64 {
	lat1, lat2 := rad(a[1]), rad(b[1])
	dlat, dlon := lat2-lat1, rad(b[0]-a[0])
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Arc returns the great-circle arc from a to b, densified so that no segment
// is longer than maxSegKm (at least one segment), and split where it crosses
// the antimeridian so that every part stays within [-180, 180] longitude (the
// parts meet at ±180). The result always has at least one line of at least
// two points. Identical endpoints give a two-point degenerate line.
func Arc(a, b orb.Point, maxSegKm float64) orb.MultiLineString {
	d := DistanceKm(a, b)
	n := 1
	if maxSegKm > 0 {
		n = max(1, int(math.Ceil(d/maxSegKm)))
	}
	pts := make([]orb.Point, 0, n+1)
	delta := d / EarthRadiusKm
	if d < 1e-9 || math.Sin(delta) < 1e-12 {
		// Same point, or antipodes (no unique great circle): a straight line.
		pts = append(pts, a, b)
	} else {
		// Points at equal angular steps θ on a great circle satisfy
		// v[k+1] = 2·cos θ·v[k] − v[k−1]: no trigonometry per point but
		// the conversion back to longitude/latitude.
		ua, ub := unit(a), unit(b)
		sd := math.Sin(delta)
		theta := delta / float64(n)
		A, B := math.Sin(delta-theta)/sd, math.Sin(theta)/sd
		prev := ua
		cur := [3]float64{A*ua[0] + B*ub[0], A*ua[1] + B*ub[1], A*ua[2] + B*ub[2]}
		c2 := 2 * math.Cos(theta)
		pts = append(pts, a)
		for i := 1; i < n; i++ {
			pts = append(pts, orb.Point{deg(math.Atan2(cur[1], cur[0])), deg(math.Atan2(cur[2], math.Hypot(cur[0], cur[1])))})
			prev, cur = cur, [3]float64{c2*cur[0] - prev[0], c2*cur[1] - prev[1], c2*cur[2] - prev[2]}
		}
		pts = append(pts, b)
	}
	// Split at the antimeridian: a jump of more than 180° in longitude between
	// consecutive points means the arc crossed ±180.
	var out orb.MultiLineString
	cur := orb.LineString{pts[0]}
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		if math.Abs(q[0]-p[0]) > 180 {
			edge := 180.0
			if p[0] < 0 {
				edge = -180
			}
			// Unwrap q next to p to interpolate the crossing latitude.
			qx := q[0] + 2*edge
			t := (edge - p[0]) / (qx - p[0])
			lat := p[1] + t*(q[1]-p[1])
			cur = append(cur, orb.Point{edge, lat})
			out = append(out, cur)
			cur = orb.LineString{{-edge, lat}}
		}
		cur = append(cur, q)
	}
	out = append(out, cur)
	return out
}

func rad(d float64) float64 { return d * math.Pi / 180 }
func deg(r float64) float64 { return r * 180 / math.Pi }

// ArcBounds returns the bounding boxes of the parts of Arc(a, b, ·) — one
// box, or two when the arc crosses the antimeridian (in Arc's order) —
// computed exactly from the great circle (its northern or southern vertex
// when the arc passes it) instead of from a densified line. Every
// densification of the arc lies inside, up to 0.01° at an antimeridian
// crossing (Arc interpolates the crossing latitude linearly).
func ArcBounds(a, b orb.Point) []orb.Bound {
	ua, ub := unit(a), unit(b)
	n := cross(ua, ub)
	nn := math.Sqrt(dot(n, n))
	if nn < 1e-12 || math.Abs(b[0]-a[0]) <= 180 {
		lo, hi := latRange(ua, ub, n, nn)
		return []orb.Bound{{Min: orb.Point{math.Min(a[0], b[0]), lo}, Max: orb.Point{math.Max(a[0], b[0]), hi}}}
	}
	// Crosses ±180 where the great circle meets the plane y = 0 on the x < 0
	// side: from a to its edge, then from the other edge to b.
	c := [3]float64{-n[2], 0, n[0]}
	if c[0] > 0 {
		c = [3]float64{-c[0], 0, -c[2]}
	}
	cn := math.Sqrt(dot(c, c))
	c = [3]float64{c[0] / cn, 0, c[2] / cn}
	edge := 180.0
	if a[0] < 0 {
		edge = -180
	}
	lo1, hi1 := latRange(ua, c, n, nn)
	lo2, hi2 := latRange(c, ub, n, nn)
	return []orb.Bound{
		{Min: orb.Point{math.Min(a[0], edge), lo1}, Max: orb.Point{math.Max(a[0], edge), hi1}},
		{Min: orb.Point{math.Min(b[0], -edge), lo2}, Max: orb.Point{math.Max(b[0], -edge), hi2}},
	}
}

// latRange returns the latitude range of the minor great-circle arc from p
// to q (unit vectors) on the circle of normal n (length nn).
func latRange(p, q, n [3]float64, nn float64) (lo, hi float64) {
	lo, hi = latOf(p), latOf(q)
	if lo > hi {
		lo, hi = hi, lo
	}
	if nn < 1e-12 {
		return lo, hi
	}
	n = [3]float64{n[0] / nn, n[1] / nn, n[2] / nn}
	// The point of the circle nearest the north pole, and its antipode.
	v := [3]float64{-n[2] * n[0], -n[2] * n[1], 1 - n[2]*n[2]}
	vn := math.Sqrt(dot(v, v))
	if vn < 1e-12 {
		return lo, hi // the circle is the equator
	}
	v = [3]float64{v[0] / vn, v[1] / vn, v[2] / vn}
	for _, x := range [][3]float64{v, {-v[0], -v[1], -v[2]}} {
		if dot(cross(p, x), n) >= 0 && dot(cross(x, q), n) >= 0 {
			lat := latOf(x)
			lo, hi = math.Min(lo, lat), math.Max(hi, lat)
		}
	}
	return lo, hi
}

func latOf(u [3]float64) float64 { return deg(math.Asin(math.Max(-1, math.Min(1, u[2])))) }

func unit(p orb.Point) [3]float64 {
	lat, lon := rad(p[1]), rad(p[0])
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
