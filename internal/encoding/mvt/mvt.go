// Package mvt owns the Mapbox Vector Tile wire format (vector_tile.proto,
// specification 2.1) as the tile server writes it: a Layer encodes one
// layer's features straight into protobuf bytes, with no intermediate
// tile structure, and a Dict holds property keys and values computed once
// for many features (a PropTable per layer and selection), which a layer
// maps to its own ids by array lookups rather than hashing.
//
// A Layer is not safe for concurrent use; Reset lets one be reused across
// tiles, and Release drops what it holds on to. Its string lookaside cache
// keys strings by the address of their bytes (unsafe.StringData): the
// snapshot's strings are shared by every feature that carries them, so a
// repeated value is found without hashing it; the address is compared
// along with the length and never dereferenced, and the cache holds the
// string's pointer so the bytes stay alive while it is cached.
package mvt

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/paulmach/orb"
)

// Extent is the number of units along a tile side in every layer written.
const Extent = 4096

// MVT geometry types and commands (vector_tile.proto, spec 2.1).
const (
	GeomPoint      = 1
	GeomLineString = 2
	GeomPolygon    = 3

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// Sink receives a feature's properties, as the index visits them
// (index.PropertySink has the same methods). MVT has no list value: a list
// is written as its joined form.
type Sink interface {
	String(key, value string)
	Int(key string, value int)
	Bool(key string, value bool)
	List(key string, values []string, joined string)
}

// value is a comparable MVT value, the key of a layer's value dictionary.
type value struct {
	kind uint8 // 1 string, 2 sint, 3 double, 4 bool
	s    string
	i    int64
	d    float64
}

// Layer writes one MVT layer directly in protobuf wire format. It is
// not safe for concurrent use; reset lets one be reused across tiles.
type Layer struct {
	name   string
	keys   []string
	vals   []value
	valIdx map[value]uint32 // values other than strings and integers
	strIdx map[string]uint32
	intIdx map[int64]uint32
	// Lookaside caches in front of the dictionaries, valid for the layer of
	// generation gen: strings by the address of their bytes (the dataset's
	// strings are shared, so a repeated value is found without hashing it),
	// small integers by value.
	gen       uint32
	strCache  [strCacheSize]strSlot
	intCache  [intCacheSize]intSlot
	boolCache [2]intSlot
	feats     []byte // encoded Feature fields (tag, length, message) back to back
	n         int    // features written

	// Current feature: its tags, and its geometry as the payload of the
	// packed geometry field (varint commands and zigzag parameters).
	tags  []byte // as the payload of the packed tags field: varint ids
	geom  []byte
	gtype int
	px    int64 // geometry cursor, tile units
	py    int64
	// Current line part (see MoveTo): offset of its MoveTo in geom (-1:
	// none), the parameters of its LineTo (written after the command once
	// their count is known), their count, the cursor before it.
	part           int
	line           []byte
	partN          uint32
	partPX, partPY int64

	ipts [][2]int64 // scratch: rounded points

	// The layer's ids of the keys and values of the last two dictionaries
	// features were written from (see DictTags); spare is the slot to use
	// for another.
	slots [2]dictSlot
	spare int
	// The first dictionary the layer's features were written from, while
	// dlayer is the layer's generation.
	dict   *Dict
	dlayer uint32
	// While a layer's values all come from one dictionary (whose values are
	// distinct), a new value is appended without being looked up in the
	// value maps (unindexed then); the maps are made when another source of
	// values comes (mixed).
	mixed, unindexed bool
	// The values of the layer while they all come from dict: ids into it
	// (l.vals is then empty).
	dvalIDs []uint32

	// whole, when set (see UseWhole), is the layer's dictionary: its keys
	// and values, all of them and in its order, are the layer's, and the
	// features' tags, precomputed in its ids, are written as they are (raw,
	// for the current feature).
	whole *Dict
	raw   []byte
}

// dictSlot maps the ids of a dictionary to a layer's: entries of
// generation gen are valid, for the layer of generation layer.
type dictSlot struct {
	d          *Dict
	layer, gen uint32
	keys, vals []intSlot
}

// use makes s the slot of dictionary d for the layer of generation layer.
func (s *dictSlot) use(d *Dict, layer uint32) {
	s.d, s.layer = d, layer
	s.gen++
	if s.gen == 0 {
		clear(s.keys)
		clear(s.vals)
		s.gen = 1
	}
	if n := d.numKeys(); len(s.keys) < n {
		s.keys = append(s.keys, make([]intSlot, n-len(s.keys))...)
	}
	if n := d.numVals(); len(s.vals) < n {
		s.vals = append(s.vals, make([]intSlot, n-len(s.vals))...)
	}
}

// Dict is a dictionary of property keys and values shared by precomputed
// features (a level of grouped arcs): their properties are kept as pairs of
// ids into it, which a layer maps to its own ids at the cost of an array
// lookup. Values are distinct, so that the mapping writes the same tile as
// writing the values one by one.
type Dict struct {
	// A dictionary may extend another (one level): the ids below nbk and
	// nbv are the base's keys and values, the others its own.
	base     *Dict
	nbk, nbv uint32
	keys     []string
	vals     []value
	idx      map[value]uint32 // while it is made, and kept by a base
	// Its own values encoded as Layer.values fields, back to back: value
	// nbv+i is venc[voff[i]:voff[i+1]] (see Seal).
	venc []byte
	voff []int32
}

// Extend returns an empty dictionary that extends base.
func Extend(base *Dict) Dict {
	return Dict{base: base, nbk: uint32(len(base.keys)), nbv: uint32(len(base.vals))}
}

// Seal ends the making of d: its values are encoded once. A dictionary
// that others extend keeps its index of values.
func (d *Dict) Seal(base bool) {
	if !base {
		d.idx = nil
	}
	d.voff = make([]int32, 0, len(d.vals)+1)
	for _, v := range d.vals {
		d.voff = append(d.voff, int32(len(d.venc)))
		d.venc = appendValue(d.venc, v)
	}
	d.voff = append(d.voff, int32(len(d.venc)))
}

func (d *Dict) numKeys() int { return int(d.nbk) + len(d.keys) }
func (d *Dict) numVals() int { return int(d.nbv) + len(d.vals) }

func (d *Dict) keyAt(i uint32) string {
	if i < d.nbk {
		return d.base.keys[i]
	}
	return d.keys[i-d.nbk]
}

func (d *Dict) valAt(i uint32) value {
	if i < d.nbv {
		return d.base.vals[i]
	}
	return d.vals[i-d.nbv]
}

func (d *Dict) encoded(i uint32) []byte {
	if i < d.nbv {
		return d.base.encoded(i)
	}
	i -= d.nbv
	return d.venc[d.voff[i]:d.voff[i+1]]
}

func (d *Dict) key(k string) uint32 {
	if d.base != nil {
		if i := slices.Index(d.base.keys, k); i >= 0 {
			return uint32(i)
		}
	}
	if i := slices.Index(d.keys, k); i >= 0 {
		return d.nbk + uint32(i)
	}
	d.keys = append(d.keys, k)
	return d.nbk + uint32(len(d.keys)-1)
}

func (d *Dict) val(v value) uint32 {
	if d.base != nil {
		if i, ok := d.base.idx[v]; ok {
			return i
		}
	}
	if d.idx == nil {
		d.idx = map[value]uint32{}
	}
	i, ok := d.idx[v]
	if !ok {
		i = d.nbv + uint32(len(d.vals))
		d.vals = append(d.vals, v)
		d.idx[v] = i
	}
	return i
}

// IntVal returns the id of the integer v, added to d if it is new.
func (d *Dict) IntVal(v int64) uint32 { return d.val(value{kind: 2, i: v}) }

// AppendString, AppendInt and AppendBool append to dst the pair of ids of
// a string, integer or boolean property, adding the key and value to d.
func (d *Dict) AppendString(dst []uint32, k, v string) []uint32 {
	return append(dst, d.key(k), d.val(value{kind: 1, s: v}))
}

func (d *Dict) AppendInt(dst []uint32, k string, v int64) []uint32 {
	return append(dst, d.key(k), d.val(value{kind: 2, i: v}))
}

func (d *Dict) AppendBool(dst []uint32, k string, v bool) []uint32 {
	var i int64
	if v {
		i = 1
	}
	return append(dst, d.key(k), d.val(value{kind: 4, i: i}))
}

// PropTable is the properties of n features (a layer's, for one
// selection) as ids into a dictionary, made once and written with
// DictTags: feature i's are tags[off[i]:off[i+1]].
type PropTable struct {
	Dict Dict
	tags []uint32
	off  []int32
}

// NewPropTable records the properties visit gives for features 0 to n-1.
func NewPropTable(n int, visit func(i int, sink Sink)) *PropTable {
	return NewPropTableOn(nil, n, visit)
}

// NewPropTableOn is NewPropTable with a dictionary that extends base (when
// not nil).
func NewPropTableOn(base *Dict, n int, visit func(i int, sink Sink)) *PropTable {
	t := &PropTable{off: make([]int32, 1, n+1)}
	if base != nil {
		t.Dict = Extend(base)
	}
	for i := range n {
		t.Add(func(sink Sink) { visit(i, sink) })
	}
	t.Dict.Seal(false)
	return t
}

// Add records the properties visit gives for the next feature. A table
// made by Add rather than NewPropTable is sealed by its maker (t.Dict.Seal).
func (t *PropTable) Add(visit func(sink Sink)) {
	if len(t.off) == 0 {
		t.off = append(t.off, 0)
	}
	visit(tableSink{t})
	t.off = append(t.off, int32(len(t.tags)))
}

// Pairs is the number of properties recorded so far, over every feature.
func (t *PropTable) Pairs() int { return len(t.tags) / 2 }

// Of is feature i's properties, pairs of ids into t.Dict for DictTags.
func (t *PropTable) Of(i int) []uint32 { return t.tags[t.off[i]:t.off[i+1]] }

// tableSink records properties into a PropTable, as a Layer
// writes them (lists joined).
type tableSink struct{ t *PropTable }

func (s tableSink) String(k, v string)    { s.t.tags = s.t.Dict.AppendString(s.t.tags, k, v) }
func (s tableSink) Int(k string, v int)   { s.t.tags = s.t.Dict.AppendInt(s.t.tags, k, int64(v)) }
func (s tableSink) Bool(k string, v bool) { s.t.tags = s.t.Dict.AppendBool(s.t.tags, k, v) }
func (s tableSink) List(k string, _ []string, joined string) {
	s.t.tags = s.t.Dict.AppendString(s.t.tags, k, joined)
}

const (
	strCacheSize = 1024
	intCacheSize = 4096
)

type strSlot struct {
	p   *byte
	n   int
	gen uint32
	idx uint32
}

type intSlot struct {
	gen uint32
	idx uint32
}

func (l *Layer) Reset(name string) {
	l.name = name
	l.keys = l.keys[:0]
	l.vals = l.vals[:0]
	if l.valIdx == nil {
		l.valIdx = map[value]uint32{}
		l.strIdx = map[string]uint32{}
		l.intIdx = map[int64]uint32{}
	}
	l.gen++
	if l.gen == 0 {
		l.Release()
		clear(l.intCache[:])
		clear(l.boolCache[:])
		l.gen = 1
	}
	clear(l.valIdx)
	clear(l.strIdx)
	clear(l.intIdx)
	l.mixed, l.unindexed = false, false
	l.dvalIDs = l.dvalIDs[:0]
	l.whole = nil
	l.feats = l.feats[:0]
	l.n = 0
}

// Begin starts a feature.
func (l *Layer) Begin() {
	l.tags, l.raw = l.tags[:0], nil
	l.geom = l.geom[:0]
	l.gtype = 0
	l.px, l.py = 0, 0
	l.part = -1
}

// Release forgets the cached strings (so that a pooled encoder keeps none
// alive).
func (l *Layer) Release() {
	clear(l.strCache[:])
	l.dict, l.whole, l.raw = nil, nil, nil
	l.slots[0].d, l.slots[1].d = nil, nil
}

// mix indexes the layer's values, which may now come from more than one
// source.
func (l *Layer) mix() {
	if l.mixed {
		return
	}
	l.mixed = true
	for _, id := range l.dvalIDs {
		l.vals = append(l.vals, l.dict.valAt(id))
	}
	l.dvalIDs = l.dvalIDs[:0]
	if !l.unindexed {
		return
	}
	l.unindexed = false
	for i, v := range l.vals {
		switch v.kind {
		case 1:
			l.strIdx[v.s] = uint32(i)
		case 2:
			l.intIdx[v.i] = uint32(i)
		default:
			l.valIdx[v] = uint32(i)
		}
	}
}

// UseWhole makes d the layer's dictionary, whole (see Layer.whole):
// every feature of the layer then gets its tags from RawTags. It is worth
// it when the layer's features use most of d, and spares mapping their ids
// one by one. Call it before the layer's first feature.
func (l *Layer) UseWhole(d *Dict) { l.whole = d }

// RawTags sets the current feature's tags: the packed tags field's payload
// in the ids of the whole dictionary (see UseWhole). tags is not copied.
func (l *Layer) RawTags(tags []byte) { l.raw = tags }

// UsesWhole reports whether d is the layer's whole dictionary (see
// UseWhole).
func (l *Layer) UsesWhole(d *Dict) bool { return l.whole == d }

// Geometry is the current feature's geometry so far: the payload of its
// packed geometry field, from the cursor at the tile's origin. It is valid
// until the next Begin.
func (l *Layer) Geometry() []byte { return l.geom }

// Cursor is where the current feature's geometry leaves the cursor, tile
// units.
func (l *Layer) Cursor() (x, y int64) { return l.px, l.py }

// Tags is the current feature's properties so far: the payload of its
// packed tags field, ids into the layer's keys and values.
func (l *Layer) Tags() []byte {
	if l.raw != nil {
		return l.raw
	}
	return l.tags
}

// Values is the number of distinct values the layer has so far.
func (l *Layer) Values() int {
	if l.whole != nil {
		return l.whole.numVals()
	}
	return len(l.vals) + len(l.dvalIDs)
}

// SetGeometry sets the current feature's whole geometry, of type gtype, to
// geom as Geometry returned it for a feature begun at the same origin. It
// is copied; the cursor is not kept, so nothing may be added after it.
func (l *Layer) SetGeometry(gtype int, geom []byte) {
	l.geom = append(l.geom[:0], geom...)
	l.gtype = gtype
}

// DictTags sets the current feature's properties from pairs of ids into d
// (see Dict).
func (l *Layer) DictTags(d *Dict, tags []uint32) {
	s := &l.slots[1-l.spare]
	if s.d != d || s.layer != l.gen {
		s = &l.slots[l.spare]
		if s.d != d || s.layer != l.gen {
			s.use(d, l.gen)
			if l.dlayer != l.gen {
				l.dict, l.dlayer = d, l.gen
			} else if l.dict != d {
				l.mix() // a second dictionary in the layer
			}
		}
		l.spare = 1 - l.spare
	}
	gen := s.gen
	for i := 0; i+1 < len(tags); i += 2 {
		k := &s.keys[tags[i]]
		if k.gen != gen {
			*k = intSlot{gen: gen, idx: l.key(d.keyAt(tags[i]))}
		}
		v := &s.vals[tags[i+1]]
		if v.gen != gen {
			var idx uint32
			if l.mixed {
				idx = l.val(d.valAt(tags[i+1]))
			} else {
				idx = uint32(len(l.dvalIDs))
				l.dvalIDs = append(l.dvalIDs, tags[i+1])
				l.unindexed = true
			}
			*v = intSlot{gen: gen, idx: idx}
		}
		l.tags = appendIDs(l.tags, k.idx, v.idx)
	}
}

func (l *Layer) key(k string) uint32 {
	// A layer has a handful of keys: a scan beats hashing.
	for i, have := range l.keys {
		if have == k {
			return uint32(i)
		}
	}
	l.keys = append(l.keys, k)
	return uint32(len(l.keys) - 1)
}

func (l *Layer) val(v value) uint32 {
	l.mix()
	// Strings and integers, the common values, have their own dictionaries,
	// cheaper to hash than value.
	switch v.kind {
	case 1:
		p := unsafe.StringData(v.s)
		e := &l.strCache[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(v.s))*0x9e3779b1)%strCacheSize]
		if e.gen == l.gen && e.p == p && e.n == len(v.s) {
			return e.idx
		}
		i, ok := l.strIdx[v.s]
		if !ok {
			i = uint32(len(l.vals))
			l.vals = append(l.vals, v)
			l.strIdx[v.s] = i
		}
		*e = strSlot{p: p, n: len(v.s), gen: l.gen, idx: i}
		return i
	case 2:
		var e *intSlot
		if v.i >= 0 && v.i < intCacheSize {
			if e = &l.intCache[v.i]; e.gen == l.gen {
				return e.idx
			}
		}
		i, ok := l.intIdx[v.i]
		if !ok {
			i = uint32(len(l.vals))
			l.vals = append(l.vals, v)
			l.intIdx[v.i] = i
		}
		if e != nil {
			*e = intSlot{gen: l.gen, idx: i}
		}
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

func (l *Layer) str(k, v string) {
	l.tags = appendIDs(l.tags, l.key(k), l.val(value{kind: 1, s: v}))
}

func (l *Layer) int(k string, v int64) {
	l.tags = appendIDs(l.tags, l.key(k), l.val(value{kind: 2, i: v}))
}

func (l *Layer) bool(k string, v bool) {
	var i int64
	if v {
		i = 1
	}
	e := &l.boolCache[i]
	if e.gen != l.gen {
		*e = intSlot{gen: l.gen, idx: l.val(value{kind: 4, i: i})}
	}
	l.tags = appendIDs(l.tags, l.key(k), e.idx)
}

// A Layer is a Sink: the properties of the current feature; lists are
// written joined.

func (l *Layer) String(k, v string)                       { l.str(k, v) }
func (l *Layer) Int(k string, v int)                      { l.int(k, int64(v)) }
func (l *Layer) Bool(k string, v bool)                    { l.bool(k, v) }
func (l *Layer) List(k string, _ []string, joined string) { l.str(k, joined) }

func zz(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// AppendZigZag appends v zigzag-encoded as a varint.
func AppendZigZag(b []byte, v int64) []byte {
	u := zz(v)
	if u < 0x80 {
		return append(b, byte(u))
	}
	return binary.AppendUvarint(b, u)
}

// appendMoveTo appends a MoveTo of one point, from the cursor (px, py).
func appendMoveTo(b []byte, x, y, px, py int64) []byte {
	return AppendZigZag(AppendZigZag(append(b, 1<<3|cmdMoveTo), x-px), y-py)
}

func Round(f float64) int64 { return int64(math.Floor(f + 0.5)) }

// Point sets a Point geometry (tile units).
func (l *Layer) Point(x, y float64) {
	l.gtype = GeomPoint
	ix, iy := Round(x), Round(y)
	l.geom = appendMoveTo(l.geom, ix, iy, l.px, l.py)
	l.px, l.py = ix, iy
}

// roundPts rounds pts to integers into l.ipts, dropping consecutive
// duplicates.
func (l *Layer) roundPts(pts []orb.Point) [][2]int64 {
	ip := l.ipts[:0]
	for _, p := range pts {
		q := [2]int64{Round(p[0]), Round(p[1])}
		if len(ip) > 0 && ip[len(ip)-1] == q {
			continue
		}
		ip = append(ip, q)
	}
	l.ipts = ip
	return ip
}

func (l *Layer) emit(ip [][2]int64, close bool) {
	l.geom = appendMoveTo(l.geom, ip[0][0], ip[0][1], l.px, l.py)
	l.geom = binary.AppendUvarint(l.geom, uint64(len(ip)-1)<<3|cmdLineTo)
	for i := 1; i < len(ip); i++ {
		l.geom = AppendZigZag(AppendZigZag(l.geom, ip[i][0]-ip[i-1][0]), ip[i][1]-ip[i-1][1])
	}
	last := ip[len(ip)-1]
	l.px, l.py = last[0], last[1]
	if close {
		l.geom = append(l.geom, 1<<3|cmdClosePath)
	}
}

// Lines are written point by point: MoveTo starts a part, LineTo extends
// it (a point equal to the last one is dropped), and the part is closed by
// the next MoveTo, by EndPart or by End; a part left with a single point is
// dropped.

// MoveTo starts a line part at (x, y), tile units.
func (l *Layer) MoveTo(x, y int64) {
	l.EndPart()
	l.partPX, l.partPY = l.px, l.py
	l.part, l.partN = len(l.geom), 0
	l.geom = appendMoveTo(l.geom, x, y, l.px, l.py)
	l.line = l.line[:0]
	l.px, l.py = x, y
}

// LineTo extends the current part to (x, y).
func (l *Layer) LineTo(x, y int64) {
	if x == l.px && y == l.py {
		return
	}
	l.line = AppendZigZag(AppendZigZag(l.line, x-l.px), y-l.py)
	l.px, l.py = x, y
	l.partN++
}

// LineRun extends the current part, which ends where the run starts, by a
// run of n points given as their LineTo parameters (zigzag varint deltas,
// no zero-length step) ending at (x, y).
func (l *Layer) LineRun(params []byte, n uint32, x, y int64) {
	l.line = append(l.line, params...)
	l.partN += n
	l.px, l.py = x, y
}

// EndPart closes the current part, if any.
func (l *Layer) EndPart() {
	if l.part < 0 {
		return
	}
	if l.partN == 0 {
		l.geom = l.geom[:l.part]
		l.px, l.py = l.partPX, l.partPY
	} else {
		l.geom = binary.AppendUvarint(l.geom, uint64(l.partN)<<3|cmdLineTo)
		l.geom = append(l.geom, l.line...)
		l.gtype = GeomLineString
	}
	l.part = -1
}

// Open reports whether a line part is Open and ends at (x, y).
func (l *Layer) Open(x, y int64) bool {
	return l.part >= 0 && l.px == x && l.py == y
}

// Ring adds a polygon Ring (tile units), oriented as MVT wants: exterior
// rings with a positive shoelace area in tile coordinates (y down), holes
// negative. It reports false when the Ring is degenerate after rounding.
func (l *Layer) Ring(pts []orb.Point, exterior bool) bool {
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
	l.gtype = GeomPolygon
	l.emit(ip, true)
	return true
}

// Cmds adds geometry precomputed in MVT commands, but for its first MoveTo:
// the move to (x0, y0), then Cmds, which leave the cursor at (xn, yn) (a
// ring, see worldRing, or line parts, see arcSlice, of geometry type gtype).
func (l *Layer) Cmds(x0, y0, xn, yn int64, cmds []byte, gtype int) {
	l.geom = appendMoveTo(l.geom, x0, y0, l.px, l.py)
	l.geom = append(l.geom, cmds...)
	l.px, l.py = xn, yn
	l.gtype = gtype
}

// End writes the current feature, unless it has no geometry.
func (l *Layer) End() {
	l.EndPart()
	if len(l.geom) == 0 || l.gtype == 0 {
		return
	}
	// Feature fields: tags (2), type (3), geometry (4); written in place
	// after the feature's length, computed first.
	tags := l.tags
	if l.raw != nil {
		tags = l.raw
	}
	tn, gn := len(tags), len(l.geom)
	n := 2 + gn + uvarintLen(uint64(gn)) + 1
	if tn > 0 {
		n += 1 + tn + uvarintLen(uint64(tn))
	}
	b := append(l.feats, 2<<3|2)
	b = binary.AppendUvarint(b, uint64(n))
	if tn > 0 {
		b = appendBytesField(b, 2, tags)
	}
	b = append(b, 3<<3|0, byte(l.gtype))
	l.feats = appendBytesField(b, 4, l.geom)
	l.n++
}

// appendIDs appends a tag's key and value ids as varints.
func appendIDs(b []byte, k, v uint32) []byte {
	if k < 0x80 && v < 0x80 {
		return append(b, byte(k), byte(v))
	}
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(k)), uint64(v))
}

