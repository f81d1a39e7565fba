package tiles

import (
	"cmp"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/tidwall/rtree"
)

// Arc levels: individual partnerships, then the aggregation levels of
// aggLevelNames (levelAuthority is aggLevelNames[0], and so on).
const (
	levelIndividual = iota
	levelAuthority
	levelDepartement
	levelRegion
)

// ArcIndexMaxZoom is the largest zoom whose arcs are prepared in world units
// once per filter and zoom; above it, tiles find their arcs in the index of
// ArcIndexMaxZoom and cut them from the great circles themselves.
const ArcIndexMaxZoom = 8

// arcPlan decides, once per filter and zoom, the level at which every tile
// of that zoom draws the filter's arcs: the finest level whose densest tile
// holds no more than the level's budget (ArcBudget for individual arcs,
// AggregateBudget for the authority and département levels; the région level
// is always accepted). The decision is the same for every tile of a zoom, so
// neighbouring tiles never mix grouped and individual arcs.
type arcPlan struct {
	snap *index.Snapshot
	ids  []int32 // selected partnerships (inside the filter's bbox), ascending
	agg  *arcAggregates

	mu      sync.Mutex
	levels  [MaxZoom + 1]int8
	decided bool
	// bounds certifies the decision of levels, per zoom and tested level
	// (see levelBounds): what a write may change before it is taken again.
	bounds    levelBounds
	inherited bool // levels taken from the lineage slot, not decided
	overs     [3]map[maptile.Tile]int32
	starts    [3][]start // per level: distinct French ends and their arcs
	stamp     []uint32   // per item (individual level: per partnership): generation of the last count that saw it
	member    []uint64   // bit set of the selected partnerships (p.ids), while the levels are decided
	gen       uint32
	once      [3]sync.Once
	trees     [3]rtree.RTreeG[int32] // WGS84 bounds of arc pieces → item

	propsOnce sync.Once
	props     *mvt.PropTable // of the selected partnerships, by position in ids

	// The ends of every level's items, made once; and the arc indexes the
	// plan draws, once found (see resolveArcs).
	endsOnce [4]sync.Once
	endsOf   [4]arcEnds
	indexes  [ArcIndexMaxZoom + 1][4]atomic.Pointer[arcIndex]
	runs     [4]atomic.Pointer[arcIndex]

	// What the plan holds once built, and the bytes of props once made:
	// the structures that decide the levels are dropped once they have.
	base       int64
	propsBytes atomic.Int64
	endsBytes  atomic.Int64
}

func (r *Renderer) arcPlan(j *job) *arcPlan {
	return r.aggs.Memo(j.fkey+"/arcplan", j.pin, func() (any, int64) {
		p := &arcPlan{snap: j.snap}
		for _, i := range j.sel.Partnerships() {
			if j.f.BBox != nil && !j.snap.Intersects(index.LayerPartnerships, i, *j.f.BBox) {
				continue
			}
			p.ids = append(p.ids, i)
		}
		slices.Sort(p.ids)
		p.agg = r.aggregates(j)
		p.base = cache.SizeOf(p, shared)
		return p, p.base
	}, func(v any) int64 { p := v.(*arcPlan); return p.base + p.propsBytes.Load() + p.endsBytes.Load() }).(*arcPlan)
}

// ends returns the end points of item k at level l.
func (p *arcPlan) ends(l, k int) (a, b orb.Point) {
	if l == levelIndividual {
		ai, pi := p.snap.PartnershipEnds(p.ids[k])
		ds := p.snap.Dataset()
		return ds.Authorities[ai].Point, ds.Partners[pi].Point
	}
	g := &p.agg.levels[l-1].groups[k]
	return g.from, g.to
}

func (p *arcPlan) items(l int) int {
	if l == levelIndividual {
		return len(p.ids)
	}
	return len(p.agg.levels[l-1].groups)
}

// tree returns the WGS84 index of level l's grouped arcs (pieces of about
// 400 km, as index.Snapshot.ArcPieces cuts the individual ones),
// used to count the arcs of a tile.
func (p *arcPlan) tree(l int) *rtree.RTreeG[int32] {
	p.once[l].Do(func() {
		t := &p.trees[l]
		for k := 0; k < p.items(l); k++ {
			a, b := p.ends(l, k)
			index.EachPiece(a, b, func(bd orb.Bound) { t.Insert(bd.Min, bd.Max, int32(k)) })
		}
	})
	return &p.trees[l]
}

func levelBudget(l int) int {
	if l == levelIndividual {
		return ArcBudget
	}
	return AggregateBudget
}

// countCap is where over stops counting: a tile over the budget is known
// to hold at least that many arcs (up to it), which lets the decision
// stand through writes of fewer arcs than the margin (see levelBounds).
func countCap(l int) int { return levelBudget(l) + levelBudget(l)/4 }

// over returns how many level l arcs may cross the buffered tile, counted
// up to countCap(l). p.mu must be held.
func (p *arcPlan) over(l int, t maptile.Tile) int32 {
	fr := newFrame(t)
	if n := max(len(p.ids), p.items(l), len(p.snap.Dataset().Partnerships)); len(p.stamp) < n {
		p.stamp = make([]uint32, n)
	}
	p.gen++
	if p.gen == 0 {
		clear(p.stamp)
		p.gen = 1
	}
	n, limit, gen := 0, countCap(l), p.gen
	count := func(_, _ [2]float64, k int32) bool {
		if p.stamp[k] != gen {
			p.stamp[k] = gen
			n++
		}
		return n < limit
	}
	if l == levelIndividual {
		// The snapshot's pieces of every arc, shared by the filters and
		// by the snapshots derived after a write, the selected ones
		// counted: what a tree of the selected arcs' pieces would hold.
		if p.member == nil {
			p.member = make([]uint64, (len(p.snap.Dataset().Partnerships)+63)/64)
			for _, i := range p.ids {
				p.member[i/64] |= 1 << (i % 64)
			}
		}
		p.snap.ArcPieces().Search(fr.wgs.Min, fr.wgs.Max, func(a, b [2]float64, i int32) bool {
			if p.member[i/64]&(1<<(i%64)) == 0 {
				return true
			}
			return count(a, b, i)
		})
		return int32(n)
	}
	p.tree(l).Search(fr.wgs.Min, fr.wgs.Max, count)
	return int32(n)
}

