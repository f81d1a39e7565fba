package export

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
)

// The PMTiles v3 format, as far as a writer of clustered, gzip-compressed
// MVT archives needs it (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md).
//
// The reference Go package (github.com/protomaps/go-pmtiles) is the one the
// tests read archives back with; the server does not link it, because its
// format code shares a package with cloud storage clients (S3, Azure, GCS)
// that would triple the number of packages in the binary and add about
// 30 MB to it and 20 MB to the server's memory, for an export that writes a
// local file.

// pmHeaderLen is the size of the fixed header.
const pmHeaderLen = 127

// PMTiles compression and tile type codes.
const (
	pmGzip = 2
	pmMVT  = 1
)

// pmEntry is a directory entry: RunLength tiles from TileID on share the
// bytes at Offset (relative to the tile data section); RunLength 0 points to
// a leaf directory instead (Offset relative to the leaf section).
type pmEntry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// pmHeader is the fixed header of an archive.
type pmHeader struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	Addressed, Entries, Contents   uint64
	Clustered                      bool
	InternalCompression            uint8
	TileCompression                uint8
	TileType                       uint8
	MinZoom, MaxZoom, CenterZoom   uint8
	MinLonE7, MinLatE7             int32
	MaxLonE7, MaxLatE7             int32
	CenterLonE7, CenterLatE7       int32
}

func (h *pmHeader) bytes() []byte {
	b := make([]byte, pmHeaderLen)
	copy(b, "PMTiles")
	b[7] = 3
	le := binary.LittleEndian
	for i, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength, h.LeafOffset, h.LeafLength,
		h.DataOffset, h.DataLength, h.Addressed, h.Entries, h.Contents} {
		le.PutUint64(b[8+8*i:], v)
	}
	if h.Clustered {
		b[96] = 1
	}
	b[97], b[98], b[99] = h.InternalCompression, h.TileCompression, h.TileType
	b[100], b[101] = h.MinZoom, h.MaxZoom
	for i, v := range []int32{h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7} {
		le.PutUint32(b[102+4*i:], uint32(v))
	}
	b[118] = h.CenterZoom
	le.PutUint32(b[119:], uint32(h.CenterLonE7))
	le.PutUint32(b[123:], uint32(h.CenterLatE7))
	return b
}

// pmTileID is the Hilbert curve tile id of z/x/y: the tiles of lower zooms
// first, then along the curve.
func pmTileID(z uint8, x, y uint32) uint64 {
	id := (uint64(1)<<(2*z) - 1) / 3
	for s := uint32(1) << z >> 1; s > 0; s >>= 1 {
		rx, ry := x&s, y&s
		id += uint64(s) * uint64(s) * uint64((3*b2u(rx != 0))^b2u(ry != 0))
		// Rotate the quadrant so that the curve continues.
		if ry == 0 {
			if rx != 0 {
				x, y = s-1-x, s-1-y
			}
			x, y = y, x
		}
	}
	return id
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// pmGzipBytes compresses b with gzip (best compression: directories and
// metadata are written once and read by every client).
func pmGzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// pmDirectory serializes entries (sorted by TileID) as a gzip-compressed
// directory: the count, then the columns tile id (delta), run length,
// length and offset (0 when it follows the previous entry, else offset+1).
func pmDirectory(entries []pmEntry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	last := uint64(0)
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return pmGzipBytes(b)
}

// pmDirectories returns the root directory (at most maxRoot bytes) and the
// leaf directories: all entries in the root when they fit, else leaves of
// equal numbers of entries, larger until the root of pointers to them fits.
func pmDirectories(entries []pmEntry, maxRoot int) (root, leaves []byte) {
	if root := pmDirectory(entries); len(root) <= maxRoot {
		return root, nil
	}
	for size := max(4096, len(entries)/3500); ; size += size / 5 {
		var ptrs []pmEntry
		leaves = leaves[:0]
		for i := 0; i < len(entries); i += size {
			leaf := pmDirectory(entries[i:min(i+size, len(entries))])
			ptrs = append(ptrs, pmEntry{TileID: entries[i].TileID, Offset: uint64(len(leaves)), Length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		if root := pmDirectory(ptrs); len(root) <= maxRoot {
			return root, leaves
		}
	}
}

// pmMetadata serializes the JSON metadata, gzip-compressed.
func pmMetadata(meta map[string]any) ([]byte, error) {
	b, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	return pmGzipBytes(b), nil
}
