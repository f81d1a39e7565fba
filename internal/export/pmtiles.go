package export

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb/maptile"
	"github.com/schollz/progressbar/v3"
)

// PMTilesOptions configures WritePMTiles.
type PMTilesOptions struct {
	MinZoom, MaxZoom int      // inclusive zoom range (MaxZoom ≤ tiles.MaxZoom)
	Layers           []string // MVT layers of every tile, in order; nil = all
	Filter           atlas.Filter
	Name             string // metadata name
	Attribution      string // metadata attribution (HTML allowed)
	// Progress, when set, receives a progress bar per zoom level.
	Progress io.Writer
}

// PMTilesStats describes a written archive.
type PMTilesStats struct {
	Rendered  int   // tiles rendered (empty ones included)
	Addressed int   // non-empty tiles in the archive
	Contents  int   // distinct tile contents (after deduplication)
	Bytes     int64 // archive size
}

type tileJob struct {
	t    maptile.Tile
	id   uint64
	data []byte // gzip MVT, nil when empty
	err  error
	done chan struct{}
}

// WritePMTiles renders the tile pyramid of snap (what /tiles/{layers}/z/x/y
// serves for the filter) and writes it to path as a clustered PMTiles v3
// archive: gzip-compressed MVT tiles in tile-id order, identical tiles
// stored once (run-length encoded when adjacent), gzip-compressed
// directories with leaf directories when needed, and TileJSON-like metadata
// (vector_layers with their fields, attribution, bounds, center).
//
// Only tiles with data are written. The pyramid is walked from zoom
// MinZoom's world down: the children of a tile are rendered only when the
// tile itself holds data, so empty oceans cost one render per empty parent.
func WritePMTiles(ctx context.Context, path string, snap *index.Snapshot, r *tiles.Renderer, o PMTilesOptions) (PMTilesStats, error) {
	var st PMTilesStats
	if o.MaxZoom < o.MinZoom || o.MinZoom < 0 || o.MaxZoom > tiles.MaxZoom {
		return st, atlas.InvalidParam("maxzoom", fmt.Sprint(o.MaxZoom), fmt.Sprintf("expected minzoom ≤ maxzoom ≤ %d", tiles.MaxZoom))
	}
	layers := o.Layers
	if len(layers) == 0 {
		for _, l := range index.Layers() {
			layers = append(layers, l.ID)
		}
	}
	tmp, err := os.CreateTemp("", "atlas-pmtiles-*.data")
	if err != nil {
		return st, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	var (
		entries []pmEntry
		offset  uint64
		seen    = map[[32]byte]pmEntry{}
	)
	add := func(id uint64, data []byte) error {
		st.Addressed++
		sum := sha256.Sum256(data)
		if e, ok := seen[sum]; ok {
			if n := len(entries); n > 0 && entries[n-1].Offset == e.Offset && entries[n-1].TileID+uint64(entries[n-1].RunLength) == id {
				entries[n-1].RunLength++
				return nil
			}
			entries = append(entries, pmEntry{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
			return nil
		}
		if _, err := tmp.Write(data); err != nil {
			return err
		}
		e := pmEntry{TileID: id, Offset: offset, Length: uint32(len(data)), RunLength: 1}
		seen[sum] = e
		entries = append(entries, e)
		offset += uint64(len(data))
		st.Contents++
		return nil
	}

	// Tiles of the first zoom: the whole world.
	var level []maptile.Tile
	n := uint32(1) << o.MinZoom
	for x := uint32(0); x < n; x++ {
		for y := uint32(0); y < n; y++ {
			level = append(level, maptile.New(x, y, maptile.Zoom(o.MinZoom)))
		}
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	for z := o.MinZoom; z <= o.MaxZoom && len(level) > 0; z++ {
		jobs := make([]tileJob, len(level))
		for i, t := range level {
			jobs[i] = tileJob{t: t, id: pmTileID(uint8(t.Z), t.X, t.Y), done: make(chan struct{})}
		}
		slices.SortFunc(jobs, func(a, b tileJob) int { return cmpU64(a.id, b.id) })
		var bar *progressbar.ProgressBar
		if o.Progress != nil {
			bar = progressbar.NewOptions(len(jobs), progressbar.OptionSetWriter(o.Progress),
				progressbar.OptionSetDescription(fmt.Sprintf("z%-2d", z)), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("tiles"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetWidth(30), progressbar.OptionOnCompletion(func() { fmt.Fprintln(o.Progress) }))
		}
		next := make(chan int, 4*workers)
		var wg sync.WaitGroup
		go func() {
			defer close(next)
			for i := range jobs {
				next <- i
			}
		}()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					j := &jobs[i]
					if ctx.Err() != nil {
						j.err = ctx.Err()
					} else {
						var tl *tiles.Tile
						tl, j.err = r.Render(ctx, snap, layers, j.t, o.Filter)
						if j.err == nil && !tl.Empty {
							j.data = tl.Gzip()
						}
						if j.err == nil {
							tl.Release() // the gzip encoding is kept, not Data
						}
					}
					close(j.done)
				}
			}()
		}
		var children []maptile.Tile
		var werr error
		for i := range jobs {
			j := &jobs[i]
			<-j.done
			st.Rendered++
			if bar != nil {
				bar.Add(1)
			}
			if werr != nil {
				continue
			}
			if j.err != nil {
				werr = j.err
				continue
			}
			if j.data == nil {
				continue
			}
			if werr = add(j.id, j.data); werr != nil {
				continue
			}
			j.data = nil
			if z < o.MaxZoom {
				x, y := j.t.X*2, j.t.Y*2
				cz := maptile.Zoom(z + 1)
				children = append(children, maptile.New(x, y, cz), maptile.New(x+1, y, cz), maptile.New(x, y+1, cz), maptile.New(x+1, y+1, cz))
			}
		}
		wg.Wait()
		if bar != nil {
			bar.Finish()
		}
		if werr != nil {
			return st, werr
		}
		level = children
	}
	if len(entries) == 0 {
		return st, fmt.Errorf("pmtiles: no tile holds data for this filter")
	}

	// Assemble: header, root directory, metadata, leaf directories, tiles.
	root, leaves := pmDirectories(entries, 16384-pmHeaderLen)
	meta, err := pmMetadata(pmtilesMetadata(layers, o))
	if err != nil {
		return st, err
	}
	h := pmHeader{
		Clustered: true, InternalCompression: pmGzip, TileCompression: pmGzip, TileType: pmMVT,
		MinZoom: uint8(o.MinZoom), MaxZoom: uint8(o.MaxZoom),
		MinLonE7: -180 * 1e7, MinLatE7: int32(-85.0511 * 1e7), MaxLonE7: 180 * 1e7, MaxLatE7: int32(85.0511 * 1e7),
		CenterZoom: uint8(min(max(3, o.MinZoom), o.MaxZoom)), CenterLonE7: int32(2.35 * 1e7), CenterLatE7: int32(46.6 * 1e7),
		Addressed: uint64(st.Addressed), Entries: uint64(len(entries)), Contents: uint64(st.Contents),
	}
	h.RootOffset = pmHeaderLen
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(len(leaves))
	h.DataOffset = h.LeafOffset + h.LeafLength
	h.DataLength = offset

	out, err := os.Create(path)
	if err != nil {
		return st, err
	}
	defer out.Close()
	for _, b := range [][]byte{h.bytes(), root, meta, leaves} {
		if _, err := out.Write(b); err != nil {
			return st, err
		}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return st, err
	}
	if _, err := io.Copy(out, tmp); err != nil {
		return st, err
	}
	if err := out.Close(); err != nil {
		return st, err
	}
	st.Bytes = int64(h.DataOffset + h.DataLength)
	return st, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pmtilesMetadata returns the archive's JSON metadata (TileJSON fields that
// MapLibre and `pmtiles serve` read).
func pmtilesMetadata(layers []string, o PMTilesOptions) map[string]any {
	var vls []map[string]any
	for _, id := range layers {
		l, _ := index.LayerByID(id)
		fields := map[string]string{}
		for _, f := range l.Fields {
			switch f.Type {
			case "integer", "number":
				fields[f.Name] = "Number"
			case "boolean":
				fields[f.Name] = "Boolean"
			default:
				fields[f.Name] = "String"
			}
		}
		vls = append(vls, map[string]any{"id": l.ID, "description": l.Description, "minzoom": o.MinZoom, "maxzoom": o.MaxZoom, "fields": fields})
	}
	name := o.Name
	if name == "" {
		name = "Atlas de la coopération décentralisée"
	}
	desc := "Partenariats des collectivités françaises avec des autorités étrangères"
	if q := o.Filter.Encode(); q != "" {
		desc += " (" + q + ")"
	}
	return map[string]any{
		"name": name, "description": desc, "attribution": o.Attribution, "version": "1.0.0",
		"type": "overlay", "format": "pbf", "minzoom": o.MinZoom, "maxzoom": o.MaxZoom,
		"bounds": []float64{-180, -85.0511, 180, 85.0511}, "center": []float64{2.35, 46.6, math.Min(3, float64(o.MaxZoom))},
		"vector_layers": vls,
	}
}
