package ogcapi_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
)

// roundCoords rounds every number under "coordinates" to 1e-7.
func roundCoords(v any) any {
	switch v := v.(type) {
	case []any:
		for i := range v {
			v[i] = roundCoords(v[i])
		}
	case float64:
		return math.Round(v*1e7) / 1e7
	}
	return v
}

func TestAppendFeatureMatchesJSONMarshal(t *testing.T) {
	snap := atlastest.Snapshot(t)
	sel := snap.Select(atlas.Filter{Countries: []string{"JP"}})
	for _, l := range index.Layers() {
		n := int32(snap.Len(l.ID))
		for i := int32(0); i < n; i += max(1, n/50) {
			var got, want map[string]any
			if err := json.Unmarshal(ogcapi.AppendFeature(nil, snap, l.ID, i, sel), &got); err != nil {
				t.Fatalf("%s %d: invalid JSON: %v", l.ID, i, err)
			}
			data, _ := json.Marshal(snap.Feature(l.ID, i, sel))
			json.Unmarshal(data, &want)
			for _, m := range []map[string]any{got, want} {
				g := m["geometry"].(map[string]any)
				g["coordinates"] = roundCoords(g["coordinates"])
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %d:\n got %v\nwant %v", l.ID, i, got, want)
			}
		}
	}
}
