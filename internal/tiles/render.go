package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/encoding/gzpool"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Generalisation budgets (features per layer and tile) and zooms.
const (
	// PointClusterMaxZoom is the first zoom at which authorities and partners
	// are drawn individually (below it they are grid-clustered).
	PointClusterMaxZoom = 8
	// PointBudget is the most individual points of one layer in a tile; a
	// denser tile is grid-clustered whatever the zoom.
	PointBudget = 2000
	// ClusterCellUnits is the side of a clustering grid cell, in tile units
	// (a global grid per zoom: 16×16 cells per tile).
	ClusterCellUnits = 256
	// ArcBudget is the most individual partnership arcs in a tile. The level
	// is decided once per filter and zoom (see arcPlan): when the densest
	// tile of a zoom holds more, every tile of that zoom draws arcs
	// aggregated by (authority|département|région, country).
	ArcBudget = 1000
	// AggregateBudget is the most aggregated arcs at the authority and
	// département levels in the densest tile of a zoom before falling back
	// to a coarser level; the région level is always accepted.
	AggregateBudget = 1500
)

// Tile is a rendered vector tile. Its gzip encoding is computed on first
// use, once: clients that do not accept gzip never pay for it.
type Tile struct {
	Data  []byte // MVT (protobuf), uncompressed
	Empty bool   // no feature in any requested layer: Data is empty

	gzOnce sync.Once
	gz     []byte

	// own: the tile is its caller's alone (neither cached nor shared with
	// concurrent identical requests), and its Data buffer is pooled:
	// Release gives it back.
	own bool
}

// Release tells the Renderer that the caller is done with t's Data: neither
// t nor Data may be used afterwards (what Gzip returned may). The buffer of
// a tile that only its caller holds (no cache, no concurrent identical
// request) is then reused for later tiles, which spares the garbage
// collector a tile's bytes per request; for other tiles Release does
// nothing. Not calling it is safe: the buffer is then left to the garbage
// collector.
func (t *Tile) Release() {
	if !t.own {
		return
	}
	t.own = false
	putBuf(t.Data)
	t.Data = nil
}

// bufs pools the byte buffers of released tiles (*[]byte, empty).
var bufs sync.Pool

// maxPooledBuf bounds the buffers kept in bufs: a rare large tile does not
// pin its memory.
const maxPooledBuf = 1 << 20

func getBuf() []byte {
	if p, _ := bufs.Get().(*[]byte); p != nil {
		return *p
	}
	return nil
}

func putBuf(b []byte) {
	if cap(b) > 0 && cap(b) <= maxPooledBuf {
		b = b[:0]
		bufs.Put(&b)
	}
}

// Gzip returns the gzip encoding of Data. It is safe for concurrent use.
func (t *Tile) Gzip() []byte {
	t.gzOnce.Do(func() {
		// Not from bufs: a caller may keep the encoding (see Release), and
		// a pooled buffer may be far larger than it.
		t.gz = gzpool.Encode(t.Data)
	})
	return t.gz
}

// size is what a cached tile may hold: Data plus, at most, as much again for
// its gzip encoding once asked for (BestSpeed gzip of MVT is smaller).
func (t *Tile) size() int64 { return int64(2*len(t.Data) + 64) }

// Options configures a Renderer.
type Options struct {
	// CacheBytes bounds the rendered-tile cache (twice the sum of len(Data),
	// room for the gzip encodings), inside the budget;
	// 0 disables it.
	CacheBytes int64
	// Budget is the memory budget the rendered tiles and the per-filter
	// structures are charged to (shared with the index's selections when
	// the same). Nil: a budget of DefaultBudget bytes of the renderer's own.
	Budget *cache.Budget
}

// DefaultBudget is the budget of a Renderer made without one.
const DefaultBudget = 256 << 20

