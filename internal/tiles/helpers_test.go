package tiles_test

import (
	"context"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

var (
	defaultOnce sync.Once
	defaultSnap *index.Snapshot
	defaultErr  error
)

// defaultSnapshot returns the snapshot of the embedded default dataset.
func defaultSnapshot(tb testing.TB) *index.Snapshot {
	tb.Helper()
	defaultOnce.Do(func() {
		ds, err := dataset.Load(geodata.Dataset())
		if err != nil {
			defaultErr = err
			return
		}
		defaultSnap, defaultErr = index.New(ds)
	})
	if defaultErr != nil {
		tb.Fatalf("default dataset: %v", defaultErr)
	}
	return defaultSnap
}

var (
	bigOnce sync.Once
	bigSnap *index.Snapshot
	bigErr  error
)

// bigSnapshot returns the snapshot of the dataset in the directory named by
// ATLAS_DATA_100 (a 100× dataset), skipping the test when it is not set.
func bigSnapshot(tb testing.TB) *index.Snapshot {
	tb.Helper()
	dir := os.Getenv("ATLAS_DATA_100")
	if dir == "" {
		tb.Skip("ATLAS_DATA_100 not set")
	}
	bigOnce.Do(func() {
		ds, err := dataset.Load(os.DirFS(dir))
		if err != nil {
			bigErr = err
			return
		}
		bigSnap, bigErr = index.New(ds)
	})
	if bigErr != nil {
		tb.Fatalf("dataset %s: %v", dir, bigErr)
	}
	return bigSnap
}

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