// hot reports whether some tile of zoom z holds more level l arcs than the
// level's budget, with a bound that certifies the answer: when hot, a
// number of arcs that tile holds at least (more than the budget); when
// not, a number no tile of zoom z holds more than. A tile where more arcs
// than the budget start is one, found cheaply from the arcs' French ends;
// otherwise the tiles are searched depth first from the world tile,
// through tiles that are themselves over the budget (arc counts only
// decrease from a tile to its children, so a tile within the budget bounds
// its descendants). p.mu must be held.
func (p *arcPlan) hot(l, z int) (bool, int32, maptile.Tile, nearTiles) {
	budget := int32(levelBudget(l))
	if n, t := p.mostStarting(l, z); n > budget {
		return true, n, t, nearTiles{}
	}
	// Of the tiles within the budget the search met: the most crowded,
	// and the largest count of the others.
	var near nearTiles
	var rest int32
	var at maptile.Tile
	var search func(t maptile.Tile) int32
	search = func(t maptile.Tile) int32 {
		n := p.overCached(l, t)
		if n <= budget {
			rest = max(rest, near.add(t, n))
			return 0
		}
		if int(t.Z) == z {
			at = t
			return n
		}
		for dx := uint32(0); dx < 2; dx++ {
			for dy := uint32(0); dy < 2; dy++ {
				if w := search(maptile.New(2*t.X+dx, 2*t.Y+dy, t.Z+1)); w > 0 {
					return w
				}
			}
		}
		return 0
	}
	if w := search(maptile.New(0, 0, 0)); w > 0 {
		return true, w, at, nearTiles{}
	}
	return false, rest, maptile.Tile{}, near
}

// nearTiles are the tiles within the budget that hold the most arcs, with
// their counts (exact), the most first; tiles past len are unused.
type nearTiles struct {
	len   int8
	tiles [4]maptile.Tile
	n     [4]int32
}

// add keeps tile t holding n arcs if it is among the most crowded, and
// returns the count of the tile it drops (n itself, or one it held; 0 when
// none).
func (s *nearTiles) add(t maptile.Tile, n int32) int32 {
	k := int(s.len)
	if k == len(s.tiles) {
		if n <= s.n[k-1] {
			return n
		}
		k--
	} else {
		s.len++
	}
	dropped := s.n[k]
	for k > 0 && s.n[k-1] < n {
		s.tiles[k], s.n[k] = s.tiles[k-1], s.n[k-1]
		k--
	}
	s.tiles[k], s.n[k] = t, n
	return dropped
}

// overCached is over, remembered per tile. p.mu must be held.
func (p *arcPlan) overCached(l int, t maptile.Tile) int32 {
	if p.overs[l] == nil {
		p.overs[l] = map[maptile.Tile]int32{}
	}
	v, ok := p.overs[l][t]
	if !ok {
		v = p.over(l, t)
		p.overs[l][t] = v
	}
	return v
}

// mostStarting returns the largest number of level l arcs that start in
// one tile of zoom z, counted up to countCap(l) (they all cross it), and
// that tile. p.mu must be held.
func (p *arcPlan) mostStarting(l, z int) (int32, maptile.Tile) {
	if p.starts[l] == nil {
		// The distinct French ends of the level's arcs, with their counts.
		at := map[orb.Point]int32{}
		for k := 0; k < p.items(l); k++ {
			a, _ := p.ends(l, k)
			at[a]++
		}
		for pt, n := range at {
			p.starts[l] = append(p.starts[l], start{pt, n})
		}
	}
	limit := int32(countCap(l))
	per := map[maptile.Tile]int32{}
	var most int32
	var at maptile.Tile
	for _, st := range p.starts[l] {
		t := maptile.At(st.p, maptile.Zoom(z))
		per[t] += st.n
		if per[t] > most {
			most, at = per[t], t
			if most >= limit {
				return limit, at
			}
		}
	}
	return most, at
}

type start struct {
	p orb.Point
	n int32
}

// level returns the arc level of zoom z. The levels of all zooms are
// decided together, the first time, after which the structures that served
// to decide them are dropped.
func (p *arcPlan) level(z int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.decided {
		p.bounds = levelBounds{}
		p.bounds.tested = len(p.ids) > ArcBudget
		for zz := 0; zz <= MaxZoom; zz++ {
			l := levelIndividual
			if p.bounds.tested {
				for l < levelRegion {
					hot, n, at, near := p.hot(l, zz)
					p.bounds.n[zz][l], p.bounds.at[zz][l], p.bounds.near[zz][l] = n, at, near
					if !hot {
						break
					}
					l++
				}
			}
			p.levels[zz] = int8(l)
		}
		p.decided = true
		p.trees, p.overs, p.starts, p.stamp, p.member = [3]rtree.RTreeG[int32]{}, [3]map[maptile.Tile]int32{}, [3][]start{}, nil, nil
	}
	return int(p.levels[z])
}

