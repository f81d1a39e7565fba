package index_test

import (
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb"
)

// The pieces of a snapshot derived after writes (an arc moved, one added)
// are those a snapshot made from scratch of the same data has.
func TestArcPiecesDerived(t *testing.T) {
	base := testkit.Snapshot(t)
	base.ArcPieces()
	ds := *base.Dataset()
	ds.Partnerships = slices.Clone(ds.Partnerships)
	ds.Partnerships[0].PartnerID = ds.Partners[len(ds.Partners)-1].ID // the arc moves
	mid, err := index.Derive(base, &ds)
	if err != nil {
		t.Fatal(err)
	}
	ds2 := ds
	ds2.Partnerships = append(slices.Clone(ds.Partnerships), atlas.Partnership{ID: "NEW-1", AuthorityID: ds.Authorities[0].ID,
		PartnerID: ds.Partners[0].ID, Kind: atlas.Jumelage, Active: true, Provenance: atlas.Real})
	derived, err := index.Derive(mid, &ds2) // mid's pieces never made: derived through it
	if err != nil {
		t.Fatal(err)
	}
	scratch, err := index.New(&ds2)
	if err != nil {
		t.Fatal(err)
	}
	if derived.Version() != scratch.Version() {
		t.Fatal("derived and scratch snapshots differ")
	}
	for _, b := range []orb.Bound{
		{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},
		{Min: orb.Point{-5, 41}, Max: orb.Point{10, 52}},
		{Min: orb.Point{130, 30}, Max: orb.Point{146, 46}},
		{Min: orb.Point{-20, 5}, Max: orb.Point{5, 20}},
	} {
		got, want := pieceHits(derived, b), pieceHits(scratch, b)
		if !slices.Equal(got, want) {
			t.Fatalf("%v: derived pieces give %d hits, scratch %d", b, len(got), len(want))
		}
	}
	if n := len(pieceHits(derived, orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}})); n <= len(ds2.Partnerships) {
		t.Fatalf("%d pieces for %d arcs", n, len(ds2.Partnerships))
	}
}

func pieceHits(s *index.Snapshot, b orb.Bound) []int32 {
	var out []int32
	s.ArcPieces().Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
		out = append(out, i)
		return true
	})
	slices.Sort(out)
	return out
}