// Renderer renders tiles. It caches rendered tiles (LRU by bytes) and the
// per-(snapshot, filter, zoom) clusters and aggregates they are cut from.
// A Renderer is safe for concurrent use; concurrent identical requests
// render once.
type Renderer struct {
	budget *cache.Budget
	cache  *cache.Cache[*Tile] // nil when disabled

	flightMu sync.Mutex
	flight   map[string]*call

	aggs   *cache.Cache[any] // per-filter structures: clusters, arc plans, property tables…
	arcIdx *cache.Cache[any] // per (filter, zoom) arc indexes

	pool sync.Pool // *job scratch

	recent recentSet // what requests asked lately (see Prepare)

	// A tile's layer of grouped arcs takes their level's dictionary whole
	// (see mvt.Layer.UseWhole) when it holds at least 1/wholeShare of
	// the level's groups (0: never): the dictionary's values the tile does
	// not use then cost fewer bytes than mapping ids costs time.
	wholeShare int
}

type call struct {
	done    chan struct{}
	t       *Tile
	err     error
	waiters int // concurrent identical requests waiting for t (under flightMu)
}

// NewRenderer returns a Renderer.
func NewRenderer(o Options) *Renderer {
	r := &Renderer{flight: map[string]*call{}, budget: o.Budget}
	if r.budget == nil {
		r.budget = cache.NewBudget(DefaultBudget)
	}
	if o.CacheBytes > 0 {
		r.cache = cache.New[*Tile](r.budget, "tiles", o.CacheBytes)
	}
	r.aggs = cache.New[any](r.budget, "tile-structures", 0)
	r.arcIdx = cache.New[any](r.budget, "arc-indexes", 0)
	r.budget.Durable(lineagePrefix)
	r.wholeShare = 4
	return r
}

// Render renders the requested layers of tile t for the selection of f on
// snap, in the given layer order (one MVT layer per requested layer, named
// as the layer). Layers must be known (see ParseLayers) and t valid (see
// ParseZXY); otherwise the error wraps atlas.ErrInvalid. Render returns
// ctx.Err() when ctx ends first. The returned Tile may be shared: callers
// must not modify it. Callers that are done with it may Release it.
func (r *Renderer) Render(ctx context.Context, snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter) (*Tile, error) {
	return r.renderTile(ctx, snap, layers, t, f, true)
}

// renderTile is Render; noted, a tile it renders counts among what
// requests asked lately (Prepare's own do not).
func (r *Renderer) renderTile(ctx context.Context, snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter, noted bool) (*Tile, error) {
	if snap == nil {
		return nil, errors.New("tiles: no snapshot")
	}
	if t.Z > MaxZoom || !t.Valid() {
		return nil, atlas.InvalidParam("z", strconv.Itoa(int(t.Z)), fmt.Sprintf("tile %d/%d/%d out of range", t.Z, t.X, t.Y))
	}
	if len(layers) == 0 {
		return nil, atlas.InvalidParam("layers", "", "no layer requested")
	}
	for _, l := range layers {
		if _, err := index.LayerByID(l); err != nil {
			return nil, atlas.InvalidParam("layers", l, "unknown layer")
		}
	}
	f = snap.Canonical(f)
	key := cacheKey(snap, layers, t, f)
	if r.cache != nil {
		if tl, ok := r.cache.Get(key); ok {
			return tl, nil
		}
	}
	r.flightMu.Lock()
	if c, ok := r.flight[key]; ok {
		c.waiters++
		r.flightMu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
			// The leader's request ended, not ours: render for ourselves.
			return r.render(ctx, snap, layers, t, f)
		}
		return c.t, c.err
	}
	c := &call{done: make(chan struct{})}
	r.flight[key] = c
	r.flightMu.Unlock()
	if noted {
		r.recent.note(layers, t, f)
	}

	tl, err := r.render(ctx, snap, layers, t, f)
	if err == nil && r.cache != nil {
		r.cache.Put(key, tl, tl.size())
	}
	c.t, c.err = tl, err
	r.flightMu.Lock()
	delete(r.flight, key)
	if tl != nil && tl.own && c.waiters > 0 {
		// The waiters share a copy; the caller may release its tile.
		c.t = &Tile{Data: bytes.Clone(tl.Data)}
	}
	r.flightMu.Unlock()
	close(c.done)
	return tl, err
}

