package printmap

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/tdewolff/canvas"
)

// countryMapOf lays out the map of the partnerships with country iso on a
// page of size (width, height mm), as Draw does; it returns the map, its
// options and the partnerships drawn.
func countryMapOf(t *testing.T, snap *index.Snapshot, iso string, size [2]float64) (*countryMap, Options, []int32) {
	t.Helper()
	o := Options{WidthMM: size[0], HeightMM: size[1]}
	o.defaults()
	country, ok := snap.Country(iso)
	if !ok {
		t.Fatalf("no country %s", iso)
	}
	ids, sel, err := snap.Items(index.LayerPartnerships, atlas.Filter{Countries: []string{iso}})
	if err != nil {
		t.Fatal(err)
	}
	return newMap(snap, testFamily(), country, ids, sel, o), o, ids
}

// testFamily is the fonts the maps are drawn with.
func testFamily() *canvas.FontFamily {
	fam, err := family()
	if err != nil {
		panic(err)
	}
	return fam
}
