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
	if d < 1e-9 {
		pts = append(pts, a, b)
	} else {
		lat1, lon1, lat2, lon2 := rad(a[1]), rad(a[0]), rad(b[1]), rad(b[0])
		delta := d / EarthRadiusKm
		sd := math.Sin(delta)
		for i := 0; i <= n; i++ {
			f := float64(i) / float64(n)
			if i == 0 {
				pts = append(pts, a)
				continue
			}
			if i == n {
				pts = append(pts, b)
				continue
			}
			A := math.Sin((1-f)*delta) / sd
			B := math.Sin(f*delta) / sd
			x := A*math.Cos(lat1)*math.Cos(lon1) + B*math.Cos(lat2)*math.Cos(lon2)
			y := A*math.Cos(lat1)*math.Sin(lon1) + B*math.Cos(lat2)*math.Sin(lon2)
			z := A*math.Sin(lat1) + B*math.Sin(lat2)
			pts = append(pts, orb.Point{deg(math.Atan2(y, x)), deg(math.Atan2(z, math.Hypot(x, y)))})
		}
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