func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

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
// appendValue appends v as a Layer.values field.
func appendValue(b []byte, v value) []byte {
	var vb [24]byte
	m := vb[:0]
	switch v.kind {
	case 1:
		b = append(b, 4<<3|2)
		b = binary.AppendUvarint(b, uint64(1+uvarintLen(uint64(len(v.s)))+len(v.s)))
		return appendStringField(b, 1, v.s)
	case 2:
		m = append(m, 6<<3|0)
		m = binary.AppendUvarint(m, uint64((v.i<<1)^(v.i>>63)))
	case 3:
		m = append(m, 3<<3|1)
		m = binary.LittleEndian.AppendUint64(m, math.Float64bits(v.d))
	case 4:
		m = append(m, 7<<3|0, byte(v.i))
	}
	return appendBytesField(b, 4, m)
}

func (l *Layer) AppendLayer(dst, scratch []byte) ([]byte, []byte) {
	if l.n == 0 {
		return dst, scratch
	}
	// Keys and values first, in scratch; then the layer's length, and the
	// layer written once, in place.
	kv := scratch[:0]
	if d := l.whole; d != nil {
		for i := range d.numKeys() {
			kv = appendStringField(kv, 3, d.keyAt(uint32(i)))
		}
		if d.base != nil {
			for i := range d.nbv {
				kv = append(kv, d.encoded(i)...)
			}
		}
		kv = append(kv, d.venc...)
	} else {
		for _, k := range l.keys {
			kv = appendStringField(kv, 3, k)
		}
		for _, v := range l.vals {
			kv = appendValue(kv, v)
		}
		for _, id := range l.dvalIDs {
			kv = append(kv, l.dict.encoded(id)...)
		}
	}
	n := 2 + 1 + uvarintLen(uint64(len(l.name))) + len(l.name) + len(l.feats) + len(kv) + 1 + uvarintLen(Extent)
	dst = append(dst, 3<<3|2)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = append(dst, 15<<3|0, 2) // version 2
	dst = appendStringField(dst, 1, l.name)
	dst = append(dst, l.feats...)
	dst = append(dst, kv...)
	dst = append(dst, 5<<3|0)
	dst = binary.AppendUvarint(dst, Extent)
	return dst, kv
}
