package tiles_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Prepare renders on a snapshot about to be published one tile of each
// (layers, filter, zoom) asked more than once lately, caching its
// structures only once the budget admits the snapshot; what it builds
// gives the tiles a fresh renderer makes.
func TestPrepare(t *testing.T) {
	base := defaultSnapshot(t)
	budget := cache.NewBudget(256 << 20)
	live := index.NewLive(base)
	live.UseBudget(budget)
	r := tiles.NewRenderer(tiles.Options{Budget: budget})
	ctx := context.Background()
	layers := allLayers()
	paris := maptile.At(orb.Point{2.35, 48.86}, 6)
	dakar := maptile.At(orb.Point{-17.44, 14.69}, 4)
	jp := atlas.Filter{Countries: []string{"JP"}}
	for _, c := range []struct {
		t maptile.Tile
		f atlas.Filter
		n int
	}{{paris, atlas.Filter{}, 3}, {dakar, jp, 2}, {maptile.At(orb.Point{2.35, 48.86}, 9), atlas.Filter{}, 1}} {
		for range c.n {
			tl, err := r.Render(ctx, base, layers, c.t, c.f)
			if err != nil {
				t.Fatal(err)
			}
			tl.Release()
		}
	}
	// The next snapshot: one partnership more.
	ds := *base.Dataset()
	p := ds.Partnerships[10]
	p.ID = "prepare-test"
	p.PartnerID = ds.Partnerships[2000].PartnerID
	ds.Partnerships = append(append([]atlas.Partnership(nil), ds.Partnerships...), p)
	next, err := index.Derive(base, &ds)
	if err != nil {
		t.Fatal(err)
	}
	before := budget.Used()
	if n := r.Prepare(ctx, next); n != 2 {
		t.Fatalf("prepared %d tiles, want 2 (those asked more than once)", n)
	}
	if grown := budget.Used() - before; grown != 0 {
		t.Errorf("a snapshot not admitted cached %d bytes", grown)
	}
	live.Admit(next)
	before = budget.Used()
	if n := r.Prepare(ctx, next); n != 2 {
		t.Fatalf("prepared %d tiles once admitted, want 2", n)
	}
	if budget.Used() <= before {
		t.Error("an admitted snapshot's structures were not cached")
	}
	live.Swap(next)
	for _, c := range []struct {
		t maptile.Tile
		f atlas.Filter
	}{{paris, atlas.Filter{}}, {dakar, jp}} {
		got, err := r.Render(ctx, next, layers, c.t, c.f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tiles.NewRenderer(tiles.Options{}).Render(ctx, next, layers, c.t, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want.Data) {
			t.Errorf("tile %v %v: the prepared structures give another tile than a fresh renderer", c.t, c.f)
		}
	}
	// A done context prepares nothing.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if n := r.Prepare(done, next); n != 0 {
		t.Errorf("prepared %d tiles with a done context", n)
	}
}
