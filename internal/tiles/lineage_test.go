package tiles_test

import (
	"bytes"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestTilesAfterWrite renders the snapshot a write publishes (one
// partnership added, one moved to another partner) with a renderer that
// has drawn the snapshot before it, whose arc indexes the new ones derive
// from, and with a new renderer: every tile is the same, byte for byte, at
// every zoom and for a filtered view too; and the added arc is drawn.
func TestTilesAfterWrite(t *testing.T) {
	base := defaultSnapshot(t)
	budget := cache.NewBudget(512 << 20)
	live := index.NewLive(base)
	live.UseBudget(budget)
	warm := tiles.NewRenderer(tiles.Options{Budget: budget})
	filters := []atlas.Filter{{}, {Since: 2000}, {Countries: []string{"JP"}}}
	var lyonID, fujiID string
	var lyon, fuji orb.Point
	for _, a := range base.Dataset().Authorities {
		if a.Name == "Lyon" && a.Type == atlas.Commune {
			lyonID, lyon = a.ID, a.Point
		}
	}
	for _, p := range base.Dataset().Partners {
		if p.Name == "Fujinomiya" {
			fujiID, fuji = p.ID, p.Point
		}
	}
	if lyonID == "" || fujiID == "" {
		t.Fatalf("no Lyon (%q) or Fujinomiya (%q) in the data", lyonID, fujiID)
	}
	// Over Lyon, where the added arc starts, over Fujinomiya, where it
	// ends, and over France.
	var sample []maptile.Tile
	for z := maptile.Zoom(0); z <= 12; z++ {
		if raceEnabled && z%4 != 0 {
			continue // ten times slower: zooms 0, 4, 8 and 12
		}
		sample = append(sample, maptile.At(lyon, z), maptile.At(fuji, z), maptile.At(orb.Point{2.35, 46.6}, z))
	}
	for _, f := range filters {
		for _, tl := range sample {
			render(t, warm, base, []string{index.LayerPartnerships}, tl, f)
		}
	}

	ds := *base.Dataset()
	ds.Partnerships = append([]atlas.Partnership(nil), ds.Partnerships...)
	ds.Partnerships = append(ds.Partnerships, atlas.Partnership{ID: "test-lyon-fujinomiya", AuthorityID: lyonID, PartnerID: fujiID,
		Kind: atlas.Cooperation, StartYear: 2021, Active: true, Provenance: atlas.Synthetic})
	mid := len(ds.Partnerships) / 2
	ds.Partnerships[mid].PartnerID = fujiID
	next, err := index.Derive(base, &ds)
	if err != nil {
		t.Fatal(err)
	}
	live.Swap(next)
	same := func(snap *index.Snapshot) {
		t.Helper()
		cold := tiles.NewRenderer(tiles.Options{})
		for _, f := range filters {
			for _, tl := range sample {
				got := render(t, warm, snap, []string{index.LayerPartnerships}, tl, f)
				want := render(t, cold, snap, []string{index.LayerPartnerships}, tl, f)
				if got.Empty != want.Empty || !bytes.Equal(got.Data, want.Data) {
					t.Fatalf("filter %q, tile %v: %d bytes after the write, %d from a new renderer", f.Encode(), tl, len(got.Data), len(want.Data))
				}
			}
		}
	}
	same(next)
	// A write that changes no place (a year, a kind): the levels and the
	// arc indexes are the previous snapshot's, the properties new.
	ds2 := *next.Dataset()
	ds2.Partnerships = append([]atlas.Partnership(nil), ds2.Partnerships...)
	for i := range ds2.Partnerships {
		if ds2.Partnerships[i].PartnerID == fujiID {
			ds2.Partnerships[i].StartYear, ds2.Partnerships[i].Kind = 2022, atlas.Jumelage
		}
	}
	after, err := index.Derive(next, &ds2)
	if err != nil {
		t.Fatal(err)
	}
	live.Swap(after)
	same(after)
	next = after
	found := false
	// The whole atlas draws grouped arcs at every zoom (its densest
	// tiles are over the budget); Japan's alone are drawn one by one.
	tl := render(t, warm, next, []string{index.LayerPartnerships}, maptile.At(fuji, 12), filters[2])
	for _, f := range decode(t, tl)[index.LayerPartnerships].Features {
		if f.Properties["id"] == "test-lyon-fujinomiya" {
			found = true
		}
	}
	if !found {
		t.Fatal("the added partnership is not in Fujinomiya's z12 tile")
	}
}