func cacheKey(snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter) string {
	var b strings.Builder
	b.WriteString(snap.Version())
	b.WriteByte('/')
	for i, l := range layers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l)
	}
	fmt.Fprintf(&b, "/%d/%d/%d?", t.Z, t.X, t.Y)
	b.WriteString(f.Encode())
	return b.String()
}

// job is the scratch state of one render.
type job struct {
	r    *Renderer
	ctx  context.Context
	snap *index.Snapshot
	sel  *index.Selection
	f    atlas.Filter
	fkey string
	pin  bool // the unfiltered view: its structures are pinned (see memo)
	t    maptile.Tile
	fr   frame

	enc     mvt.Layer
	out     []byte
	scratch []byte
	ids     []int32
	ringA   []orb.Point
	ringB   []orb.Point
	arcBuf  orb.LineString
	tagBuf  []uint32
	pprops  *pointTable // of the point layer being drawn
}

// render renders a tile. Without a cache, the tile is its caller's own (see
// Tile.own): it takes the job's output buffer, which a pooled one replaces.
func (r *Renderer) render(ctx context.Context, snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter) (*Tile, error) {
	j, _ := r.pool.Get().(*job)
	if j == nil {
		j = &job{}
	}
	defer func() {
		// Do not keep a snapshot alive from the pool.
		j.ctx, j.snap, j.sel, j.pprops = nil, nil, nil, nil
		j.enc.Release()
		r.pool.Put(j)
	}()
	j.r, j.ctx, j.snap, j.t, j.f = r, ctx, snap, t, f
	j.sel = snap.Select(f)
	j.fkey = snap.Version() + "?" + f.Encode()
	j.pin = f.IsZero()
	j.fr = newFrame(t)
	j.out = j.out[:0]
	for _, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		j.enc.Reset(l)
		var err error
		switch l {
		case index.LayerAuthorities, index.LayerPartners:
			err = j.points(l)
		case index.LayerPartnerships:
			err = j.arcs()
		default:
			err = j.boundaries(l)
		}
		if err != nil {
			return nil, err
		}
		j.out, j.scratch = j.enc.AppendLayer(j.out, j.scratch)
	}
	if len(j.out) == 0 {
		return &Tile{Empty: true}, nil
	}
	if r.cache == nil {
		tl := &Tile{Data: j.out, own: true}
		j.out = getBuf()
		return tl, nil
	}
	return &Tile{Data: bytes.Clone(j.out)}, nil
}

// ---------------------------------------------------------------------------
// Points

func (j *job) points(layer string) error {
	fr := &j.fr
	j.pprops = j.r.pointProps(j.snap, layer)
	if j.t.Z >= PointClusterMaxZoom {
		ids := j.ids[:0]
		over := false
		j.snap.Search(layer, fr.wgs, func(i int32) bool {
			if !j.pointSelected(layer, i) {
				return true
			}
			ids = append(ids, i)
			if len(ids) > PointBudget {
				over = true
				return false
			}
			return true
		})
		j.ids = ids
		if !over {
			slices.Sort(ids)
			for n, i := range ids {
				if n%256 == 0 {
					if err := j.ctx.Err(); err != nil {
						return err
					}
				}
				p := fr.tilePt(j.snap.Point(layer, i))
				if !fr.inBox(p[0], p[1]) {
					continue
				}
				j.pointFeature(j.pprops, &j.pprops.Dict, layer, i, p)
			}
			return nil
		}
	}
	cs := j.r.clusters(j, layer)
	return j.drawClusters(layer, cs)
}

func (j *job) pointSelected(layer string, i int32) bool {
	var n int
	if layer == index.LayerAuthorities {
		n = j.sel.AuthorityCount(i)
	} else {
		n = j.sel.PartnerCount(i)
	}
	if n == 0 {
		return false
	}
	return j.f.BBox == nil || j.f.BBox.Contains(j.snap.Point(layer, i))
}

