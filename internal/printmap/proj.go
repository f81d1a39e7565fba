package printmap

import (
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// Map projections of the print maps, conformal, on an ellipsoid: Lambert
// conformal conic with two standard parallels (EPSG method 9802) and
// Mercator variant B (EPSG 9805), after IOGP Geomatics Guidance Note 7-2,
// §3.2.1.1 and §3.5.1. Metropolitan France is drawn in Lambert-93
// (EPSG:2154, IGN's official projection), a partner country in a Lambert
// conic centred on it, or in Mercator true at its middle latitude when it
// straddles the equator (where a conic degenerates).

// ellipsoid is a reference ellipsoid: semi-major axis a (m), eccentricity e.
type ellipsoid struct{ a, e float64 }

// GRS80 (RGF93, Lambert-93) and WGS84 differ by 0.1 mm in b: for maps, the
// same, but Lambert-93 is defined on GRS80.
var (
	grs80 = newEllipsoid(6378137, 298.257222101)
	wgs84 = newEllipsoid(6378137, 298.257223563)
)

func newEllipsoid(a, invF float64) ellipsoid {
	f := 1 / invF
	return ellipsoid{a: a, e: math.Sqrt(2*f - f*f)}
}

// projection maps longitude and latitude (degrees) to easting and northing
// (metres).
type projection interface {
	forward(lon, lat float64) (x, y float64)
	// scale is the scale factor at latitude lat (conformal: the same in
	// every direction, and along a parallel).
	scale(lat float64) float64
	// name is how the scale bar names the projection.
	name() string
}

// lcc is a Lambert conformal conic projection with two standard parallels.
type lcc struct {
	el         ellipsoid
	lon0       float64 // radians, longitude of false origin
	n, aF, rF  float64 // cone constant, a·F, radius at the false origin
	x0, y0     float64 // false easting and northing
	label      string
	lat1, lat2 float64 // standard parallels, degrees
}

func newLCC(el ellipsoid, lat0, lon0, lat1, lat2, x0, y0 float64, label string) *lcc {
	rad := math.Pi / 180
	p1, p2, pf := lat1*rad, lat2*rad, lat0*rad
	m1, m2 := el.m(p1), el.m(p2)
	t1, t2, tf := el.t(p1), el.t(p2), el.t(pf)
	n := (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2))
	if lat1 == lat2 {
		n = math.Sin(p1)
	}
	F := m1 / (n * math.Pow(t1, n))
	p := &lcc{el: el, lon0: lon0 * rad, n: n, aF: el.a * F, x0: x0, y0: y0, label: label, lat1: lat1, lat2: lat2}
	p.rF = p.aF * math.Pow(tf, n)
	return p
}

// t is the function t(φ) of the conformal projections.
func (el ellipsoid) t(phi float64) float64 {
	s := el.e * math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-s)/(1+s), el.e/2)
}

func (p *lcc) forward(lon, lat float64) (float64, float64) {
	rad := math.Pi / 180
	phi := math.Max(-89.9, math.Min(89.9, lat)) * rad
	r := p.aF * math.Pow(p.el.t(phi), p.n)
	theta := p.n * remainder(lon*rad-p.lon0)
	return p.x0 + r*math.Sin(theta), p.y0 + p.rF - r*math.Cos(theta)
}

func (p *lcc) name() string { return p.label }

// mercator is Mercator variant B: true scale on the parallels ±latTS.
type mercator struct {
	el        ellipsoid
	lon0, ak0 float64
	label     string
}

func newMercator(el ellipsoid, latTS, lon0 float64, label string) *mercator {
	k0 := el.m(latTS * math.Pi / 180)
	return &mercator{el: el, lon0: lon0 * math.Pi / 180, ak0: el.a * k0, label: label}
}

func (p *mercator) forward(lon, lat float64) (float64, float64) {
	phi := math.Max(-85, math.Min(85, lat)) * math.Pi / 180
	return p.ak0 * remainder(lon*math.Pi/180-p.lon0), -p.ak0 * math.Log(p.el.t(phi))
}

func (p *mercator) name() string { return p.label }

// remainder wraps a longitude difference (radians) into [-π, π).
func remainder(d float64) float64 {
	return d - 2*math.Pi*math.Floor((d+math.Pi)/(2*math.Pi))
}

// lambert93 is RGF93 / Lambert-93 (EPSG:2154).
var lambert93 = newLCC(grs80, 46.5, 3, 49, 44, 700000, 6600000, "Lambert-93")

// projectionFor returns the projection of a partner panel showing b
// (WGS84): a Lambert conformal conic centred on it, with standard parallels
// at a sixth of its height from its top and bottom, or, when those fall on
// both sides of the equator or near it, Mercator true at its middle
// latitude.
func projectionFor(b orb.Bound) projection {
	lon0 := (b.Min[0] + b.Max[0]) / 2
	lat0 := (b.Min[1] + b.Max[1]) / 2
	h := b.Max[1] - b.Min[1]
	lat1, lat2 := b.Min[1]+h/6, b.Max[1]-h/6
	if lat1*lat2 <= 0 || math.Abs(lat1+lat2)/2 < 8 {
		return newMercator(wgs84, lat0, lon0, "Mercator, "+deg(lat0))
	}
	return newLCC(wgs84, lat0, lon0, lat1, lat2, 0, 0, "conique de Lambert "+lats(lat1, lat2))
}

// lats formats two standard parallels, as "7–12° N".
func lats(a, b float64) string {
	da, db := deg(a), deg(b)
	if (a < 0) == (b < 0) {
		return strconv.Itoa(int(math.Round(math.Abs(a)))) + "–" + db
	}
	return da + " – " + db
}

// deg formats a latitude in whole degrees, with N or S.
func deg(lat float64) string {
	d := int(math.Round(math.Abs(lat)))
	switch {
	case d == 0:
		return "0°"
	case lat < 0:
		return strconv.Itoa(d) + "° S"
	}
	return strconv.Itoa(d) + "° N"
}

// m is the function m(φ) of the conformal projections: the radius of the
// parallel over a.
func (el ellipsoid) m(phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-el.e*el.e*s*s)
}

// scale is the conic's scale factor at latitude lat (degrees), the same in
// every direction: n·r / (a·m).
func (p *lcc) scale(lat float64) float64 {
	phi := lat * math.Pi / 180
	return p.n * p.aF * math.Pow(p.el.t(phi), p.n) / (p.el.a * p.el.m(phi))
}

// scale is Mercator's scale factor at latitude lat: a·k0 / (a·m).
func (p *mercator) scale(lat float64) float64 {
	return p.ak0 / (p.el.a * p.el.m(lat*math.Pi/180))
}
