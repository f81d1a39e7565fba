package tiles_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// defaultSnapshot returns the snapshot of the embedded default dataset.
func defaultSnapshot(tb testing.TB) *index.Snapshot { return testkit.Snapshot(tb) }

// bigSnapshot returns the snapshot of the 100× dataset named by
// ATLAS_DATA_100, skipping the test when it is not set.
func bigSnapshot(tb testing.TB) *index.Snapshot { return testkit.BigSnapshot(tb) }

func allLayers() []string {
	var out []string
	for _, l := range index.Layers() {
		out = append(out, l.ID)
	}
	return out
}

// render renders a tile without cache and fails the test on error.
func render(tb testing.TB, r *tiles.Renderer, snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter) *tiles.Tile {
	tb.Helper()
	tl, err := r.Render(context.Background(), snap, layers, t, f)
	if err != nil {
		tb.Fatalf("render %v: %v", t, err)
	}
	return tl
}

// decode decodes a tile into its layers by name.
func decode(tb testing.TB, tl *tiles.Tile) map[string]*mvt.Layer {
	tb.Helper()
	out := map[string]*mvt.Layer{}
	if tl.Empty {
		return out
	}
	ls, err := mvt.Unmarshal(tl.Data)
	if err != nil {
		tb.Fatalf("unmarshal: %v", err)
	}
	for _, l := range ls {
		if _, dup := out[l.Name]; dup {
			tb.Fatalf("layer %q twice", l.Name)
		}
		out[l.Name] = l
	}
	return out
}

func isCluster(f *geojson.Feature) bool {
	c, _ := f.Properties["cluster"].(bool)
	return c
}

func urlParse(q string) (url.Values, error) { return url.ParseQuery(q) }