// levelBounds certifies a decision of the arc levels: for every zoom z and
// level l tested there (those below the level chosen, which were over the
// budget, and the one chosen, unless it is the région level), n[z][l] is,
// for a level over the budget, a number of arcs that tile at[z][l] holds
// at least; for the level chosen, the tiles near[z][l] hold the arcs they
// say and every tile of zoom z is within one of them or within n[z][l]
// arcs. After a write, a tile's count is what it was less the changed
// items that crossed it and plus those that cross it now, and n[z][l] of
// the chosen level grows by the items added: as long as the levels over
// the budget stay over it and the chosen one within, the decision stands
// — it is the one taking it again would give (see levelOf).
type levelBounds struct {
	tested bool // more partnerships than ArcBudget: the levels were tested
	n      [MaxZoom + 1][levelRegion]int32
	at     [MaxZoom + 1][levelRegion]maptile.Tile
	near   [MaxZoom + 1][levelRegion]nearTiles
}

// after returns the bounds for the levels decided as levels with items of
// ends old, now that they have ends cur, and whether the decision stands.
func (b levelBounds) after(levels *[MaxZoom + 1]int8, old, cur *[levelRegion]arcEnds) (levelBounds, bool) {
	if !b.tested {
		return b, false
	}
	for l := range levelRegion {
		gone, came := stretch(old[l], cur[l])
		if len(gone) == 0 && len(came) == 0 {
			continue
		}
		// The pieces of the changed items, made once.
		pieces := func(e arcEnds) [][]orb.Bound {
			out := make([][]orb.Bound, len(e))
			for k := range e {
				a, c := e.at(k)
				index.EachPiece(a, c, func(bd orb.Bound) { out[k] = append(out[k], bd) })
			}
			return out
		}
		gp, cp := pieces(gone), pieces(came)
		// As the R-trees count: items with a piece whose bounds meet the
		// buffered tile's (closed).
		crossing := func(items [][]orb.Bound, t maptile.Tile) int32 {
			fr := newFrame(t).wgs
			var n int32
			for _, ps := range items {
				if slices.ContainsFunc(ps, fr.Intersects) {
					n++
				}
			}
			return n
		}
		budget := int32(levelBudget(l))
		for z := range levels {
			switch chosen := int(levels[z]); {
			case l < chosen:
				t := b.at[z][l]
				b.n[z][l] += crossing(cp, t) - crossing(gp, t)
				if b.n[z][l] <= budget {
					return b, false
				}
			case l == chosen:
				b.n[z][l] += int32(len(came))
				if b.n[z][l] > budget {
					return b, false
				}
				near := &b.near[z][l]
				for k := range near.len {
					t := near.tiles[k]
					if near.n[k] += crossing(cp, t) - crossing(gp, t); near.n[k] > budget {
						return b, false
					}
				}
			}
		}
	}
	return b, true
}

// stretch returns the items of old and of cur between the prefix and the
// suffix they share: what a write removed and added (see deriveArcIndex).
func stretch(old, cur arcEnds) (gone, came arcEnds) {
	pre, suf := common(old, cur)
	return old[pre : len(old)-suf], cur[pre : len(cur)-suf]
}

// common returns the lengths of the prefix and of the suffix (after it)
// that old and cur share.
func common(old, cur arcEnds) (pre, suf int) {
	for pre < len(old) && pre < len(cur) && old[pre] == cur[pre] {
		pre++
	}
	for suf < len(old)-pre && suf < len(cur)-pre && old[len(old)-1-suf] == cur[len(cur)-1-suf] {
		suf++
	}
	return pre, suf
}

// ---------------------------------------------------------------------------
// Per-zoom arc index

// arcIndex is one filter's arcs at one zoom and level, projected to world
// units (latitudes clamped to the Mercator limit, longitudes continuous
// along an arc, and the part beyond the antimeridian repeated on the other
// side of the world), simplified for the zoom, and indexed by tile: for
// every tile, the runs of consecutive segments that meet it, so that a tile
// only reads the segments it may draw (buildArcIndex). The renderer keeps
// the runs drawn in their tiles (sliceArcIndex), and, at ArcIndexMaxZoom,
// the runs and their points for the tiles above.
type arcIndex struct {
	level int
	// The ends of the items the index was made for, in item order: what
	// its geometry depends on, and all (see resolveArcs).
	ends arcEnds
	// Points, x y interleaved, world units, line after line; two
	// consecutive points of a line differ.
	xy []int32
	// At ArcIndexMaxZoom only, where tiles above it refine the arcs: the
	// points again, as tiles above read them (see finePoint).
	fine []finePoint
	// The MVT LineTo parameters (zigzag varint deltas) of every line, back
	// to back; poff[i] is the offset of the step from point i to the next
	// (for the last point of a line, the end of the line's steps). A stretch
	// of points a..b of a line inside a tile is written as a copy of
	// params[poff[a]:poff[b]].
	params []byte
	poff   []int32
	// The runs of tile runKeys[i] (buffered) are runs[runOff[i]:runOff[i+1]],
	// by item, then line, then position.
	runKeys []uint64
	runOff  []int32
	runs    []arcRun
	// At ArcIndexMaxZoom, for tiles above it: the bounds of every run's
	// points relative to its tile's origin (clamped to int16), so that a
	// tile skips the runs that miss it without reading their points; and
	// the great circle of every item.
	rbox    [][4]int16 // min x, min y, max x, max y
	circles []greatCircle
	// The runs drawn in their tile once, when the index is made (see
	// sliceArcIndex): a tile's arcs are copies of its slices. The slices of
	// tile tileKeys[i] are slices[tileOff[i]:tileOff[i+1]].
	tileKeys []uint64
	tileOff  []int32
	slices   []arcSlice
	cmds     []byte
}

