package tiles_test

import (
	"fmt"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// MaxTileBytes is the size no tile may exceed.
const MaxTileBytes = 500 << 10

// sizeSweep renders every tile of z0–maxZ and tiles around Paris and Dakar
// at z7–z14, and returns the largest tile per zoom.
func sizeSweep(t *testing.T, snap *index.Snapshot, maxZ maptile.Zoom) {
	r := tiles.NewRenderer(tiles.Options{})
	layers := allLayers()
	check := func(tl maptile.Tile, largest map[maptile.Zoom]int, where map[maptile.Zoom]maptile.Tile) {
		got := render(t, r, snap, layers, tl, atlas.Filter{})
		if len(got.Data) > MaxTileBytes {
			t.Errorf("tile %d/%d/%d: %d bytes > %d", tl.Z, tl.X, tl.Y, len(got.Data), MaxTileBytes)
		}
		if len(got.Data) > largest[tl.Z] {
			largest[tl.Z], where[tl.Z] = len(got.Data), tl
		}
	}
	largest, where := map[maptile.Zoom]int{}, map[maptile.Zoom]maptile.Tile{}
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				check(maptile.New(x, y, z), largest, where)
			}
		}
	}
	for z := maptile.Zoom(7); z <= 14; z++ {
		for _, c := range []orb.Point{{2.35, 48.86}, {-17.45, 14.69}} {
			center := maptile.At(c, z)
			for dx := -1; dx <= 1; dx++ {
				for dy := -1; dy <= 1; dy++ {
					check(maptile.New(uint32(int(center.X)+dx), uint32(int(center.Y)+dy), z), largest, where)
				}
			}
		}
	}
	for z := maptile.Zoom(0); z <= 14; z++ {
		tl := where[z]
		t.Log(fmt.Sprintf("z%d: largest tile %d/%d/%d = %d bytes", z, tl.Z, tl.X, tl.Y, largest[z]))
	}
}

func TestTileSizeDefault(t *testing.T) {
	sizeSweep(t, defaultSnapshot(t), 6)
}

func TestTileSize100x(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	sizeSweep(t, bigSnapshot(t), 6)
}
