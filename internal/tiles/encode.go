package tiles

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// MVT geometry types and commands (vector_tile.proto, spec 2.1).
const (
	geomPoint      = 1
	geomLineString = 2
	geomPolygon    = 3

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// value is a comparable MVT value, the key of a layer's value dictionary.
type value struct {
	kind uint8 // 1 string, 2 sint, 3 double, 4 bool
	s    string
	i    int64
	d    float64
}

// layerEncoder writes one MVT layer directly in protobuf wire format. It is
// not safe for concurrent use; reset lets one be reused across tiles.
type layerEncoder struct {
	name   string
	keys   []string
	keyIdx map[string]uint32
	vals   []value
	valIdx map[value]uint32 // values other than strings and integers
	strIdx map[string]uint32
	intIdx map[int64]uint32
	feats  []byte // encoded Feature fields (tag, length, message) back to back
	n      int    // features written

	// Current feature.
	tags  []uint32
	geom  []uint32
	gtype int
	px    int64 // geometry cursor, tile units
	py    int64
	// Current line part (see moveTo): index of its LineTo command in geom
	// (-1: none), its points after the first, the cursor before it.
	part           int
	partN          uint32
	partPX, partPY int64

	ipts    [][2]int64 // scratch: rounded points
	fbuf    []byte     // scratch: feature message
	keysBuf []string   // scratch: sorted property keys
}

func (l *layerEncoder) reset(name string) {
	l.name = name
	l.keys = l.keys[:0]
	l.vals = l.vals[:0]
	if l.keyIdx == nil {
		l.keyIdx = map[string]uint32{}
		l.valIdx = map[value]uint32{}
		l.strIdx = map[string]uint32{}
		l.intIdx = map[int64]uint32{}
	}
	clear(l.keyIdx)
	clear(l.valIdx)
	clear(l.strIdx)
	clear(l.intIdx)
	l.feats = l.feats[:0]
	l.n = 0
}

// begin starts a feature.
func (l *layerEncoder) begin() {
	l.tags = l.tags[:0]
	l.geom = l.geom[:0]
	l.gtype = 0
	l.px, l.py = 0, 0
	l.part = -1
}

func (l *layerEncoder) key(k string) uint32 {
	if i, ok := l.keyIdx[k]; ok {
		return i
	}
	i := uint32(len(l.keys))
	l.keys = append(l.keys, k)
	l.keyIdx[k] = i
	return i
}

func (l *layerEncoder) val(v value) uint32 {
	// Strings and integers, the common values, have their own dictionaries,
	// cheaper to hash than value.
	switch v.kind {
	case 1:
		if i, ok := l.strIdx[v.s]; ok {
			return i
		}
		i := uint32(len(l.vals))
		l.vals = append(l.vals, v)
		l.strIdx[v.s] = i
		return i
	case 2:
		if i, ok := l.intIdx[v.i]; ok {
			return i
		}
		i := uint32(len(l.vals))
		l.vals = append(l.vals, v)
		l.intIdx[v.i] = i
		return i
	}
	if i, ok := l.valIdx[v]; ok {
		return i
	}
	i := uint32(len(l.vals))
	l.vals = append(l.vals, v)
	l.valIdx[v] = i
	return i
}

func (l *layerEncoder) str(k, v string) {
	l.tags = append(l.tags, l.key(k), l.val(value{kind: 1, s: v}))
}

func (l *layerEncoder) int(k string, v int64) {
	l.tags = append(l.tags, l.key(k), l.val(value{kind: 2, i: v}))
}

func (l *layerEncoder) bool(k string, v bool) {
	var i int64
	if v {
		i = 1
	}
	l.tags = append(l.tags, l.key(k), l.val(value{kind: 4, i: i}))
}

// props adds a property map in key order: strings, integers, booleans,
// floats; []string values are joined with "|"; nil values are omitted.
func (l *layerEncoder) props(m map[string]any) {
	ks := l.keysBuf[:0]
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		switch v := m[k].(type) {
		case string:
			l.str(k, v)
		case int:
			l.int(k, int64(v))
		case int32:
			l.int(k, int64(v))
		case int64:
			l.int(k, v)
		case bool:
			l.bool(k, v)
		case float64:
			l.tags = append(l.tags, l.key(k), l.val(value{kind: 3, d: v}))
		case []string:
			l.str(k, strings.Join(v, "|"))
		}
	}
	l.keysBuf = ks[:0]
}

