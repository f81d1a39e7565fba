package tiles

import (
	"strconv"
	"sync"

	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/paulmach/orb"
)

// A write changes a few partnerships; the arcs of the snapshot it
// publishes are, but for those, the arcs of the one before. The arc
// indexes are therefore kept per filter, not per snapshot ("lineage"
// slots, durable in the budget): a snapshot's index is the slot's when its
// items have the same ends, and otherwise is derived from it — the items
// before and after the changed stretch taken from it, renumbered, and only
// the stretch's items made again (mergeArcIndex). The result is the index
// a build from nothing gives, byte for byte (TestArcIndexLineage), at a
// cost in proportion to what changed (a merge copies the index's arrays
// once). Geometry depends only on the items' ends, so a slot serves any
// snapshot and any filter whose items have them.

// lineagePrefix begins the keys of the lineage slots (see cache.Budget.Durable).
const lineagePrefix = "~arcs/"

// arcKind is what an index keeps: the runs drawn in their tiles (and the
// tiles above at ArcIndexMaxZoom), or only the runs for the tiles above.
type arcKind int8

const (
	kindIndex arcKind = iota
	kindRuns
)

// arcEnds are the ends of a plan level's items, in item order: French
// end, then partner end (longitude, latitude).
type arcEnds [][4]float64

func (e arcEnds) at(k int) (a, b orb.Point) {
	v := &e[k]
	return orb.Point{v[0], v[1]}, orb.Point{v[2], v[3]}
}

// ends returns the ends of level l's items, made once per plan.
func (p *arcPlan) endsAt(l int) arcEnds {
	p.endsOnce[l].Do(func() {
		n := p.items(l)
		e := make(arcEnds, n)
		for k := range n {
			a, b := p.ends(l, k)
			e[k] = [4]float64{a[0], a[1], b[0], b[1]}
		}
		p.endsOf[l] = e
		p.endsBytes.Add(int64(32 * n))
	})
	return p.endsOf[l]
}

// arcSlot is one lineage slot: the latest index of one filter, kind,
// level and zoom. Its lock makes concurrent requests build once.
type arcSlot struct {
	mu sync.Mutex
	ix *arcIndex
}

// resolveArcs returns p's index of kind at level and zoom z: the one the
// plan found before, the lineage slot's when it was made for the same
// ends, or one derived from the slot's (or built, when the slot is empty
// or the change is more than half of the items). A request on a snapshot
// that is no longer published gets its index but leaves the slot to the
// published one.
func (r *Renderer) resolveArcs(j *job, p *arcPlan, kind arcKind, level, z int) *arcIndex {
	held := &p.runs[level]
	if kind == kindIndex {
		held = &p.indexes[z][level]
	}
	if ix := held.Load(); ix != nil {
		return ix
	}
	ends := p.endsAt(level)
	key := lineagePrefix + j.f.Encode() + "/" + strconv.Itoa(int(kind)) + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(level)
	slot := r.arcIdx.Memo(key, j.pin, func() (any, int64) { return &arcSlot{}, 64 }, nil).(*arcSlot)
	slot.mu.Lock()
	ix := slot.ix
	if ix == nil || !sameEnds(ix.ends, ends) {
		ix = deriveArcIndex(ix, ends, kind, level, z)
		if r.budget.Keeps(j.fkey) {
			slot.ix = ix
			r.arcIdx.Recharge(key, 64+cache.SizeOf(ix, shared))
		}
	}
	slot.mu.Unlock()
	held.Store(ix)
	return ix
}

func sameEnds(a, b arcEnds) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// deriveArcIndex returns the index of ends at level and zoom z, derived
// from base (an index of the same kind, level and zoom made for other
// ends, or nil): the items before and after the stretch where the ends
// differ are base's, only the stretch's are made.
func deriveArcIndex(base *arcIndex, ends arcEnds, kind arcKind, level, z int) *arcIndex {
	if base == nil {
		ix := finishArcIndex(buildArcIndex(ends, 0, len(ends), level, z), kind, z)
		ix.ends = ends
		return ix
	}
	old := base.ends
	pre, suf := common(old, ends)
	if n := len(ends) - pre - suf; 2*n > len(ends) {
		return deriveArcIndex(nil, ends, kind, level, z)
	}
	delta := finishArcIndex(buildArcIndex(ends, pre, len(ends)-suf, level, z), kind, z)
	ix := mergeArcIndex(base, delta, itemMap{pre: pre, cut: len(old) - suf, shift: len(ends) - len(old)}, kind, z)
	ix.ends = ends
	if ix.circles != nil {
		// delta's circles are those of the stretch, at their place.
		copy(ix.circles[:pre], base.circles[:pre])
		copy(ix.circles[len(ends)-suf:], base.circles[len(old)-suf:])
	}
	return ix
}