// finePoint is a point of the index of ArcIndexMaxZoom for the tiles above
// it: the point in world units of arcFineZoom (unrounded, but for those
// units), its fraction t of the item's great circle, and, for a point after
// the first of a line, the great circle's point halfway (in t) along the
// chord that ends on it, less the chord's middle, in units of arcFineZoom
// (noMid when beyond int16): the first step of refining the chord, done
// once. Together, so that a tile reads one place per point.
type finePoint struct {
	x, y   int32
	t      float32
	mx, my int16
}

// arcSlice is a run drawn in its tile: MVT geometry commands whose first
// MoveTo, to (x0, y0) in tile units, is taken out (it depends on where the
// cursor is); the other commands, cmds[off:] up to the next slice's, leave
// the cursor at (ex, ey).
type arcSlice struct {
	item           int32
	off            int32
	x0, y0, ex, ey int16
}

// arcRun is the segments lo→lo+1, …, hi−1→hi (point indexes) of one line of
// item, each of which has bounds that meet a buffered tile.
type arcRun struct {
	item, lo, hi int32
}

// tileRuns returns the runs of ix that meet the buffered tile (x, y) of the
// index's zoom, and the index of the first.
func (ix *arcIndex) tileRuns(x, y uint32) ([]arcRun, int32) {
	i, ok := slices.BinarySearch(ix.runKeys, tileKey(uint64(x), uint64(y)))
	if !ok {
		return nil, 0
	}
	return ix.runs[ix.runOff[i]:ix.runOff[i+1]], ix.runOff[i]
}

// arcIndex returns the index of p's arcs at level and zoom z (see
// resolveArcs).
func (r *Renderer) arcIndex(j *job, p *arcPlan, level, z int) *arcIndex {
	return r.resolveArcs(j, p, kindIndex, level, z)
}

// arcRuns returns the index of ArcIndexMaxZoom at a level that zoom does
// not draw, with its runs only, for the tiles above it.
func (r *Renderer) arcRuns(j *job, p *arcPlan, level int) *arcIndex {
	return r.resolveArcs(j, p, kindRuns, level, ArcIndexMaxZoom)
}

// finishArcIndex turns what buildArcIndex made into what is kept: for
// kindIndex, the runs drawn in their tiles (and, at ArcIndexMaxZoom, the
// runs and their points for the tiles above); for kindRuns, the runs and
// their points only.
func finishArcIndex(ix *arcIndex, kind arcKind, z int) *arcIndex {
	if kind == kindRuns {
		ix.xy, ix.params, ix.poff = nil, nil, nil
		packFine(ix)
		return ix
	}
	out := sliceArcIndex(ix)
	if z == ArcIndexMaxZoom {
		// The tiles above draw from the runs, their points and great
		// circles (not from the LineTo parameters).
		packFine(ix)
		out.fine, out.runKeys, out.runOff, out.runs, out.rbox, out.circles = ix.fine, ix.runKeys, ix.runOff, ix.runs, ix.rbox, ix.circles
	}
	return out
}

// packFine lays the points of ix's runs out tile by tile, each run's
// after the previous one's, for the tiles above ix's zoom (see
// drawArcsAbove): a tile then reads the points of its ancestor's runs in
// one stretch of memory, not scattered along their arcs. The points
// shared by runs of neighbouring tiles are copied, which about doubles
// them. ix's own points (xy, for its own zoom) are not moved.
func packFine(ix *arcIndex) {
	n := 0
	for _, r := range ix.runs {
		n += int(r.hi-r.lo) + 1
	}
	fine := make([]finePoint, 0, n)
	for i, r := range ix.runs {
		lo := int32(len(fine))
		fine = append(fine, ix.fine[r.lo:r.hi+1]...)
		ix.runs[i].lo, ix.runs[i].hi = lo, lo+r.hi-r.lo
	}
	ix.fine = fine
}

// sliceArcIndex returns an index of ix's arcs as slices only: every run
// drawn in its tile as drawRun draws it.
func sliceArcIndex(ix *arcIndex) *arcIndex {
	out := &arcIndex{level: ix.level, slices: make([]arcSlice, 0, len(ix.runs))}
	var j job
	for t, key := range ix.runKeys {
		ox, oy := int64(key>>32)*Extent, int64(uint32(key))*Extent
		first := len(out.slices)
		for _, r := range ix.runs[ix.runOff[t]:ix.runOff[t+1]] {
			j.enc.Begin()
			j.drawRun(ix, r, ox, oy)
			if len(j.enc.Geometry()) == 0 {
				continue
			}
			// The commands start with the MoveTo of the first part, from
			// the origin.
			x0, rest := unzzVarint(j.enc.Geometry()[1:])
			y0, rest := unzzVarint(rest)
			ex, ey := j.enc.Cursor()
			out.slices = append(out.slices, arcSlice{item: r.item, off: int32(len(out.cmds)),
				x0: int16(x0), y0: int16(y0), ex: int16(ex), ey: int16(ey)})
			out.cmds = append(out.cmds, rest...)
		}
		if len(out.slices) > first {
			out.tileKeys = append(out.tileKeys, key)
			out.tileOff = append(out.tileOff, int32(first))
		}
	}
	out.tileOff = append(out.tileOff, int32(len(out.slices)))
	out.cmds = slices.Clip(out.cmds)
	return out
}

// sliceCmds returns the commands of slice s.
func (ix *arcIndex) sliceCmds(s int) []byte {
	end := len(ix.cmds)
	if s+1 < len(ix.slices) {
		end = int(ix.slices[s+1].off)
	}
	return ix.cmds[ix.slices[s].off:end]
}

