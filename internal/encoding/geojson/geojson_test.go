package geojson_test

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/encoding/geojson"
	"github.com/paulmach/orb"
	orbgeojson "github.com/paulmach/orb/geojson"
)

// TestAppendGeometry writes each geometry type and reads it back with orb's
// GeoJSON decoder.
func TestAppendGeometry(t *testing.T) {
	ring := orb.Ring{{2.35, 48.85}, {2.36, 48.85}, {2.36, 48.86}, {2.35, 48.85}}
	for _, g := range []orb.Geometry{
		orb.Point{-1.5536, 47.2184},
		orb.LineString{{2.35, 48.85}, {139.69, 35.69}},
		orb.MultiLineString{{{170, 10}, {180, 12}}, {{-180, 12}, {-170, 14}}},
		orb.Polygon{ring},
		orb.MultiPolygon{{ring}, {ring}},
	} {
		text := geojson.AppendGeometry(nil, g)
		back, err := orbgeojson.UnmarshalGeometry(text)
		if err != nil {
			t.Fatalf("%s: %s does not decode: %v", g.GeoJSONType(), text, err)
		}
		if !orb.Equal(back.Geometry(), g) {
			t.Errorf("%s: %s decodes as %v", g.GeoJSONType(), text, back.Geometry())
		}
	}
	if got := string(geojson.AppendGeometry(nil, orb.Collection{})); got != "null" {
		t.Errorf("a collection writes %s, want null", got)
	}
	if got, want := string(geojson.AppendPoint(nil, orb.Point{1.0000004, -0.0000004})), "[1,0]"; got != want {
		t.Errorf("rounding: got %s, want %s", got, want)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"Saint-Étienne", `quote " and \ backslash`, "tab\tnew\nline", "\x00\x1f", "\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		snapName := geojson.AppendString(nil, s)
		var back string
		if err := json.Unmarshal(snapName, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %q: %v", s, snapName, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("%q round-trips to %q, encoding/json gives %q", s, back, wantBack)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range []float64{0, -0.0000004, 1.5, -179.9999995, 48.853412, 1e-7, -2.35} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e9 {
			return
		}
		got := geojson.AppendFloat(nil, x)
		back, err := strconv.ParseFloat(string(got), 64)
		if err != nil {
			t.Fatalf("%v formats as %q", x, got)
		}
		want := math.Round(x*1e6) / 1e6
		if math.Abs(back-want) > 1e-9*math.Max(1, math.Abs(x)) {
			t.Fatalf("%v formats as %q, want %v", x, got, want)
		}
		if string(got) == "-0" || (len(got) > 1 && got[len(got)-1] == '0' && strings.Contains(string(got), ".")) {
			t.Fatalf("%v formats as %q", x, got)
		}
	})
}

func BenchmarkAppendGeometry(b *testing.B) {
	line := make(orb.LineString, 0, 500)
	for i := range 500 {
		line = append(line, orb.Point{2.35 + float64(i)*0.27, 48.85 - float64(i)*0.03})
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = geojson.AppendGeometry(buf[:0], line)
	}
	b.SetBytes(int64(len(buf)))
}
