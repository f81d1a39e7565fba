package index_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb/geojson"
)

// TestAppendFeatureMatchesFeature checks the fast GeoJSON writer against the
// reflective one on every feature of every layer: same members, same values,
// coordinates equal to GeoJSONDecimals.
func TestAppendFeatureMatchesFeature(t *testing.T) {
	snap := atlastest.Snapshot(t)
	sel := snap.Select(atlas.Filter{Countries: []string{"JP", "SN", "DE"}})
	for _, l := range index.Layers() {
		ids, _, err := snap.Items(l.ID, atlas.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var buf []byte
		for _, i := range ids {
			buf = snap.AppendFeature(buf[:0], l.ID, i, sel)
			got, err := geojson.UnmarshalFeature(buf)
			if err != nil {
				t.Fatalf("%s %d: %v\n%s", l.ID, i, err, buf)
			}
			want := snap.Feature(l.ID, i, sel)
			wantJSON, _ := json.Marshal(want)
			want, _ = geojson.UnmarshalFeature(wantJSON)
			if got.ID != want.ID {
				t.Fatalf("%s: id %v, want %v", l.ID, got.ID, want.ID)
			}
			if !reflect.DeepEqual(got.Properties, want.Properties) {
				t.Fatalf("%s %v: properties\n got %v\nwant %v", l.ID, got.ID, got.Properties, want.Properties)
			}
			if !testkit.Close(got.Geometry, want.Geometry, 1e-6) {
				t.Fatalf("%s %v: geometry differs", l.ID, got.ID)
			}
		}
	}
}
