package printmap

import (
	"math"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb"
)

// Lambert-93's constants as IGN publishes them (n, C = a·F, Ys = y0 + r0
// at the false origin), to their last published digit.
func TestLambert93Constants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"n", lambert93.n, 0.7256077650532670, 1e-15},
		{"C", lambert93.aF, 11754255.4261, 1e-3},
		{"Ys", lambert93.y0 + lambert93.rF, 12655612.0499, 1e-3},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.10f, IGN gives %.10f", c.name, c.got, c.want)
		}
	}
}

// The projections against PROJ 9 (gdaltransform with the same definitions,
// to the centimetre).
func TestProjectionsAgainstPROJ(t *testing.T) {
	benin := newLCC(wgs84, 9.5, 2.3, 7.5, 11.5, 0, 0, "")
	merc := newMercator(wgs84, 5, 2, "")
	for _, c := range []struct {
		p          projection
		lon, lat   float64
		east, nrth float64
	}{
		// +proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80
		{lambert93, 3, 46.5, 700000, 6600000},
		{lambert93, 2.3522, 48.8566, 652469.022709136, 6862035.25942008}, // Paris
		{lambert93, -4.486, 48.390, 146636.139515142, 6836217.36466065},  // Brest
		{lambert93, 7.7521, 48.5734, 1050362.69535793, 6840899.64718803}, // Strasbourg
		{lambert93, 8.7369, 41.9192, 1176526.60226068, 6108263.02263719}, // Ajaccio
		{lambert93, 2.3768, 51.0343, 656187.429349473, 7104461.77444896}, // Dunkerque
		{benin, 2.42, 6.37, 13288.0360919627, -346123.759701067},         // +proj=lcc +lat_0=9.5 +lon_0=2.3 +lat_1=7.5 +lat_2=11.5 +ellps=WGS84
		{benin, 3.6, 11.9, 141662.917845842, 265652.217188559},           //
		{merc, 2.42, 6.37, 46577.4566174935, 703165.088404028},           // +proj=merc +lat_ts=5 +lon_0=2 +ellps=WGS84
		{merc, -17.44, 14.69, -2155870.84915256, 1636460.98138605},       //
	} {
		x, y := c.p.forward(c.lon, c.lat)
		if math.Abs(x-c.east) > 0.01 || math.Abs(y-c.nrth) > 0.01 {
			t.Errorf("(%g, %g): (%.3f, %.3f), PROJ gives (%.3f, %.3f)", c.lon, c.lat, x, y, c.east, c.nrth)
		}
	}
}

// Lambert-93 is true on its standard parallels, about 1 m per km short at
// its centre and at most about 3 m per km long at Corsica's southern tip
// (IGN's figures: −1 to +3 m/km over metropolitan France); a
// partner's conic is true on its own parallels. The analytic scale agrees
// with the one measured on the projected meridian.
func TestScaleFactors(t *testing.T) {
	for _, lat := range []float64{44, 49} {
		if k := lambert93.scale(lat); math.Abs(k-1) > 1e-12 {
			t.Errorf("Lambert-93 at %g°: scale %.7f", lat, k)
		}
	}
	if k := lambert93.scale(46.5); math.Abs(k-0.99905) > 1e-5 {
		t.Errorf("Lambert-93 at its centre: scale %.6f", k)
	}
	for lat := 41.3; lat <= 51.1; lat += 0.1 {
		k := lambert93.scale(lat)
		if k < 0.9990 || k > 1.0031 {
			t.Errorf("Lambert-93 at %.1f°: scale %.5f", lat, k)
		}
		// Measured along the meridian over 0.01°.
		_, y0 := lambert93.forward(3, lat-0.005)
		_, y1 := lambert93.forward(3, lat+0.005)
		s := math.Sin(lat * math.Pi / 180)
		M := grs80.a * (1 - grs80.e*grs80.e) / math.Pow(1-grs80.e*grs80.e*s*s, 1.5)
		if d := (y1-y0)/(M*0.01*math.Pi/180) - k; math.Abs(d) > 1e-6 {
			t.Errorf("Lambert-93 at %.1f°: measured scale off by %.2g", lat, d)
		}
	}
	p := projectionFor(orb.Bound{Min: orb.Point{129, 30}, Max: orb.Point{146, 46}}).(*lcc)
	for _, lat := range []float64{p.lat1, p.lat2} {
		if k := p.scale(lat); math.Abs(k-1) > 1e-12 {
			t.Errorf("Japan's conic at %g°: scale %.7f", lat, k)
		}
	}
	if _, ok := projectionFor(orb.Bound{Min: orb.Point{8, -5}, Max: orb.Point{31, 6}}).(*mercator); !ok {
		t.Error("a country across the equator is not drawn in Mercator")
	}
}

// On the printed page, distances in the France panel are the true ones to a
// single scale (Lambert-93 is conformal and nearly true): every pair of
// French authorities of the Bénin map is at the same page distance per
// kilometre within 0.5 %.
func TestFrancePanelKeepsDistances(t *testing.T) {
	snap := testkit.Snapshot(t)
	o := Options{}
	o.defaults()
	country, _ := snap.Country("BJ")
	ids, sel, err := snap.Items(index.LayerPartnerships, atlas.Filter{Countries: []string{"BJ"}})
	if err != nil {
		t.Fatal(err)
	}
	m := newMap(snap, testFamily(), country, ids, sel, o)
	fr := m.panels[0]
	ds := snap.Dataset()
	var pts []orb.Point
	for _, a := range m.auths {
		if p := ds.Authorities[a].Point; metropole.Contains(p) {
			pts = append(pts, p)
		}
	}
	lo, hi := math.Inf(1), 0.0
	n := 0
	for i := range pts {
		for j := i + 1; j < len(pts); j++ {
			km := atlas.DistanceKm(pts[i], pts[j])
			if km < 200 {
				continue
			}
			x0, y0 := fr.xy(pts[i])
			x1, y1 := fr.xy(pts[j])
			r := math.Hypot(x1-x0, y1-y0) / km
			lo, hi = math.Min(lo, r), math.Max(hi, r)
			n++
		}
	}
	if n < 100 || hi/lo > 1.005 {
		t.Fatalf("%d pairs: page mm per km from %.5f to %.5f (%.2f %%)", n, lo, hi, (hi/lo-1)*100)
	}
}
