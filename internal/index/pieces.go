package index

import (
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// PieceKm is the chord length of the arcs ArcPieces indexes: every piece is
// two chords of an arc densified every PieceKm, about 400 km of it.
const PieceKm = 200

// arcPieces is the R-tree of ArcPieces, made on first use.
type arcPieces struct {
	once sync.Once
	tree atomic.Pointer[rtree.RTreeG[int32]]
	// from, until the tree is made, is the snapshot this one derives
	// from, whose pieces are copied with only the changed arcs replaced;
	// depth counts the snapshots up that chain, bounded by maxPieceChain
	// so that snapshots nobody drew tiles of do not keep each other alive.
	from  *Snapshot
	depth int
}

// maxPieceChain bounds the chain of snapshots derived one from another
// whose pieces are not made yet.
const maxPieceChain = 8

// derivePieces makes s's pieces, once asked for, a copy of prev's.
func (s *Snapshot) derivePieces(prev *Snapshot) {
	if prev.pieces.tree.Load() != nil {
		s.pieces.from, s.pieces.depth = prev, 1
	} else if prev.pieces.depth > 0 && prev.pieces.depth < maxPieceChain {
		s.pieces.from, s.pieces.depth = prev, prev.pieces.depth+1
	}
}

// ArcPieces returns the R-tree of every partnership's arc cut in pieces of
// about 400 km (two chords of atlas.Arc(a, b, PieceKm) each, split at the
// antimeridian), by partnership: what the tiles count the arcs crossing a
// tile with. It is made on first use; a snapshot derived after a write of
// partnerships copies its predecessor's with only the changed arcs
// replaced. The tree is shared: callers must not modify it.
func (s *Snapshot) ArcPieces() *rtree.RTreeG[int32] {
	s.pieces.once.Do(func() {
		from := s.pieces.from
		s.pieces.from = nil // no longer kept alive by this one
		if from != nil && s.derivesArcsOf(from) {
			t := from.ArcPieces().Copy()
			auth, partners := s.ds.Authorities, s.ds.Partners
			n := len(from.ds.Partnerships)
			for i := range s.ds.Partnerships {
				i32 := int32(i)
				if i < n {
					if from.pAuth[i] == s.pAuth[i] && from.pPartner[i] == s.pPartner[i] {
						continue
					}
					EachPiece(auth[from.pAuth[i]].Point, partners[from.pPartner[i]].Point, func(b orb.Bound) { t.Delete(b.Min, b.Max, i32) })
				}
				EachPiece(auth[s.pAuth[i]].Point, partners[s.pPartner[i]].Point, func(b orb.Bound) { t.Insert(b.Min, b.Max, i32) })
			}
			s.pieces.tree.Store(t)
			return
		}
		t := &rtree.RTreeG[int32]{}
		for i := range s.ds.Partnerships {
			i32 := int32(i)
			EachPiece(s.ds.Authorities[s.pAuth[i]].Point, s.ds.Partners[s.pPartner[i]].Point, func(b orb.Bound) { t.Insert(b.Min, b.Max, i32) })
		}
		s.pieces.tree.Store(t)
	})
	return s.pieces.tree.Load()
}

// derivesArcsOf reports whether prev's partnerships are s's first ones, in
// the same order: then s's arc trees derive from prev's (deriveArcTree,
// ArcPieces).
func (s *Snapshot) derivesArcsOf(prev *Snapshot) bool {
	old, cur := prev.ds.Partnerships, s.ds.Partnerships
	if len(cur) < len(old) {
		return false
	}
	for i := range old {
		if old[i].ID != cur[i].ID {
			return false
		}
	}
	return true
}

// EachPiece calls fn with the bounds of every piece of the arc a→b, as
// ArcPieces indexes them (and the tiles index grouped arcs).
func EachPiece(a, b orb.Point, fn func(orb.Bound)) {
	for _, part := range atlas.Arc(a, b, PieceKm) {
		for lo := 0; lo+1 < len(part); lo += 2 {
			hi := min(lo+2, len(part)-1)
			fn(orb.LineString(part[lo : hi+1]).Bound())
		}
	}
}