// buildArcIndex indexes the items lo..hi−1 of ends (numbered as in ends)
// at level and zoom z.
func buildArcIndex(ends arcEnds, lo, hi, level, z int) *arcIndex {
	ix := &arcIndex{level: level}
	ws := worldSize(z)
	n := int64(1) << z
	forAbove := z == ArcIndexMaxZoom
	// Runs with their tile; the runs the previous segment extended (a
	// segment extends the run of a tile that the segment before it met,
	// else starts one).
	type tileRun struct {
		key uint64
		run arcRun
	}
	var all []tileRun
	type open struct {
		key uint64
		run int
	}
	var prev, cur []open
	var line orb.LineString
	var ts []float32
	for k := lo; k < hi; k++ {
		a, b := ends.at(k)
		line, ts = worldArc(line[:0], ts[:0], a, b, ws)
		g := newGreatCircle(a, b)
		minX, maxX := math.Inf(1), math.Inf(-1)
		for _, q := range line {
			minX, maxX = math.Min(minX, q[0]), math.Max(maxX, q[0])
		}
		for _, shift := range [3]float64{0, ws, -ws} {
			if maxX+shift < -Buffer || minX+shift > ws+Buffer {
				continue
			}
			base := int32(len(ix.poff))
			for i, q := range line {
				x, y := int32(math.Round(q[0]+shift)), int32(math.Round(q[1]))
				if m := len(ix.poff); int32(m) > base {
					dx, dy := int64(x-ix.xy[2*m-2]), int64(y-ix.xy[2*m-1])
					if dx == 0 && dy == 0 {
						continue
					}
					ix.params = mvt.AppendZigZag(mvt.AppendZigZag(ix.params, dx), dy)
				}
				ix.xy = append(ix.xy, x, y)
				ix.poff = append(ix.poff, int32(len(ix.params)))
				if forAbove {
					ix.fine = append(ix.fine, finePoint{x: int32(math.Round((q[0] + shift) * fineScale)), y: int32(math.Round(q[1] * fineScale)), t: ts[i]})
				}
			}
			end := int32(len(ix.poff))
			if end-base < 2 {
				// A point: no segment to draw.
				ix.xy, ix.poff = ix.xy[:2*base], ix.poff[:base]
				if forAbove {
					ix.fine = ix.fine[:base]
				}
				continue
			}
			if forAbove {
				for i := base + 1; i < end; i++ {
					a, b := &ix.fine[i-1], &ix.fine[i]
					x0, y0, x1, y1 := float64(a.x), float64(a.y), float64(b.x), float64(b.y)
					pm := g.world((float64(a.t)+float64(b.t))/2, lonOf(orb.Point{x0 / fineScale, 0}, ws), ws)
					dx, dy := math.Round(pm[0]*fineScale-(x0+x1)/2), math.Round(pm[1]*fineScale-(y0+y1)/2)
					if math.Abs(dx) >= math.MaxInt16 || math.Abs(dy) >= math.MaxInt16 {
						dx, dy = noMid, noMid
					}
					b.mx, b.my = int16(dx), int16(dy)
				}
			}
			prev = prev[:0]
			for i := base; i+1 < end; i++ {
				x0, y0, x1, y1 := int64(ix.xy[2*i]), int64(ix.xy[2*i+1]), int64(ix.xy[2*i+2]), int64(ix.xy[2*i+3])
				cur = cur[:0]
				// The tiles whose buffered bounds (closed) meet the segment's.
				for tx := max(0, floorDiv(min(x0, x1)-Buffer-1, Extent)); tx <= min(n-1, floorDiv(max(x0, x1)+Buffer, Extent)); tx++ {
				tiles:
					for ty := max(0, floorDiv(min(y0, y1)-Buffer-1, Extent)); ty <= min(n-1, floorDiv(max(y0, y1)+Buffer, Extent)); ty++ {
						key := tileKey(uint64(tx), uint64(ty))
						for _, o := range prev {
							if o.key == key {
								all[o.run].run.hi = i + 1
								cur = append(cur, o)
								continue tiles
							}
						}
						cur = append(cur, open{key, len(all)})
						all = append(all, tileRun{key, arcRun{int32(k), i, i + 1}})
					}
				}
				prev, cur = cur, prev
			}
		}
	}
	// By tile, then as made: by item, line and position (point indexes grow
	// as runs are made).
	slices.SortFunc(all, func(a, b tileRun) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.run.lo, b.run.lo)
	})
	ix.runs = make([]arcRun, len(all))

	for i, tr := range all {
		if i == 0 || tr.key != all[i-1].key {
			ix.runKeys = append(ix.runKeys, tr.key)
			ix.runOff = append(ix.runOff, int32(i))
		}
		ix.runs[i] = tr.run
	}
	ix.runOff = append(ix.runOff, int32(len(all)))
	if forAbove {
		clamp := func(v int64) int16 { return int16(max(math.MinInt16, min(math.MaxInt16, v))) }
		ix.rbox = make([][4]int16, len(all))
		for i, tr := range all {
			ox, oy := int64(tr.key>>32)*Extent, int64(uint32(tr.key))*Extent
			b := [4]int64{math.MaxInt64, math.MaxInt64, math.MinInt64, math.MinInt64}
			for k := tr.run.lo; k <= tr.run.hi; k++ {
				x, y := int64(ix.xy[2*k])-ox, int64(ix.xy[2*k+1])-oy
				b = [4]int64{min(b[0], x), min(b[1], y), max(b[2], x), max(b[3], y)}
			}
			ix.rbox[i] = [4]int16{clamp(b[0]), clamp(b[1]), clamp(b[2]), clamp(b[3])}
		}
		ix.circles = make([]greatCircle, len(ends))
		for k := lo; k < hi; k++ {
			ix.circles[k] = newGreatCircle(ends.at(k))
		}
	}
	return ix
}

