package mvt_test

import (
	"fmt"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"github.com/paulmach/orb"
	orbmvt "github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// decodeLayer reads back the one layer l wrote, with orb's decoder (an
// independent reading of the specification).
func decodeLayer(t *testing.T, l *mvt.Layer) *orbmvt.Layer {
	t.Helper()
	b, _ := l.AppendLayer(nil, nil)
	ls, err := orbmvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if len(ls) != 1 {
		t.Fatalf("%d layers, want 1", len(ls))
	}
	if ls[0].Version != 2 || ls[0].Extent != mvt.Extent {
		t.Errorf("version %d extent %d, want 2 and %d", ls[0].Version, ls[0].Extent, mvt.Extent)
	}
	return ls[0]
}

func TestGeometriesRoundTrip(t *testing.T) {
	var l mvt.Layer
	l.Reset("things")

	l.Begin()
	l.Point(10.4, 20.6) // rounded half up
	l.String("name", "Lyon")
	l.Int("partnerships", 3)
	l.Bool("synthetic", false)
	l.List("themes", []string{"eau", "culture"}, "eau|culture")
	l.End()

	l.Begin()
	l.MoveTo(0, 0)
	l.LineTo(0, 0) // equal to the last point: dropped
	l.LineTo(100, 0)
	l.LineTo(100, 50)
	l.MoveTo(500, 500) // a part left with one point is dropped
	l.MoveTo(-30, 4100)
	l.LineTo(4200, 4100) // outside the tile, inside the buffer
	l.End()

	l.Begin()
	// A square given clockwise in tile coordinates (y down) and a hole
	// given the same way: the encoder orients them as MVT wants.
	if !l.Ring([]orb.Point{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}}, true) {
		t.Fatal("square ring reported degenerate")
	}
	if !l.Ring([]orb.Point{{20, 20}, {20, 40}, {40, 40}, {40, 20}}, false) {
		t.Fatal("hole reported degenerate")
	}
	if l.Ring([]orb.Point{{0, 0}, {0.2, 0.1}, {0.4, 0.3}}, true) {
		t.Error("a ring of one point after rounding was written")
	}
	l.String("name", "Lyon") // the same value: one entry in the dictionary
	l.End()

	l.Begin()
	l.String("name", "no geometry") // a feature without geometry is not written
	l.End()

	got := decodeLayer(t, &l)
	if got.Name != "things" || len(got.Features) != 3 {
		t.Fatalf("layer %q with %d features, want things with 3", got.Name, len(got.Features))
	}
	if p, ok := got.Features[0].Geometry.(orb.Point); !ok || p != (orb.Point{10, 21}) {
		t.Errorf("point %v, want [10 21]", got.Features[0].Geometry)
	}
	wantProps := geojson.Properties{"name": "Lyon", "partnerships": 3.0, "synthetic": false, "themes": "eau|culture"}
	if fmt.Sprint(got.Features[0].Properties) != fmt.Sprint(wantProps) {
		t.Errorf("properties %v, want %v", got.Features[0].Properties, wantProps)
	}
	ml, ok := got.Features[1].Geometry.(orb.MultiLineString)
	want := orb.MultiLineString{{{0, 0}, {100, 0}, {100, 50}}, {{-30, 4100}, {4200, 4100}}}
	if !ok || !orb.Equal(ml, want) {
		t.Errorf("lines %v, want %v", got.Features[1].Geometry, want)
	}
	poly, ok := got.Features[2].Geometry.(orb.Polygon)
	if !ok || len(poly) != 2 {
		t.Fatalf("polygon %v, want a polygon with one hole", got.Features[2].Geometry)
	}
	// Decoded in tile coordinates (y down), the exterior ring has a positive
	// shoelace area and the hole a negative one (specification 4.3.4.4).
	if a := shoelace(poly[0]); a <= 0 {
		t.Errorf("exterior ring area %v, want > 0", a)
	}
	if a := shoelace(poly[1]); a >= 0 {
		t.Errorf("hole area %v, want < 0", a)
	}
	// Lyon, 3, false, eau|culture, and the value of the feature without
	// geometry, which stays in the dictionary (unused values are valid MVT).
	if l.Values() != 5 {
		t.Errorf("%d distinct values, want 5", l.Values())
	}
}