// pointFeature writes point i of layer, its properties from table t
// written with dictionary d (t's or one that extends it).
func (j *job) pointFeature(t *pointTable, d *mvt.Dict, layer string, i int32, p orb.Point) {
	e := &j.enc
	e.Begin()
	tags := t.Of(int(i))
	if pos := t.count[i]; pos >= 0 {
		var n int
		if layer == index.LayerPartners {
			n = j.sel.PartnerCount(i)
		} else {
			n = j.sel.AuthorityCount(i)
		}
		if n > t.maxCount {
			// (Cannot be: a selection only lowers counts.)
			j.snap.VisitProperties(layer, i, j.sel, e)
			e.Point(p[0], p[1])
			e.End()
			return
		}
		j.tagBuf = append(j.tagBuf[:0], tags...)
		j.tagBuf[2*int(pos)+1] = t.count0 + uint32(n)
		tags = j.tagBuf
	}
	e.DictTags(d, tags)
	e.Point(p[0], p[1])
	e.End()
}

// pointTable is the properties of a point layer's features, made once
// per snapshot; the one that depends on the selection, the feature's
// number of partnerships, is written in at draw time.
type pointTable struct {
	mvt.PropTable
	count    []int8 // per feature: the position of its partnerships pair, or -1
	count0   uint32 // dictionary id of the integer 0, followed by 1 to maxCount
	maxCount int
}

// pointProps returns the pointTable of a point layer of snap.
func (r *Renderer) pointProps(snap *index.Snapshot, layer string) *pointTable {
	return memo(r.aggs, snap.Version()+"/pointprops/"+layer, true, func() *pointTable {
		all := snap.Select(atlas.Filter{})
		n := snap.Len(layer)
		t := &pointTable{count: make([]int8, n)}
		for i := range int32(n) {
			if layer == index.LayerPartners {
				t.maxCount = max(t.maxCount, all.PartnerCount(i))
			} else {
				t.maxCount = max(t.maxCount, all.AuthorityCount(i))
			}
		}
		// The counts first, so that their ids follow each other.
		for c := 0; c <= t.maxCount; c++ {
			id := t.Dict.IntVal(int64(c))
			if c == 0 {
				t.count0 = id
			}
		}
		for i := range n {
			start := t.Pairs()
			t.count[i] = -1
			t.Add(func(sink mvt.Sink) {
				snap.VisitProperties(layer, int32(i), all, countSink{sink, func() {
					t.count[i] = int8(t.Pairs() - start)
				}})
			})
		}
		t.Dict.Seal(true) // cluster sets extend it
		return t
	})
}

// countSink is a property sink that calls at before it records the number
// of partnerships.
type countSink struct {
	mvt.Sink
	at func()
}

func (s countSink) Int(k string, v int) {
	if k == "partnerships" {
		s.at()
	}
	s.Sink.Int(k, v)
}

// ---------------------------------------------------------------------------
// Arcs

func (j *job) arcs() error {
	p := j.r.arcPlan(j)
	z := j.fr.z
	level := j.r.levelOf(j, p, z)
	if z <= ArcIndexMaxZoom {
		return j.drawArcIndex(p, j.r.arcIndex(j, p, level, z))
	}
	if level == p.level(ArcIndexMaxZoom) {
		// The index of ArcIndexMaxZoom keeps its runs for the tiles above.
		return j.drawArcsAbove(p, j.r.arcIndex(j, p, level, ArcIndexMaxZoom))
	}
	return j.drawArcsAbove(p, j.r.arcRuns(j, p, level))
}

// ---------------------------------------------------------------------------
// Boundaries

func (j *job) boundaries(layer string) error {
	bs := j.r.shapes(j.snap, layer, j.fr.z)
	props := j.r.props(j, layer, len(bs.shapes))
	if bs.cut != nil {
		return j.drawCutShapes(layer, bs, props)
	}
	return j.eachShape(layer, bs, func(i int32) {
		j.enc.DictTags(&props.Dict, props.Of(int(i)))
		j.enc.End()
	})
}