// floorDiv is a/b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// arcTolerance is how far, in tile units, the chords drawn for an arc may
// stray from the projected great circle (an eighth of a pixel on a 512-pixel
// tile: invisible, and half the points of a one-unit tolerance).
const arcTolerance = 2

// worldArc appends to dst the great-circle arc from a to b in world units of
// a world ws units wide, with continuous x (it may leave [0, ws] when the arc
// crosses the antimeridian), dense enough that the chord of every segment
// stays within about arcTolerance units of the projected curve; it appends to ts the
// fraction of the arc at each point.
func worldArc(dst orb.LineString, ts []float32, a, b orb.Point, ws float64) (orb.LineString, []float32) {
	g := newGreatCircle(a, b)
	if g.d*atlas.EarthRadiusKm < 1e-6 {
		pa := g.world(0, a[0], ws)
		return append(dst, pa, pa), append(ts, 0, 1)
	}
	// Pre-sample every ≤ 10° of arc (2.5° when the great circle gets near a
	// pole, where longitudes turn fast), so that longitudes stay continuous,
	// then subdivide where the curve is not yet flat.
	step := 10.0
	nx := g.va[1]*g.vb[2] - g.va[2]*g.vb[1]
	ny := g.va[2]*g.vb[0] - g.va[0]*g.vb[2]
	nz := g.va[0]*g.vb[1] - g.va[1]*g.vb[0]
	if nn := math.Sqrt(nx*nx + ny*ny + nz*nz); nn == 0 || math.Abs(nz)/nn < math.Cos(75*math.Pi/180) {
		step = 2.5
	}
	n := max(2, int(math.Ceil(g.d*180/math.Pi/step)))
	s := subdivider{g: &g, ws: ws, tol2: arcTolerance * arcTolerance, dst: dst, ts: ts}
	prev := g.world(0, a[0], ws)
	s.dst, s.ts = append(s.dst, prev), append(s.ts, 0)
	t0 := 0.0
	teq, crosses := g.equator()
	for k := 1; k <= n; k++ {
		t1 := float64(k) / float64(n)
		if crosses && teq > t0 && teq < t1 {
			// The equator is a point of the line: no interval spans it.
			q := g.world(teq, lonOf(prev, ws), ws)
			s.run(t0, teq, prev, q, 0)
			prev, t0 = q, teq
		}
		q := g.world(t1, lonOf(prev, ws), ws)
		s.run(t0, t1, prev, q, 0)
		prev, t0 = q, t1
	}
	return s.dst, s.ts
}

// lonOf is the longitude of world x (not wrapped: beyond ±180 past the
// world's edges).
func lonOf(p orb.Point, ws float64) float64 { return p[0]/ws*360 - 180 }

// subdivider appends the points of a great-circle arc (world units) where
// its chords are more than sqrt(tol2) units from the curve. With clip set,
// it skips the sub-arcs that cannot reach the box: there it appends a break
// (a NaN point) instead.
type subdivider struct {
	g    *greatCircle
	ws   float64
	tol2 float64
	clip bool
	box  orb.Bound // world units
	dst  orb.LineString
	ts   []float32
}

// run appends the points of the arc after p0 (at t0) up to p1 (at t1).
func (s *subdivider) run(t0, t1 float64, p0, p1 orb.Point, depth int) {
	tm := (t0 + t1) / 2
	pm := s.g.world(tm, lonOf(p0, s.ws), s.ws)
	dx, dy := pm[0]-(p0[0]+p1[0])/2, pm[1]-(p0[1]+p1[1])/2
	d2 := dx*dx + dy*dy
	if s.clip {
		// The sub-arc stays within about its midpoint's deviation of the
		// triangle p0 pm p1: twice that (and a unit) is a safe margin.
		m := 2*math.Sqrt(d2) + 1
		if math.Max(p0[0], math.Max(pm[0], p1[0]))+m < s.box.Min[0] ||
			math.Min(p0[0], math.Min(pm[0], p1[0]))-m > s.box.Max[0] ||
			math.Max(p0[1], math.Max(pm[1], p1[1]))+m < s.box.Min[1] ||
			math.Min(p0[1], math.Min(pm[1], p1[1]))-m > s.box.Max[1] {
			s.dst = append(s.dst, orb.Point{math.NaN(), math.NaN()}, p1)
			return
		}
	}
	if depth >= 30 || d2 <= s.tol2 {
		s.dst = append(s.dst, p1)
		if !s.clip {
			s.ts = append(s.ts, float32(t1))
		}
		return
	}
	if d2 <= 16*s.tol2 {
		// A smooth curve's deviation drops fourfold with each halving: the
		// halves are flat enough.
		s.dst = append(s.dst, pm, p1)
		if !s.clip {
			s.ts = append(s.ts, float32(tm), float32(t1))
		}
		return
	}
	s.run(t0, tm, p0, pm, depth+1)
	s.run(tm, t1, pm, p1, depth+1)
}

// arcFineZoom is the zoom of the units of the points that the index of
// ArcIndexMaxZoom keeps for the tiles above it: up to it, a point of the
// index is placed in a tile within half a unit without computing it again.
const (
	arcFineZoom = 12
	fineScale   = 1 << (arcFineZoom - ArcIndexMaxZoom)
	noMid       = math.MinInt16
)