func shoelace(r orb.Ring) float64 {
	var a float64
	for i := range len(r) - 1 {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// TestDictionaryTags checks that features written from a PropTable, a
// dictionary made once, decode to the properties written one by one, and
// that a layer reused after Reset writes the same bytes.
func TestDictionaryTags(t *testing.T) {
	names := []string{"Lyon", "Dakar", "Lyon", "Kyoto", "Dakar"}
	visit := func(i int, s mvt.Sink) {
		s.String("name", names[i])
		s.Int("rank", i%2)
		s.Bool("capital", names[i] == "Dakar")
	}
	table := mvt.NewPropTable(len(names), visit)

	var fromTable, direct mvt.Layer
	write := func() []byte {
		fromTable.Reset("cities")
		direct.Reset("cities")
		for i := range names {
			fromTable.Begin()
			fromTable.DictTags(&table.Dict, table.Of(i))
			fromTable.Point(float64(i), float64(i))
			fromTable.End()
			direct.Begin()
			visit(i, &direct)
			direct.Point(float64(i), float64(i))
			direct.End()
		}
		a, _ := fromTable.AppendLayer(nil, nil)
		b, _ := direct.AppendLayer(nil, nil)
		if string(a) != string(b) {
			t.Fatal("a layer written from the table differs from one written value by value")
		}
		return a
	}
	first := write()
	if again := write(); string(again) != string(first) {
		t.Error("a layer reused after Reset wrote other bytes")
	}
	got := decodeLayer(t, &direct)
	for i, f := range got.Features {
		if f.Properties["name"] != names[i] || f.Properties["rank"] != float64(i%2) || f.Properties["capital"] != (names[i] == "Dakar") {
			t.Errorf("feature %d: %v", i, f.Properties)
		}
	}
	if direct.Values() != 7 { // 3 names, 2 ranks, 2 booleans
		t.Errorf("%d distinct values, want 7", direct.Values())
	}
}

func TestEmptyLayerWritesNothing(t *testing.T) {
	var l mvt.Layer
	l.Reset("empty")
	l.Begin()
	l.MoveTo(3, 3) // one point: dropped, so the feature has no geometry
	l.End()
	if b, _ := l.AppendLayer([]byte("x"), nil); string(b) != "x" {
		t.Errorf("an empty layer appended %d bytes", len(b)-1)
	}
}

// BenchmarkLayer writes a layer of 1,000 points with four properties each,
// with this encoder and with orb's (which builds the tile as structures and
// marshals it with protobuf), the reason this package writes bytes itself.
func BenchmarkLayer(b *testing.B) {
	const n = 1000
	names := make([]string, 50)
	for i := range names {
		names[i] = fmt.Sprintf("place %d", i)
	}
	b.Run("atlas", func(b *testing.B) {
		var l mvt.Layer
		var buf, scratch []byte
		b.ReportAllocs()
		for b.Loop() {
			l.Reset("points")
			for i := range n {
				l.Begin()
				l.String("name", names[i%len(names)])
				l.Int("partnerships", i%17)
				l.Bool("synthetic", i%5 == 0)
				l.String("country", names[i%7])
				l.Point(float64(i%4096), float64(i*7%4096))
				l.End()
			}
			buf, scratch = l.AppendLayer(buf[:0], scratch)
		}
	})
	b.Run("orb", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fc := geojson.NewFeatureCollection()
			for i := range n {
				f := geojson.NewFeature(orb.Point{float64(i % 4096), float64(i * 7 % 4096)})
				f.Properties["name"] = names[i%len(names)]
				f.Properties["partnerships"] = i % 17
				f.Properties["synthetic"] = i%5 == 0
				f.Properties["country"] = names[i%7]
				fc.Append(f)
			}
			if _, err := orbmvt.Marshal(orbmvt.Layers{orbmvt.NewLayer("points", fc)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
