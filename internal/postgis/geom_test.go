package postgis

import (
	"math"
	"reflect"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/paulmach/orb"
)

func TestEWKBRoundTrip(t *testing.T) {
	tricky := []float64{0.1, 1.0 / 3, -179.99999999999997, math.Nextafter(45, 90), 5e-324, -0.0}
	ring := orb.Ring{}
	for i, x := range tricky {
		ring = append(ring, orb.Point{x, tricky[(i+1)%len(tricky)]})
	}
	ring = append(ring, ring[0])
	hole := orb.Ring{{0.5, 0.5}, {0.6, 0.5}, {0.6, 0.6}, {0.5, 0.5}}
	cases := map[string]orb.Geometry{
		"polygon":                 orb.Polygon{ring},
		"polygon with hole":       orb.Polygon{ring, hole},
		"multipolygon":            orb.MultiPolygon{{ring}, {hole}, {ring, hole}},
		"multipolygon of one":     orb.MultiPolygon{{ring}},
		"multipolygon with empty": orb.MultiPolygon{{ring}, {}},
	}
	for name, g := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := encodeEWKB(g)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeEWKB(b)
			if err != nil {
				t.Fatal(err)
			}
			if !sameGeometry(g, back) {
				t.Fatalf("round trip changed the geometry:\n got %v\nwant %v", back, g)
			}
		})
	}
	if _, err := encodeEWKB(orb.Point{1, 2}); err == nil {
		t.Fatal("a point encoded as a boundary")
	}
	if _, err := decodeEWKB([]byte{1, 2, 3}); err == nil {
		t.Fatal("garbage decoded")
	}
}

// TestEWKBRoundTripDataset round-trips every boundary of the embedded dataset.
func TestEWKBRoundTripDataset(t *testing.T) {
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, layer := range boundaryLayers(ds) {
		for _, b := range layer.shapes {
			enc, err := encodeEWKB(b.Geometry)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeEWKB(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !sameGeometry(b.Geometry, back) {
				t.Fatalf("%s %s: round trip changed the geometry", layer.name, b.ID)
			}
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d boundaries", n)
	}
}

// sameGeometry compares types and coordinate bits exactly (so -0 ≠ 0).
func sameGeometry(a, b orb.Geometry) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	bits := func(g orb.Geometry) [][]uint64 {
		var out [][]uint64
		var polys []orb.Polygon
		switch g := g.(type) {
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		}
		for _, p := range polys {
			out = append(out, []uint64{math.MaxUint64}) // polygon separator
			for _, r := range p {
				var rb []uint64
				for _, pt := range r {
					rb = append(rb, math.Float64bits(pt[0]), math.Float64bits(pt[1]))
				}
				out = append(out, rb)
			}
		}
		return out
	}
	return reflect.DeepEqual(bits(a), bits(b))
}
