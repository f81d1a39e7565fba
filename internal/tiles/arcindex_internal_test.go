package tiles

import (
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/index"
)

func internalSnapshot(t *testing.T) *index.Snapshot {
	t.Helper()
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestDictTagsMatchValues checks that a feature written from dictionary ids
// gets the tile's keys, values and tags it would get from its values.
func TestDictTagsMatchValues(t *testing.T) {
	snap := internalSnapshot(t)
	agg := buildAggregates(snap, snap.Select(atlas.Filter{}), atlas.Filter{})
	ds := snap.Dataset()
	for l, lv := range agg.levels {
		var fast, slow layerEncoder
		fast.reset("partnerships")
		slow.reset("partnerships")
		for k, g := range lv.groups {
			if k%3 != 0 {
				continue
			}
			fast.begin()
			fast.dictTags(&lv.dict, lv.tags[groupTags*k:groupTags*(k+1)])
			slow.begin()
			slow.bool("cluster", true)
			slow.int("count", int64(g.n))
			slow.str("country", ds.Countries[g.country].ISO2)
			slow.str("country_name", ds.Countries[g.country].NameFR)
			slow.str("level", aggLevelNames[l])
			slow.str("key", g.key)
			slow.str("name", g.name)
			if !slices.Equal(fast.tags, slow.tags) {
				t.Fatalf("level %d group %d: tags %v, want %v", l, k, fast.tags, slow.tags)
			}
		}
		if !slices.Equal(fast.keys, slow.keys) || !slices.Equal(fast.vals, slow.vals) {
			t.Fatalf("level %d: dictionaries differ: %d/%d values", l, len(fast.vals), len(slow.vals))
		}
		if len(slow.vals) < 100 {
			t.Errorf("level %d: only %d values compared", l, len(slow.vals))
		}
	}
}