// itemMap numbers a base index's items in the derived one: items before
// pre keep their number, items from cut on move by shift, the others are
// gone.
type itemMap struct{ pre, cut, shift int }

func (m itemMap) of(k int32) (int32, bool) {
	switch {
	case int(k) < m.pre:
		return k, true
	case int(k) >= m.cut:
		return k + int32(m.shift), true
	}
	return 0, false
}

// mergeArcIndex returns the index holding base's items that m keeps
// (renumbered) and delta's, in the order a build of all of them gives:
// tile by tile, by item, then as each index had them.
func mergeArcIndex(base, delta *arcIndex, m itemMap, kind arcKind, z int) *arcIndex {
	out := &arcIndex{level: base.level}
	if kind == kindIndex {
		mergeSlices(out, base, delta, m)
	}
	if kind == kindRuns || z == ArcIndexMaxZoom {
		mergeRuns(out, base, delta, m)
		out.circles = delta.circles // the stretch's; deriveArcIndex copies the rest
	}
	return out
}

// mergeSlices merges the slices drawn in their tiles (see sliceArcIndex).
func mergeSlices(out, base, delta *arcIndex, m itemMap) {
	out.slices = make([]arcSlice, 0, len(base.slices)+len(delta.slices))
	out.cmds = make([]byte, 0, len(base.cmds)+len(delta.cmds))
	out.tileKeys, out.tileOff = mergeTiles(
		tiled{base.tileKeys, base.tileOff, func(s int) int32 { return base.slices[s].item }},
		tiled{delta.tileKeys, delta.tileOff, func(s int) int32 { return delta.slices[s].item }},
		m, func(fromDelta bool, s int, item int32) {
			ix := base
			if fromDelta {
				ix = delta
			}
			sl := ix.slices[s]
			cmds := ix.sliceCmds(s)
			sl.item, sl.off = item, int32(len(out.cmds))
			out.slices = append(out.slices, sl)
			out.cmds = append(out.cmds, cmds...)
		}, func() int { return len(out.slices) })
	if len(out.cmds) == 0 {
		out.cmds = nil
	}
}

// mergeRuns merges the runs and their points for the tiles above
// ArcIndexMaxZoom (see packFine).
func mergeRuns(out, base, delta *arcIndex, m itemMap) {
	out.runs = make([]arcRun, 0, len(base.runs)+len(delta.runs))
	out.rbox = make([][4]int16, 0, len(base.runs)+len(delta.runs))
	out.fine = make([]finePoint, 0, len(base.fine)+len(delta.fine))
	out.runKeys, out.runOff = mergeTiles(
		tiled{base.runKeys, base.runOff, func(k int) int32 { return base.runs[k].item }},
		tiled{delta.runKeys, delta.runOff, func(k int) int32 { return delta.runs[k].item }},
		m, func(fromDelta bool, k int, item int32) {
			ix := base
			if fromDelta {
				ix = delta
			}
			r := ix.runs[k]
			lo := int32(len(out.fine))
			out.fine = append(out.fine, ix.fine[r.lo:r.hi+1]...)
			out.runs = append(out.runs, arcRun{item: item, lo: lo, hi: lo + r.hi - r.lo})
			out.rbox = append(out.rbox, ix.rbox[k])
		}, func() int { return len(out.runs) })
}

// tiled is one index's elements (slices or runs) grouped by tile: those
// of tile keys[i] are off[i]..off[i+1]−1, each of item(k), by item.
type tiled struct {
	keys []uint64
	off  []int32
	item func(k int) int32
}