// eachShape puts in j.enc, one after the other, the geometry of every shape
// of bs in the tile (but those the filter's bbox leaves out), and calls
// emit after each.
func (j *job) eachShape(layer string, bs *shapeSet, emit func(i int32)) error {
	fr := &j.fr
	scale := math1(fr.z - bs.z)
	ids := j.ids[:0]
	j.snap.Search(layer, fr.wgs, func(i int32) bool {
		ids = append(ids, i)
		return true
	})
	slices.Sort(ids)
	ids = slices.Compact(ids)
	j.ids = ids
	// Buffered tile in the shapes' world units.
	wb := orb.Bound{
		Min: orb.Point{(fr.ox - Buffer) / scale, (fr.oy - Buffer) / scale},
		Max: orb.Point{(fr.ox + Extent + Buffer) / scale, (fr.oy + Extent + Buffer) / scale},
	}
	hits := j.bboxHits(layer)
	for _, i := range ids {
		if err := j.ctx.Err(); err != nil {
			return err
		}
		if hits != nil && !j.meetsBBox(hits, layer, i) {
			continue
		}
		s := &bs.shapes[i]
		if !s.bound.Intersects(wb) {
			continue
		}
		j.enc.Begin()
		for _, poly := range s.polys {
			pb := poly.bound
			if !pb.Intersects(wb) {
				continue
			}
			inside := pb.Min[0] >= wb.Min[0] && pb.Min[1] >= wb.Min[1] && pb.Max[0] <= wb.Max[0] && pb.Max[1] <= wb.Max[1]
			if inside && scale == 1 {
				// The whole polygon is in the tile: its rings' geometry is
				// the same as in any other tile but for the first move.
				ox, oy := int64(fr.ox), int64(fr.oy)
				for _, r := range poly.rings {
					j.enc.Cmds(int64(r.first[0])-ox, int64(r.first[1])-oy, int64(r.last[0])-ox, int64(r.last[1])-oy, r.cmds, mvt.GeomPolygon)
				}
				continue
			}
			for n := range poly.rings {
				tr := j.ringInTile(&poly.rings[n], scale, wb, inside)
				ok := len(tr) >= 3 && j.enc.Ring(tr, n == 0)
				if n == 0 && !ok {
					break
				}
			}
		}
		if len(j.enc.Geometry()) == 0 {
			continue
		}
		emit(i)
	}
	return nil
}

// bboxHits returns, when the filter has a bbox, what is known of which
// shapes of a boundary layer meet it (see meetsBBox); nil otherwise.
func (j *job) bboxHits(layer string) []atomic.Uint32 {
	if j.f.BBox == nil {
		return nil
	}
	return memo(j.r.aggs, j.fkey+"/bbox/"+layer, false, func() []atomic.Uint32 {
		return make([]atomic.Uint32, j.snap.Len(layer))
	})
}

// meetsBBox reports whether shape i of a boundary layer meets the filter's
// bbox. The answer, which clips the shape's whole geometry (a large
// country's takes milliseconds), is kept in hits, per filter, for the tiles
// that follow.
func (j *job) meetsBBox(hits []atomic.Uint32, layer string, i int32) bool {
	const yes, no = 1, 2
	switch hits[i].Load() {
	case yes:
		return true
	case no:
		return false
	}
	in := j.snap.Intersects(layer, i, *j.f.BBox)
	if in {
		hits[i].Store(yes)
	} else {
		hits[i].Store(no)
	}
	return in
}

// drawCutShapes draws the shapes of a set cut in its tiles (see cutShapes).
func (j *job) drawCutShapes(layer string, bs *shapeSet, props *mvt.PropTable) error {
	c := bs.cut
	t, ok := slices.BinarySearch(c.tiles, tileKey(uint64(j.t.X), uint64(j.t.Y)))
	if !ok {
		return nil
	}
	hits := j.bboxHits(layer)
	for k := c.off[t]; k < c.off[t+1]; k++ {
		f := &c.feats[k]
		if hits != nil && !j.meetsBBox(hits, layer, f.shape) {
			continue
		}
		j.enc.Begin()
		j.enc.SetGeometry(mvt.GeomPolygon, c.geomOf(int(k)))
		j.enc.DictTags(&props.Dict, props.Of(int(f.shape)))
		j.enc.End()
	}
	return nil
}

