// Package tiles renders the atlas layers as Mapbox Vector Tiles (MVT 2.1):
// request parsing (z/x/y, layer lists), the per-layer generalisation rules
// (point clustering, arc aggregation, boundary simplification), the MVT
// encoding and a bounded cache of rendered tiles.
//
// Coordinate spaces: input geometries are WGS84 longitude/latitude; they are
// projected to Web Mercator "world units" at zoom z (the world is
// Extent·2^z units wide, origin at the north-west corner, y down), then
// translated to tile units (0..Extent inside the tile, Buffer units of margin
// on every side).
//
// A Renderer is safe for concurrent use by any number of goroutines.
package tiles

import (
	"context"
	"fmt"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"strconv"
	"strings"
	"sync"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// ContentType is the media type of an (uncompressed) MVT tile.
const ContentType = "application/vnd.mapbox-vector-tile"

// MaxZoom is the largest zoom level served.
const MaxZoom = 22

// Extent is the number of tile units along a tile side; Buffer is the margin,
// in tile units, kept around the tile so that lines and symbols crossing the
// edge join seamlessly.
const (
	Extent = mvt.Extent
	Buffer = 64
)

// ParseZXY parses tile coordinates given as strict decimal integers (no sign,
// no spaces, no leading zeros except "0"): z in [0, MaxZoom], x and y in
// [0, 2^z). Errors wrap atlas.ErrInvalid and name the parameter.
func ParseZXY(z, x, y string) (maptile.Tile, error) {
	zv, ok := parseUint(z, MaxZoom)
	if !ok {
		return maptile.Tile{}, atlas.InvalidParam("z", z, fmt.Sprintf("expected an integer zoom between 0 and %d", MaxZoom))
	}
	n := uint64(1) << zv
	allowed := func() string { return fmt.Sprintf("expected an integer between 0 and %d at zoom %d", n-1, zv) }
	xv, ok := parseUint(x, n-1)
	if !ok {
		return maptile.Tile{}, atlas.InvalidParam("x", x, allowed())
	}
	yv, ok := parseUint(y, n-1)
	if !ok {
		return maptile.Tile{}, atlas.InvalidParam("y", y, allowed())
	}
	return maptile.New(uint32(xv), uint32(yv), maptile.Zoom(zv)), nil
}

// parseUint accepts canonical decimal integers in [0, max].
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > max {
		return 0, false
	}
	return v, true
}

// knownLayers is layerNames, computed once.
var knownLayers = sync.OnceValue(layerNames)

var allowedLayers = sync.OnceValue(func() string {
	return "comma-separated list of " + strings.Join(knownLayers(), ", ")
})

// layerNames lists the known layers in display order.
func layerNames() []string {
	ls := index.Layers()
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

// ParseLayers parses a comma-separated list of layer names, keeping the given
// order. An unknown name gives an error wrapping atlas.ErrNotFound that names
// it and lists the known layers; an empty list, an empty item or a repeated
// name gives an error wrapping atlas.ErrInvalid.
func ParseLayers(s string) ([]string, error) {
	known := knownLayers()
	allowed := allowedLayers()
	if s == "" {
		return nil, atlas.InvalidParam("layers", s, "empty; expected a "+allowed)
	}
	parts := strings.Split(s, ",")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			return nil, atlas.InvalidParam("layers", s, "empty item; expected a "+allowed)
		}
		if _, err := index.LayerByID(p); err != nil {
			return nil, fmt.Errorf("layer %q: %w; allowed: %s", p, atlas.ErrNotFound, strings.Join(known, ", "))
		}
		for _, q := range out {
			if q == p {
				return nil, atlas.InvalidParam("layers", s, "layer "+strconv.Quote(p)+" given twice")
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Warm prepares what the tiles of the unfiltered view are cut from (the arc
// levels of every zoom, arc indexes, clusters, simplified boundaries), as
// the first requests would, by rendering one tile over France at each zoom
// up to ArcIndexMaxZoom. Serving calls it in the background after a load so
// that the first visitors do not wait for it (seconds on a 100× dataset).
func (r *Renderer) Warm(ctx context.Context, snap *index.Snapshot) error {
	layers := knownLayers()
	for z := maptile.Zoom(0); z <= ArcIndexMaxZoom; z++ {
		if _, err := r.Render(ctx, snap, layers, maptile.At(orb.Point{2.35, 46.6}, z), atlas.Filter{}); err != nil {
			return err
		}
	}
	return nil
}