// mergeTiles walks the tiles of base and delta in key order and, in each,
// their elements by item (base's numbered by m, those m drops skipped),
// calling add for each; n is the number of elements added so far. It
// returns the keys and offsets of the merged tiles, those left with no
// element omitted.
func mergeTiles(base, delta tiled, m itemMap, add func(fromDelta bool, k int, item int32), n func() int) (keys []uint64, off []int32) {
	i, d := 0, 0
	for i < len(base.keys) || d < len(delta.keys) {
		key, fromBase, fromDelta := nextKey(base.keys, delta.keys, i, d)
		first := n()
		var bs, be, ds, de int
		if fromBase {
			bs, be = int(base.off[i]), int(base.off[i+1])
			i++
		}
		if fromDelta {
			ds, de = int(delta.off[d]), int(delta.off[d+1])
			d++
		}
		for bs < be || ds < de {
			if bs < be {
				item, keep := m.of(base.item(bs))
				if !keep {
					bs++
					continue
				}
				if ds >= de || item < delta.item(ds) {
					add(false, bs, item)
					bs++
					continue
				}
			}
			add(true, ds, delta.item(ds))
			ds++
		}
		if n() > first {
			keys = append(keys, key)
			off = append(off, int32(first))
		}
	}
	return keys, append(off, int32(n()))
}

// nextKey returns the smaller of a[i] and b[j] (those that exist) and
// which of the two it is.
func nextKey(a, b []uint64, i, j int) (key uint64, inA, inB bool) {
	switch {
	case i >= len(a):
		return b[j], false, true
	case j >= len(b):
		return a[i], true, false
	case a[i] < b[j]:
		return a[i], true, false
	case b[j] < a[i]:
		return b[j], false, true
	}
	return a[i], true, true
}

// levelSlot is the lineage slot of a filter's arc levels: the levels of
// every zoom, decided for items with the ends held, and the bounds that
// certify them (see levelBounds). The decision depends only on the ends
// (the arcs' counts per tile), so a snapshot whose items of every level
// have the same ends (a write that changed years, themes or kinds, not
// places) takes the slot's levels as they are; one whose items differ by a
// few (a partnership added, moved or deleted) takes them when the bounds
// show that no tile's count can have crossed a budget; only otherwise are
// the levels decided again.
type levelSlot struct {
	mu     sync.Mutex
	ends   [levelRegion]arcEnds // of the levels tested (the région level is not)
	levels [MaxZoom + 1]int8
	bounds levelBounds
	ok     bool
}

// levelOf returns p's arc level at zoom z (see arcPlan.level), taking the
// lineage slot's levels when they stand for p's ends.
func (r *Renderer) levelOf(j *job, p *arcPlan, z int) int {
	p.mu.Lock()
	decided := p.decided
	p.mu.Unlock()
	if decided {
		return p.level(z)
	}
	key := lineagePrefix + j.f.Encode() + "/levels"
	slot := r.arcIdx.Memo(key, j.pin, func() (any, int64) { return &levelSlot{}, 64 }, nil).(*levelSlot)
	slot.mu.Lock()
	defer slot.mu.Unlock()
	var ends [levelRegion]arcEnds
	for l := range ends {
		ends[l] = p.endsAt(l)
	}
	levels, bounds, ok := slot.levels, slot.bounds, slot.ok
	if ok && len(p.ids) <= ArcBudget {
		// Too few arcs to group: every zoom draws them one by one.
		levels, bounds = [MaxZoom + 1]int8{}, levelBounds{}
	} else if ok {
		bounds, ok = bounds.after(&levels, &slot.ends, &ends)
	}
	if ok {
		p.mu.Lock()
		if !p.decided {
			p.levels, p.bounds, p.decided, p.inherited = levels, bounds, true, true
		}
		p.mu.Unlock()
	}
	lv := p.level(z)
	if r.budget.Keeps(j.fkey) {
		var n int64
		for l := range slot.ends {
			slot.ends[l] = ends[l]
			n += int64(32 * len(ends[l]))
		}
		p.mu.Lock()
		slot.levels, slot.bounds, slot.ok = p.levels, p.bounds, true
		p.mu.Unlock()
		r.arcIdx.Recharge(key, 64+n)
	}
	return lv
}
