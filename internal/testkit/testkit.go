// Package testkit holds the helpers that tests of several packages share and
// that must not pull in the serving stack (atlastest does, on top of it): the
// embedded and 100× snapshots, comparing geometries position by position,
// and finding the external tools (GDAL, poppler) that some tests drive. It is
// imported by tests only.
package testkit

import (
	"math"
	"os"
	"os/exec"
	"testing"

	"github.com/paulmach/orb"
)

// Positions returns every position of g in order: a point's, a line's, each
// ring's of each polygon. Other geometry types have none.
func Positions(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.LineString:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				out = append(out, r...)
			}
		}
	}
	return out
}

// Close reports whether a and b have the same GeoJSON type and, position by
// position, coordinates within tol of each other. Two geometries with no
// position are not close: a comparison that compared nothing proves nothing.
func Close(a, b orb.Geometry, tol float64) bool {
	if a == nil || b == nil || a.GeoJSONType() != b.GeoJSONType() {
		return false
	}
	pa, pb := Positions(a), Positions(b)
	if len(pa) != len(pb) || len(pa) == 0 {
		return false
	}
	for i := range pa {
		if math.Abs(pa[i][0]-pb[i][0]) > tol || math.Abs(pa[i][1]-pb[i][1]) > tol {
			return false
		}
	}
	return true
}

// RequireTool returns the path of an external tool, skipping the test when
// it is absent unless ATLAS_REQUIRE_SERVICES=1, where it fails: CI installs
// every tool, so a test it skips would be a test that cannot fail.
func RequireTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ATLAS_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s not found (Debian package %s) and ATLAS_REQUIRE_SERVICES=1", name, debianPackage)
		}
		t.Skipf("%s not found (install the Debian package %s)", name, debianPackage)
	}
	return p
}