func zz(v int64) uint32 { return uint32((v << 1) ^ (v >> 63)) }

func round(f float64) int64 { return int64(math.Floor(f + 0.5)) }

// point sets a point geometry (tile units).
func (l *layerEncoder) point(x, y float64) {
	l.gtype = geomPoint
	ix, iy := round(x), round(y)
	l.geom = append(l.geom, 1<<3|cmdMoveTo, zz(ix-l.px), zz(iy-l.py))
	l.px, l.py = ix, iy
}

// roundPts rounds pts to integers into l.ipts, dropping consecutive
// duplicates.
func (l *layerEncoder) roundPts(pts []orb.Point) [][2]int64 {
	ip := l.ipts[:0]
	for _, p := range pts {
		q := [2]int64{round(p[0]), round(p[1])}
		if len(ip) > 0 && ip[len(ip)-1] == q {
			continue
		}
		ip = append(ip, q)
	}
	l.ipts = ip
	return ip
}

func (l *layerEncoder) emit(ip [][2]int64, close bool) {
	l.geom = append(l.geom, 1<<3|cmdMoveTo, zz(ip[0][0]-l.px), zz(ip[0][1]-l.py))
	l.geom = append(l.geom, uint32(len(ip)-1)<<3|cmdLineTo)
	for i := 1; i < len(ip); i++ {
		l.geom = append(l.geom, zz(ip[i][0]-ip[i-1][0]), zz(ip[i][1]-ip[i-1][1]))
	}
	last := ip[len(ip)-1]
	l.px, l.py = last[0], last[1]
	if close {
		l.geom = append(l.geom, 1<<3|cmdClosePath)
	}
}

// Lines are written point by point: moveTo starts a part, lineTo extends
// it (a point equal to the last one is dropped), and the part is closed by
// the next moveTo, by endPart or by end; a part left with a single point is
// dropped.

// moveTo starts a line part at (x, y), tile units.
func (l *layerEncoder) moveTo(x, y int64) {
	l.endPart()
	l.partPX, l.partPY = l.px, l.py
	l.geom = append(l.geom, 1<<3|cmdMoveTo, zz(x-l.px), zz(y-l.py), 0)
	l.px, l.py = x, y
	l.part, l.partN = len(l.geom)-1, 0
}

// lineTo extends the current part to (x, y).
func (l *layerEncoder) lineTo(x, y int64) {
	if x == l.px && y == l.py {
		return
	}
	l.geom = append(l.geom, zz(x-l.px), zz(y-l.py))
	l.px, l.py = x, y
	l.partN++
}

// endPart closes the current part, if any.
func (l *layerEncoder) endPart() {
	if l.part < 0 {
		return
	}
	if l.partN == 0 {
		l.geom = l.geom[:l.part-3]
		l.px, l.py = l.partPX, l.partPY
	} else {
		l.geom[l.part] = uint32(l.partN)<<3 | cmdLineTo
		l.gtype = geomLineString
	}
	l.part = -1
}

// open reports whether a line part is open and ends at (x, y).
func (l *layerEncoder) open(x, y int64) bool {
	return l.part >= 0 && l.px == x && l.py == y
}

