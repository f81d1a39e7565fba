package export

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/protomaps/go-pmtiles/pmtiles"
)

// The writer's format code is checked against the reference reader,
// github.com/protomaps/go-pmtiles.

func TestPMTileIDMatchesReference(t *testing.T) {
	for z := uint8(0); z <= 6; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				if got, want := pmTileID(z, x, y), pmtiles.ZxyToID(z, x, y); got != want {
					t.Fatalf("%d/%d/%d: id %d, want %d", z, x, y, got, want)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		z := uint8(7 + rng.IntN(16))
		x, y := rng.Uint32N(1<<z), rng.Uint32N(1<<z)
		if got, want := pmTileID(z, x, y), pmtiles.ZxyToID(z, x, y); got != want {
			t.Fatalf("%d/%d/%d: id %d, want %d", z, x, y, got, want)
		}
	}
}

func TestPMDirectoriesReadBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 100, 200000} {
		entries := make([]pmEntry, n)
		id, off := uint64(0), uint64(0)
		for i := range entries {
			id += 1 + uint64(rng.IntN(3))
			e := pmEntry{TileID: id, Length: 1 + rng.Uint32N(5000), RunLength: 1 + rng.Uint32N(2)}
			if i > 0 && rng.IntN(4) == 0 {
				e.Offset = entries[rng.IntN(i)].Offset // a repeated tile
			} else {
				e.Offset = off
				off += uint64(e.Length)
			}
			id += uint64(e.RunLength) - 1
			entries[i] = e
		}
		const maxRoot = 16384 - pmHeaderLen
		root, leaves := pmDirectories(entries, maxRoot)
		if len(root) > maxRoot {
			t.Fatalf("%d entries: root of %d bytes", n, len(root))
		}
		var got []pmEntry
		for _, e := range pmtiles.DeserializeEntries(bytes.NewBuffer(root), pmtiles.Gzip) {
			if e.RunLength > 0 {
				got = append(got, pmEntry(e))
				continue
			}
			for _, l := range pmtiles.DeserializeEntries(bytes.NewBuffer(leaves[e.Offset:e.Offset+uint64(e.Length)]), pmtiles.Gzip) {
				got = append(got, pmEntry(l))
			}
		}
		if !slices.Equal(got, entries) {
			t.Fatalf("%d entries: read back %d, not the same", n, len(got))
		}
		if n > 100000 && len(leaves) == 0 {
			t.Fatalf("%d entries without leaf directories", n)
		}
	}
}

func TestPMHeaderReadBack(t *testing.T) {
	h := pmHeader{
		RootOffset: 127, RootLength: 2, MetadataOffset: 3, MetadataLength: 4, LeafOffset: 5, LeafLength: 6,
		DataOffset: 7, DataLength: 8, Addressed: 9, Entries: 10, Contents: 11, Clustered: true,
		InternalCompression: pmGzip, TileCompression: pmGzip, TileType: pmMVT, MinZoom: 1, MaxZoom: 12, CenterZoom: 3,
		MinLonE7: -1800000000, MinLatE7: -850511000, MaxLonE7: 1800000000, MaxLatE7: 850511000, CenterLonE7: 23500000, CenterLatE7: 466000000,
	}
	r, err := pmtiles.DeserializeHeader(h.bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := pmtiles.HeaderV3{
		SpecVersion: 3, RootOffset: 127, RootLength: 2, MetadataOffset: 3, MetadataLength: 4, LeafDirectoryOffset: 5, LeafDirectoryLength: 6,
		TileDataOffset: 7, TileDataLength: 8, AddressedTilesCount: 9, TileEntriesCount: 10, TileContentsCount: 11, Clustered: true,
		InternalCompression: pmtiles.Gzip, TileCompression: pmtiles.Gzip, TileType: pmtiles.Mvt, MinZoom: 1, MaxZoom: 12, CenterZoom: 3,
		MinLonE7: -1800000000, MinLatE7: -850511000, MaxLonE7: 1800000000, MaxLatE7: 850511000, CenterLonE7: 23500000, CenterLatE7: 466000000,
	}
	if r != want {
		t.Fatalf("header read back as\n%+v\nwant\n%+v", r, want)
	}
}
