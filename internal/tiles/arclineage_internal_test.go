package tiles

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// TestArcIndexLineage checks that an arc index derived from another one
// (made for other ends) is the index a build from nothing gives, field by
// field, for every kind of change a write makes: an arc added at the end
// (a new partnership) or in the middle (a new group at an aggregated
// level), one removed, one moved, several at once, and a change so large
// that the index is built again.
func TestArcIndexLineage(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	q := atlas.Filter{}
	j := testJob(r, snap, q)
	p := r.arcPlan(j)
	rng := rand.New(rand.NewPCG(1, 2))
	zooms := []int{2, 6, ArcIndexMaxZoom}
	if testing.Short() || underRace {
		// The merge runs on one goroutine: under the race detector (ten
		// times slower) one small and the largest zoom are enough.
		zooms = []int{2, ArcIndexMaxZoom}
	}
	for level := levelIndividual; level <= levelRegion; level++ {
		base := p.endsAt(level)
		n := len(base)
		if n < 10 {
			t.Fatalf("level %d: %d items", level, n)
		}
		// A new arc between ends the data has: a French end of one item
		// and the partner end of another.
		fresh := func() [4]float64 {
			a, b := base[rng.IntN(n)], base[rng.IntN(n)]
			return [4]float64{a[0], a[1], b[2], b[3]}
		}
		changes := map[string]arcEnds{
			"same":     slices.Clone(base),
			"append":   append(slices.Clone(base), fresh()),
			"insert":   slices.Insert(slices.Clone(base), n/3, fresh()),
			"delete":   slices.Delete(slices.Clone(base), n/2, n/2+1),
			"move":     slices.Clone(base),
			"several":  slices.Clone(base),
			"first":    slices.Insert(slices.Clone(base), 0, fresh()),
			"rebuild":  slices.Clone(base[n/4:]),
			"emptied":  arcEnds{},
			"reversed": slices.Clone(base),
		}
		changes["move"][n/2] = fresh()
		for _, k := range []int{n / 5, n / 4, n / 3} {
			changes["several"][k] = fresh()
		}
		slices.Reverse(changes["reversed"])
		for _, z := range zooms {
			kinds := []arcKind{kindIndex}
			if z == ArcIndexMaxZoom {
				kinds = append(kinds, kindRuns)
			}
			for _, kind := range kinds {
				old := deriveArcIndex(nil, base, kind, level, z)
				for name, ends := range changes {
					if z == ArcIndexMaxZoom && name != "append" && name != "move" && name != "insert" && name != "several" ||
						underRace && z == ArcIndexMaxZoom && level == levelIndividual && name != "append" {
						continue // the largest index: the changes a write makes
					}
					t.Run(fmt.Sprintf("level%d/z%d/kind%d/%s", level, z, kind, name), func(t *testing.T) {
						got := deriveArcIndex(old, ends, kind, level, z)
						want := deriveArcIndex(nil, ends, kind, level, z)
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("derived index differs from a build: %d/%d slices, %d/%d runs, %d/%d tiles",
								len(got.slices), len(want.slices), len(got.runs), len(want.runs), len(got.tileKeys), len(want.tileKeys))
						}
					})
				}
			}
		}
	}
}