// ring adds a polygon ring (tile units), oriented as MVT wants: exterior
// rings with a positive shoelace area in tile coordinates (y down), holes
// negative. It reports false when the ring is degenerate after rounding.
func (l *layerEncoder) ring(pts []orb.Point, exterior bool) bool {
	ip := l.roundPts(pts)
	for len(ip) > 1 && ip[len(ip)-1] == ip[0] {
		ip = ip[:len(ip)-1]
	}
	if len(ip) < 3 {
		return false
	}
	var a int64
	for i := range ip {
		j := (i + 1) % len(ip)
		a += ip[i][0]*ip[j][1] - ip[j][0]*ip[i][1]
	}
	if a == 0 {
		return false
	}
	if (a > 0) != exterior {
		slices.Reverse(ip)
	}
	l.gtype = geomPolygon
	l.emit(ip, true)
	return true
}

// ringCmds adds a ring whose geometry after its first point (x0, y0) is
// cmds (see worldRing); (xn, yn) is its last point.
func (l *layerEncoder) ringCmds(x0, y0, xn, yn int64, cmds []uint32) {
	l.geom = append(l.geom, 1<<3|cmdMoveTo, zz(x0-l.px), zz(y0-l.py))
	l.geom = append(l.geom, cmds...)
	l.px, l.py = xn, yn
	l.gtype = geomPolygon
}

// polygon adds a polygon (tile units); holes of a dropped exterior are
// dropped too.
func (l *layerEncoder) polygon(p orb.Polygon) {
	for i, r := range p {
		ok := l.ring(r, i == 0)
		if i == 0 && !ok {
			return
		}
	}
}

// end writes the current feature, unless it has no geometry.
func (l *layerEncoder) end() {
	l.endPart()
	if len(l.geom) == 0 || l.gtype == 0 {
		return
	}
	b := l.fbuf[:0]
	b = appendPacked(b, 2, l.tags)
	b = append(b, 3<<3|0)
	b = binary.AppendUvarint(b, uint64(l.gtype))
	b = appendPacked(b, 4, l.geom)
	l.fbuf = b
	l.feats = append(l.feats, 2<<3|2)
	l.feats = binary.AppendUvarint(l.feats, uint64(len(b)))
	l.feats = append(l.feats, b...)
	l.n++
}

func appendPacked(b []byte, field int, xs []uint32) []byte {
	if len(xs) == 0 {
		return b
	}
	n := 0
	for _, x := range xs {
		n += uvarintLen(uint64(x))
	}
	b = append(b, byte(field<<3|2))
	b = binary.AppendUvarint(b, uint64(n))
	for _, x := range xs {
		b = binary.AppendUvarint(b, uint64(x))
	}
	return b
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

func appendBytesField(b []byte, field int, s []byte) []byte {
	b = append(b, byte(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStringField(b []byte, field int, s string) []byte {
	b = append(b, byte(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendLayer appends the layer as a Tile.layers field (field 3) to dst,
// using scratch as temporary space; it returns both grown buffers. A layer
// without features appends nothing.
func (l *layerEncoder) appendLayer(dst, scratch []byte) ([]byte, []byte) {
	if l.n == 0 {
		return dst, scratch
	}
	b := scratch[:0]
	b = append(b, 15<<3|0, 2) // version 2
	b = appendStringField(b, 1, l.name)
	b = append(b, l.feats...)
	for _, k := range l.keys {
		b = appendStringField(b, 3, k)
	}
	var vb [24]byte
	for _, v := range l.vals {
		m := vb[:0]
		var big []byte
		switch v.kind {
		case 1:
			if len(v.s) > 12 {
				big = appendStringField(nil, 1, v.s)
			} else {
				m = appendStringField(m, 1, v.s)
			}
		case 2:
			m = append(m, 6<<3|0)
			m = binary.AppendUvarint(m, uint64((v.i<<1)^(v.i>>63)))
		case 3:
			m = append(m, 3<<3|1)
			m = binary.LittleEndian.AppendUint64(m, math.Float64bits(v.d))
		case 4:
			m = append(m, 7<<3|0, byte(v.i))
		}
		if big != nil {
			m = big
		}
		b = appendBytesField(b, 4, m)
	}
	b = append(b, 5<<3|0)
	b = binary.AppendUvarint(b, Extent)
	dst = appendBytesField(dst, 3, b)
	return dst, b
}
