package tiles

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestLevelsAfterWrites follows a chain of writes (partnerships added,
// deleted, moved to another partner, then a burst of arcs from one town)
// with a renderer whose lineage slot holds the levels decided before each:
// at every step and zoom, the levels it draws are those a new renderer
// decides, for the whole atlas and a filtered view; a single write takes
// them from the slot (its bounds show no tile can have crossed a budget)
// and the burst, which moves some zoom to another level, decides them again.
func TestLevelsAfterWrites(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	filters := []atlas.Filter{{}, {Since: 2000}}
	if underRace {
		filters = filters[1:] // ten times slower: the filtered view, whose levels move most
	}
	rng := rand.New(rand.NewPCG(5, 8))
	ds0 := snap.Dataset()
	n0 := len(ds0.Partnerships)
	add := func(ds *atlas.Dataset, id, authority string) {
		p := ds.Partnerships[rng.IntN(n0)]
		p.ID, p.PartnerID, p.StartYear = id, ds.Partnerships[rng.IntN(n0)].PartnerID, 2010
		if authority != "" {
			p.AuthorityID = authority
		}
		ds.Partnerships = append(ds.Partnerships, p)
	}
	paris := ""
	for _, a := range ds0.Authorities {
		if a.Name == "Paris" {
			paris = a.ID
		}
	}
	if paris == "" {
		t.Fatal("no Paris in the data")
	}
	type step struct {
		name   string
		edit   func(ds *atlas.Dataset)
		single bool
	}
	steps := []step{
		{"append", func(ds *atlas.Dataset) { add(ds, "t-1", "") }, true},
		{"append again", func(ds *atlas.Dataset) { add(ds, "t-2", "") }, true},
		{"delete", func(ds *atlas.Dataset) {
			gone := ds.Partnerships[n0/2].ID
			ds.Partnerships = slices.Delete(ds.Partnerships, n0/2, n0/2+1)
			ds.Projects = slices.DeleteFunc(slices.Clone(ds.Projects), func(p atlas.Project) bool { return p.PartnershipID == gone })
		}, true},
		{"move", func(ds *atlas.Dataset) { ds.Partnerships[n0/3].PartnerID = ds.Partnerships[n0/5].PartnerID }, true},
		{"burst", func(ds *atlas.Dataset) {
			for i := range 1500 {
				add(ds, fmt.Sprintf("t-burst-%d", i), paris)
			}
		}, false},
		{"append after the burst", func(ds *atlas.Dataset) { add(ds, "t-3", "") }, true},
	}
	decide := func(s *index.Snapshot, f atlas.Filter, fresh bool) (*arcPlan, [MaxZoom + 1]int8) {
		rr := r
		if fresh {
			rr = NewRenderer(Options{})
		}
		j := testJob(rr, s, f)
		p := rr.arcPlan(j)
		var lv [MaxZoom + 1]int8
		for z := range lv {
			lv[z] = int8(rr.levelOf(j, p, z))
		}
		return p, lv
	}
	for _, f := range filters {
		decide(snap, f, false)
	}
	moved := false
	for _, st := range steps {
		ds := *snap.Dataset()
		ds.Partnerships = slices.Clone(ds.Partnerships)
		st.edit(&ds)
		next, err := index.Derive(snap, &ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filters {
			_, before := decide(snap, f, true)
			p, got := decide(next, f, false)
			_, want := decide(next, f, true)
			if got != want {
				t.Fatalf("%s, filter %q: levels %v after the write, a new renderer decides %v", st.name, f.Encode(), got, want)
			}
			if st.single && !p.inherited {
				t.Errorf("%s, filter %q: a single write decided the levels again (%v)", st.name, f.Encode(), got)
			}
			if !st.single {
				if p.inherited {
					t.Errorf("%s, filter %q: levels %v taken from before the burst", st.name, f.Encode(), got)
				}
				moved = moved || before != want
			}
		}
		snap = next
	}
	if !moved {
		t.Fatal("the burst moved no zoom to another level: the test does not test a change")
	}
}

// TestLevelBounds checks the certificate at its edges: a level over the
// budget by one stands when the removed arc does not cross its witness
// tile and falls when it does; a level within the budget by one stands
// with one arc added and falls with two.
func TestLevelBounds(t *testing.T) {
	paris, lyon, tokyo, santiago := orb.Point{2.35, 48.86}, orb.Point{4.83, 45.76}, orb.Point{139.7, 35.7}, orb.Point{-70.6, -33.4}
	var levels [MaxZoom + 1]int8
	b := levelBounds{tested: true}
	for z := range levels {
		if z < 6 {
			continue // arcs one by one, few of them (a z0 tile would hold every arc)
		}
		levels[z] = levelAuthority // individual arcs over the budget, authority groups within
		b.n[z][levelIndividual], b.at[z][levelIndividual] = int32(ArcBudget)+1, maptile.At(paris, maptile.Zoom(z))
		b.n[z][levelAuthority] = int32(AggregateBudget) - 1
	}
	arc := func(a, c orb.Point) [4]float64 { return [4]float64{a[0], a[1], c[0], c[1]} }
	base := [levelRegion]arcEnds{{arc(paris, tokyo), arc(tokyo, santiago), arc(lyon, tokyo)}, {arc(paris, tokyo)}}
	cases := []struct {
		name  string
		edit  func(e *[levelRegion]arcEnds)
		stand bool
	}{
		{"nothing", func(e *[levelRegion]arcEnds) {}, true},
		{"an arc far from the witness removed", func(e *[levelRegion]arcEnds) { e[0] = slices.Delete(slices.Clone(e[0]), 1, 2) }, true},
		{"an arc from the witness removed", func(e *[levelRegion]arcEnds) { e[0] = e[0][1:] }, false},
		{"an arc from the witness moved there again", func(e *[levelRegion]arcEnds) {
			e[0] = slices.Clone(e[0])
			e[0][0] = arc(paris, santiago)
		}, true},
		{"a group added", func(e *[levelRegion]arcEnds) { e[1] = append(slices.Clone(e[1]), arc(lyon, santiago)) }, true},
		{"two groups added", func(e *[levelRegion]arcEnds) {
			e[1] = append(slices.Clone(e[1]), arc(lyon, santiago), arc(lyon, tokyo))
		}, false},
	}
	for _, c := range cases {
		cur := base
		c.edit(&cur)
		if _, ok := b.after(&levels, &base, &cur); ok != c.stand {
			t.Errorf("%s: stands %v, want %v", c.name, ok, c.stand)
		}
	}
	if _, ok := (levelBounds{}).after(&levels, &base, &base); ok {
		t.Error("a decision that tested nothing stands")
	}

	// Arcs one by one at every zoom, a tile over Paris at the budget.
	one := levelBounds{tested: true}
	for z := 6; z <= MaxZoom; z++ {
		one.near[z][levelIndividual].add(maptile.At(paris, maptile.Zoom(z)), int32(ArcBudget))
	}
	var individual [MaxZoom + 1]int8
	far, near := base, base
	far[0] = append(slices.Clone(base[0]), arc(tokyo, santiago))
	near[0] = append(slices.Clone(base[0]), arc(paris, santiago))
	if _, ok := one.after(&individual, &base, &far); !ok {
		t.Error("an arc far from the crowded tile added: the decision falls")
	}
	if _, ok := one.after(&individual, &base, &near); ok {
		t.Error("an arc from the crowded tile at its budget added: the decision stands")
	}
}