// drawArcsAbove draws the arcs of a tile above ArcIndexMaxZoom. The arcs
// that may cross it are found in the index of ArcIndexMaxZoom, whose points
// are within about a unit of the great circles at that zoom and carry their
// fraction of the arc; only the segments that reach the tile are refined,
// from the great circle itself, to the tile's resolution.
func (j *job) drawArcsAbove(p *arcPlan, ix *arcIndex) error {
	fr := &j.fr
	s := math1(fr.z - ArcIndexMaxZoom)
	// Buffered tile, in world units of the tile's zoom and of the index's.
	box := orb.Bound{Min: orb.Point{fr.ox - Buffer, fr.oy - Buffer}, Max: orb.Point{fr.ox + Extent + Buffer, fr.oy + Extent + Buffer}}
	const m = arcTolerance + 1 // index units: chord tolerance and rounding
	imin := [2]float64{box.Min[0]/s - m, box.Min[1]/s - m}
	imax := [2]float64{box.Max[0]/s + m, box.Max[1]/s + m}
	// The same in fine units; and the scale from fine units to the tile's.
	fmin := [2]float64{imin[0] * fineScale, imin[1] * fineScale}
	fmax := [2]float64{imax[0] * fineScale, imax[1] * fineScale}
	fs := s / fineScale
	d := uint(fr.z - ArcIndexMaxZoom)
	// The buffered tile (and margin) lies within its ancestor's buffered
	// tile at the index's zoom.
	ax, ay := j.t.X>>d, j.t.Y>>d
	runs, first := ix.tileRuns(ax, ay)
	// The box relative to the ancestor's origin, for the runs' bounds.
	aox, aoy := float64(ax)*Extent, float64(ay)*Extent
	rmin := [2]float64{imin[0] - aox, imin[1] - aoy}
	rmax := [2]float64{imax[0] - aox, imax[1] - aoy}
	sub := subdivider{ws: fr.ws, tol2: arcTolerance * arcTolerance, clip: true, box: box}
	for k, n := 0, 0; k < len(runs); n++ {
		if n%64 == 0 {
			if err := j.ctx.Err(); err != nil {
				return err
			}
		}
		item := runs[k].item
		sub.g = &ix.circles[item]
		j.enc.Begin()
		for ; k < len(runs) && runs[k].item == item; k++ {
			if b := &ix.rbox[first+int32(k)]; float64(b[2]) < rmin[0] || float64(b[0]) > rmax[0] || float64(b[3]) < rmin[1] || float64(b[1]) > rmax[1] {
				continue
			}
			line := j.arcBuf[:0]
			var prev orb.Point
			have := false
			for i := runs[k].lo; i < runs[k].hi; i++ {
				a, b := &ix.fine[i], &ix.fine[i+1]
				x0, y0 := float64(a.x), float64(a.y)
				x1, y1 := float64(b.x), float64(b.y)
				if max(x0, x1) < fmin[0] || min(x0, x1) > fmax[0] || max(y0, y1) < fmin[1] || min(y0, y1) > fmax[1] {
					if have {
						line = append(line, orb.Point{math.NaN(), math.NaN()})
						have = false
					}
					continue
				}
				t0, t1 := float64(a.t), float64(b.t)
				var q orb.Point
				if fr.z <= arcFineZoom {
					// Up to arcFineZoom, the index places its points, and the
					// first step of refining a chord is known.
					if !have {
						prev = orb.Point{x0 * fs, y0 * fs}
						line = append(line, prev)
						have = true
					}
					q = orb.Point{x1 * fs, y1 * fs}
					if mx, my := b.mx, b.my; mx != noMid {
						dx, dy := float64(mx)*fs, float64(my)*fs
						if d2 := dx*dx + dy*dy; d2 <= sub.tol2 {
							line = append(line, q)
							prev = q
							continue
						} else if d2 <= 16*sub.tol2 {
							// (As subdivider.run: the halves are flat enough.)
							line = append(line, orb.Point{(prev[0]+q[0])/2 + dx, (prev[1]+q[1])/2 + dy}, q)
							prev = q
							continue
						}
					}
				} else {
					if !have {
						prev = sub.g.world(t0, lonOf(orb.Point{x0 * fs, 0}, fr.ws), fr.ws)
						line = append(line, prev)
						have = true
					}
					q = sub.g.world(t1, lonOf(prev, fr.ws), fr.ws)
				}
				sub.dst = line
				sub.run(t0, t1, prev, q, 0)
				line = sub.dst
				prev = q
			}
			j.arcBuf = line
			j.clipWorldLine(line)
		}
		if len(j.enc.Geometry()) == 0 {
			continue
		}
		j.arcProps(p, ix.level, int(item))
		j.enc.End()
	}
	return nil
}

// drawArcIndex draws the arcs of a sliced index (see sliceArcIndex) that
// cross the tile.
func (j *job) drawArcIndex(p *arcPlan, ix *arcIndex) error {
	i, ok := slices.BinarySearch(ix.tileKeys, tileKey(uint64(j.t.X), uint64(j.t.Y)))
	if !ok {
		return nil
	}
	lo, hi := int(ix.tileOff[i]), int(ix.tileOff[i+1])
	if ix.level != levelIndividual {
		// A tile with a good share of the level's groups (counted by its
		// slices, about one a group) takes the level's dictionary whole.
		if lv := &p.agg.levels[ix.level-1]; j.r.wholeShare > 0 && (hi-lo)*j.r.wholeShare >= len(lv.groups) {
			j.enc.UseWhole(&lv.dict)
		}
	}
	for s, n := lo, 0; s < hi; n++ {
		if n%64 == 0 {
			if err := j.ctx.Err(); err != nil {
				return err
			}
		}
		item := ix.slices[s].item
		j.enc.Begin()
		for ; s < hi && ix.slices[s].item == item; s++ {
			sl := &ix.slices[s]
			j.enc.Cmds(int64(sl.x0), int64(sl.y0), int64(sl.ex), int64(sl.ey), ix.sliceCmds(s), mvt.GeomLineString)
		}
		j.arcProps(p, ix.level, int(item))
		j.enc.End()
	}
	return nil
}

