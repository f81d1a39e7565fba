package export_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

// archive reads a PMTiles v3 file back with go-pmtiles' decoders.
type archive struct {
	data   []byte
	header pmtiles.HeaderV3
}

func (a *archive) tile(t *testing.T, z uint8, x, y uint32) []byte {
	id := pmtiles.ZxyToID(z, x, y)
	off, n := a.header.RootOffset, a.header.RootLength
	for depth := 0; depth < 4; depth++ {
		entries := pmtiles.DeserializeEntries(bytes.NewBuffer(a.data[off:off+n]), a.header.InternalCompression)
		e, ok := pmtiles.FindTile(entries, id)
		if !ok {
			return nil
		}
		if e.RunLength > 0 {
			return a.data[a.header.TileDataOffset+e.Offset : a.header.TileDataOffset+e.Offset+uint64(e.Length)]
		}
		off, n = a.header.LeafDirectoryOffset+e.Offset, uint64(e.Length)
	}
	t.Fatalf("directory too deep for %d/%d/%d", z, x, y)
	return nil
}

func gunzip(t *testing.T, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPMTilesMatchesServer writes the pyramid to z5 and checks that its
// tiles are byte-for-byte the server's, for every tile to z3 and a random
// sample below (absent tiles must be empty on the server: 204).
func TestPMTilesMatchesServer(t *testing.T) {
	snap := atlastest.Snapshot(t)
	path := filepath.Join(t.TempDir(), "atlas.pmtiles")
	const maxZoom = 5
	var progress bytes.Buffer
	st, err := export.WritePMTiles(context.Background(), path, snap, tiles.NewRenderer(tiles.Options{}), export.PMTilesOptions{MaxZoom: maxZoom, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if !bytes.Contains(progress.Bytes(), []byte("z5")) {
		t.Errorf("no progress for z5: %q", progress.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pmtiles.DeserializeHeader(data[:pmtiles.HeaderV3LenBytes])
	if err != nil {
		t.Fatal(err)
	}
	if h.SpecVersion != 3 || !h.Clustered || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip || h.MaxZoom != maxZoom || int64(len(data)) != st.Bytes {
		t.Fatalf("header %+v (file %d bytes)", h, len(data))
	}
	meta, err := pmtiles.DeserializeMetadata(bytes.NewReader(data[h.MetadataOffset:h.MetadataOffset+h.MetadataLength]), h.InternalCompression)
	if err != nil {
		t.Fatal(err)
	}
	if vl, _ := meta["vector_layers"].([]any); len(vl) != 6 {
		t.Errorf("metadata vector_layers: %v", meta["vector_layers"])
	}
	a := &archive{data: data, header: h}
	srv := atlastest.Handler(t, 0)
	all := "partnerships,authorities,partners,countries,regions,departements"
	rng := rand.New(rand.NewPCG(1, 2))
	checked, present := 0, 0
	check := func(z uint8, x, y uint32) {
		rec := get(t, srv, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", all, z, x, y))
		got := a.tile(t, z, x, y)
		checked++
		if got == nil {
			if rec.Code != http.StatusNoContent {
				t.Errorf("%d/%d/%d: absent from the archive, server %d (%d bytes)", z, x, y, rec.Code, rec.Body.Len())
			}
			return
		}
		present++
		if rec.Code != http.StatusOK || !bytes.Equal(gunzip(t, got), rec.Body.Bytes()) {
			t.Errorf("%d/%d/%d: archive tile differs from the server's (%d)", z, x, y, rec.Code)
		}
	}
	for z := uint8(0); z <= 3; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				check(z, x, y)
			}
		}
	}
	for range 300 {
		z := uint8(4 + rng.IntN(2))
		check(z, uint32(rng.IntN(1<<z)), uint32(rng.IntN(1<<z)))
	}
	// Tiles known to hold data: Paris and Tokyo at z5.
	check(5, 16, 11)
	check(5, 28, 12)
	if present < 50 {
		t.Errorf("only %d of %d sampled tiles present", present, checked)
	}
}
