package testkit_test

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb"
)

func TestClose(t *testing.T) {
	ring := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}
	moved := orb.Ring{{0, 0}, {1, 0}, {1, 1.00001}, {0, 0}}
	cases := []struct {
		a, b orb.Geometry
		want bool
	}{
		{orb.Polygon{ring}, orb.Polygon{ring}, true},
		{orb.Polygon{ring}, orb.Polygon{moved}, false},
		{orb.Polygon{ring}, orb.MultiPolygon{{ring}}, false},
		{orb.LineString{{1, 2}, {3, 4}}, orb.LineString{{1, 2}}, false},
		{orb.LineString{}, orb.LineString{}, false},
		{orb.Point{1, 2}, orb.Point{1.0000005, 2}, true},
		{orb.Point{1, 2}, nil, false},
	}
	for i, c := range cases {
		if got := testkit.Close(c.a, c.b, 1e-6); got != c.want {
			t.Errorf("case %d: Close(%v, %v) = %v, want %v", i, c.a, c.b, got, c.want)
		}
	}
	if n := len(testkit.Positions(orb.MultiPolygon{{ring, ring}, {ring}})); n != 12 {
		t.Errorf("a multipolygon of 3 rings of 4 has %d positions", n)
	}
}