// ringInTile returns ring r (shapes' world units times scale) in tile
// units, clipped to the buffered tile unless inside (wb: the buffered tile
// in the shapes' world units), in j's scratch.
func (j *job) ringInTile(r *worldRing, scale float64, wb orb.Bound, inside bool) []orb.Point {
	pts := r.points(j.ringB[:0], scale, j.fr.ox, j.fr.oy, wb)
	j.ringB = pts
	tr := j.ringA[:0]
	var codes [2]uint8 // outcodes of the last two points kept
	for _, p := range pts {
		c := outcode(p)
		if n := len(tr); n >= 2 && c&codes[0]&codes[1] != 0 {
			// The last point and its neighbours lie beyond the same side
			// of the tile: clipping would drop it.
			tr[n-1], codes[1] = p, c
			continue
		}
		tr = append(tr, p)
		codes[0], codes[1] = codes[1], c
	}
	j.ringA = tr
	if !inside {
		tr = j.clipRing(tr)
	}
	return tr
}

// props returns the properties of the n features of a layer for j's
// selection.
func (r *Renderer) props(j *job, layer string, n int) *mvt.PropTable {
	return memo(r.aggs, j.fkey+"/props/"+layer, j.pin, func() *mvt.PropTable {
		return mvt.NewPropTable(n, func(i int, sink mvt.Sink) { j.snap.VisitProperties(layer, int32(i), j.sel, sink) })
	})
}

// outcode returns which sides of the buffered tile a point (tile units) is
// beyond, one bit per side.
func outcode(p orb.Point) uint8 {
	const lo, hi = -Buffer, Extent + Buffer
	var c uint8
	if p[0] < lo {
		c |= 1
	} else if p[0] > hi {
		c |= 2
	}
	if p[1] < lo {
		c |= 4
	} else if p[1] > hi {
		c |= 8
	}
	return c
}

// clipRing clips the ring in j.ringA (tile units) to the buffered tile
// (Sutherland–Hodgman, one pass per side) and returns it, in j's scratch.
func (j *job) clipRing(in []orb.Point) []orb.Point {
	const lo, hi = -Buffer, Extent + Buffer
	a, b := in, j.ringB[:0]
	for side := 0; side < 4; side++ {
		b = b[:0]
		inside := func(p orb.Point) bool {
			switch side {
			case 0:
				return p[0] >= lo
			case 1:
				return p[0] <= hi
			case 2:
				return p[1] >= lo
			}
			return p[1] <= hi
		}
		cross := func(p, q orb.Point) orb.Point {
			var t float64
			switch side {
			case 0:
				t = (lo - p[0]) / (q[0] - p[0])
				return orb.Point{lo, p[1] + t*(q[1]-p[1])}
			case 1:
				t = (hi - p[0]) / (q[0] - p[0])
				return orb.Point{hi, p[1] + t*(q[1]-p[1])}
			case 2:
				t = (lo - p[1]) / (q[1] - p[1])
				return orb.Point{p[0] + t*(q[0]-p[0]), lo}
			}
			t = (hi - p[1]) / (q[1] - p[1])
			return orb.Point{p[0] + t*(q[0]-p[0]), hi}
		}
		n := len(a)
		if n == 0 {
			break
		}
		prev := a[n-1]
		pin := inside(prev)
		for _, cur := range a {
			cin := inside(cur)
			if cin {
				if !pin {
					b = append(b, cross(prev, cur))
				}
				b = append(b, cur)
			} else if pin {
				b = append(b, cross(prev, cur))
			}
			prev, pin = cur, cin
		}
		a, b = b, a
	}
	// a holds the result, used before the next ring reuses the buffers.
	j.ringA, j.ringB = a, b
	return a
}

func math1(dz int) float64 { return float64(uint64(1) << uint(dz)) }