// drawRun adds run r of ix to the current feature (tile origin ox, oy in
// world units) as one or more line parts: a stretch of points inside the
// buffered tile is a copy of its LineTo parameters, which is what clipping
// its segments would write; the other segments are clipped.
func (j *job) drawRun(ix *arcIndex, r arcRun, ox, oy int64) {
	const lo, hi = -Buffer, Extent + Buffer
	e, xy := &j.enc, ix.xy
	in := func(i int32) bool {
		x, y := int64(xy[2*i])-ox, int64(xy[2*i+1])-oy
		return x >= lo && x <= hi && y >= lo && y <= hi
	}
	for i := r.lo; i < r.hi; {
		if in(i) {
			k := i
			for k < r.hi && in(k+1) {
				k++
			}
			if k > i {
				if x0, y0 := int64(xy[2*i])-ox, int64(xy[2*i+1])-oy; !e.Open(x0, y0) {
					e.MoveTo(x0, y0)
				}
				e.LineRun(ix.params[ix.poff[i]:ix.poff[k]], uint32(k-i), int64(xy[2*k])-ox, int64(xy[2*k+1])-oy)
				if i = k; i == r.hi {
					break
				}
			}
		}
		j.clipSeg(int64(xy[2*i])-ox, int64(xy[2*i+1])-oy, int64(xy[2*i+2])-ox, int64(xy[2*i+3])-oy)
		i++
	}
	e.EndPart()
}

// arcProps writes the properties of item k of level l.
func (j *job) arcProps(p *arcPlan, l, k int) {
	e := &j.enc
	if l == levelIndividual {
		p.propsOnce.Do(func() {
			p.props = mvt.NewPropTable(len(p.ids), func(i int, sink mvt.Sink) {
				j.snap.VisitProperties(index.LayerPartnerships, p.ids[i], j.sel, sink)
			})
			p.propsBytes.Store(cache.SizeOf(p.props, shared))
		})
		e.DictTags(&p.props.Dict, p.props.Of(k))
		return
	}
	lv := &p.agg.levels[l-1]
	if e.UsesWhole(&lv.dict) {
		e.RawTags(lv.rawTags(k))
		return
	}
	e.DictTags(&lv.dict, lv.tags[groupTags*k:groupTags*(k+1)])
}

// clipWorldLine adds to the current feature the parts of the line (world
// units of the tile's zoom; a NaN point breaks it) inside the buffered tile.
func (j *job) clipWorldLine(line orb.LineString) {
	ox, oy := j.fr.ox, j.fr.oy
	for i := 0; i+1 < len(line); i++ {
		p, q := line[i], line[i+1]
		if math.IsNaN(p[0]) || math.IsNaN(q[0]) {
			j.enc.EndPart()
			continue
		}
		j.clipSeg(mvt.Round(p[0]-ox), mvt.Round(p[1]-oy), mvt.Round(q[0]-ox), mvt.Round(q[1]-oy))
	}
	j.enc.EndPart()
}

// clipSeg adds to the current feature the part of the segment p–q (tile
// units) inside the buffered tile, continuing the open line part when it
// ends at p.
func (j *job) clipSeg(px, py, qx, qy int64) {
	const lo, hi = -Buffer, Extent + Buffer
	e := &j.enc
	switch {
	case px >= lo && px <= hi && py >= lo && py <= hi && qx >= lo && qx <= hi && qy >= lo && qy <= hi:
		if !e.Open(px, py) {
			e.MoveTo(px, py)
		}
		e.LineTo(qx, qy)
		return
	case (px < lo && qx < lo) || (px > hi && qx > hi) || (py < lo && qy < lo) || (py > hi && qy > hi):
		e.EndPart()
		return
	}
	p, q := orb.Point{float64(px), float64(py)}, orb.Point{float64(qx), float64(qy)}
	a, b, ok := clipSegment(p, q, lo, hi)
	if !ok {
		e.EndPart()
		return
	}
	ax, ay, bx, by := mvt.Round(a[0]), mvt.Round(a[1]), mvt.Round(b[0]), mvt.Round(b[1])
	if !e.Open(ax, ay) {
		e.MoveTo(ax, ay)
	}
	e.LineTo(bx, by)
	if b != q {
		e.EndPart()
	}
}

// clipSegment clips p–q to the square [lo, hi]² (Liang–Barsky).
func clipSegment(p, q orb.Point, lo, hi float64) (orb.Point, orb.Point, bool) {
	dx, dy := q[0]-p[0], q[1]-p[1]
	t0, t1 := 0.0, 1.0
	for _, e := range [4][2]float64{{-dx, p[0] - lo}, {dx, hi - p[0]}, {-dy, p[1] - lo}, {dy, hi - p[1]}} {
		pp, qq := e[0], e[1]
		if pp == 0 {
			if qq < 0 {
				return p, q, false
			}
			continue
		}
		r := qq / pp
		if pp < 0 {
			if r > t1 {
				return p, q, false
			}
			t0 = max(t0, r)
		} else {
			if r < t0 {
				return p, q, false
			}
			t1 = min(t1, r)
		}
	}
	a, b := p, q
	if t0 > 0 {
		a = orb.Point{p[0] + t0*dx, p[1] + t0*dy}
	}
	if t1 < 1 {
		b = orb.Point{p[0] + t1*dx, p[1] + t1*dy}
	}
	return a, b, true
}
