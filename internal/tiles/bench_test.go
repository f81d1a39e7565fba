package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// benchTiles are tiles over France (Paris at high zoom), the densest area.
var benchTiles = []maptile.Tile{
	maptile.New(0, 0, 0),
	maptile.At(orb.Point{2.35, 48.86}, 2),
	maptile.At(orb.Point{2.35, 48.86}, 5),
	maptile.At(orb.Point{2.35, 48.86}, 8),
	maptile.At(orb.Point{2.35, 48.86}, 12),
}

func benchRender(b *testing.B, snap *index.Snapshot, cacheBytes int64) {
	layers := allLayers()
	for _, tl := range benchTiles {
		b.Run(fmt.Sprintf("z%d", tl.Z), func(b *testing.B) {
			r := tiles.NewRenderer(tiles.Options{CacheBytes: cacheBytes})
			ctx := context.Background()
			// Warm the per-filter aggregates (and the cache when enabled).
			first, err := r.Render(ctx, snap, layers, tl, atlas.Filter{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.Render(ctx, snap, layers, tl, atlas.Filter{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(first.Data)), "bytes/tile")
		})
	}
}

// BenchmarkRender renders uncached tiles of every layer (the per-filter
// clusters and aggregates are built before the timer starts, as on a warm
// server).
func BenchmarkRender(b *testing.B) { benchRender(b, defaultSnapshot(b), 0) }

// BenchmarkRenderCached serves the same tiles from the rendered-tile cache.
func BenchmarkRenderCached(b *testing.B) { benchRender(b, defaultSnapshot(b), 64<<20) }

// BenchmarkRender100x is BenchmarkRender on the dataset of ATLAS_DATA_100.
func BenchmarkRender100x(b *testing.B) { benchRender(b, bigSnapshot(b), 0) }

// BenchmarkRenderMix renders uncached tiles of every layer over a z2–z12 mix
// around the ends of random partnerships (as the load benchmark does), on a
// warm renderer: the per-filter and per-zoom structures are built first.
func BenchmarkRenderMix(b *testing.B) {
	snap := defaultSnapshot(b)
	ds := snap.Dataset()
	rng := rand.New(rand.NewPCG(1, 1))
	mix := make([]maptile.Tile, 512)
	for i := range mix {
		a, pt := snap.PartnershipEnds(int32(rng.IntN(len(ds.Partnerships))))
		pos := ds.Authorities[a].Point
		if rng.IntN(2) == 0 {
			pos = ds.Partners[pt].Point
		}
		mix[i] = maptile.At(pos, maptile.Zoom(2+rng.IntN(11)))
	}
	r := tiles.NewRenderer(tiles.Options{})
	ctx := context.Background()
	layers := allLayers()
	for z := maptile.Zoom(2); z <= 12; z++ {
		if _, err := r.Render(ctx, snap, layers, maptile.At(orb.Point{2.35, 48.86}, z), atlas.Filter{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		tl, err := r.Render(ctx, snap, layers, mix[n%len(mix)], atlas.Filter{})
		if err != nil {
			b.Fatal(err)
		}
		tl.Release() // as the server does once the tile is written
		n++
	}
}

// BenchmarkWarm prepares the unfiltered view of a new snapshot: from
// nothing (start-up), and after a write (the snapshot derived from the one
// the renderer has warmed, as a database replica publishes it).
func BenchmarkWarm(b *testing.B) {
	base := defaultSnapshot(b)
	ctx := context.Background()
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			r := tiles.NewRenderer(tiles.Options{})
			if err := r.Warm(ctx, base); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A write that changes a year: no arc end moves.
	b.Run("after-write", func(b *testing.B) {
		benchWarmAfter(b, base, func(ds *atlas.Dataset, i int) {
			ds.Partnerships[0].StartYear = 1950 + i%50
		})
	})
	// A write that adds a partnership (a new arc): the arc indexes are
	// derived, the levels decided again.
	b.Run("after-append", func(b *testing.B) {
		n := len(base.Dataset().Partnerships)
		benchWarmAfter(b, base, func(ds *atlas.Dataset, i int) {
			p := ds.Partnerships[(i*7919)%n]
			p.ID = fmt.Sprintf("bench-%d", i)
			p.PartnerID = ds.Partnerships[(i*104729+17)%n].PartnerID
			ds.Partnerships = append(ds.Partnerships, p)
		})
	})
}

// benchWarmAfter warms a renderer on base, then times warming each
// snapshot derived from the one before it by edit (given a copy of its
// dataset with its own partnerships, and the iteration).
func benchWarmAfter(b *testing.B, base *index.Snapshot, edit func(ds *atlas.Dataset, i int)) {
	ctx := context.Background()
	r := tiles.NewRenderer(tiles.Options{})
	if err := r.Warm(ctx, base); err != nil {
		b.Fatal(err)
	}
	prev := base
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ds := *prev.Dataset()
		ds.Partnerships = append([]atlas.Partnership(nil), ds.Partnerships...)
		edit(&ds, i)
		next, err := index.Derive(prev, &ds)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := r.Warm(ctx, next); err != nil {
			b.Fatal(err)
		}
		prev = next
	}
}

// BenchmarkAfterWrite replays what a replica does under one write a second:
// a mix of 24 tiles (every third with a start-year filter, as the chaos run
// asks) served on a snapshot, then a partnership appended, the next snapshot
// prepared and the same tiles asked of it. It reports the prepare time per
// write and the slowest tile asked after the swap.
func BenchmarkAfterWrite(b *testing.B) {
	base := defaultSnapshot(b)
	ds0 := base.Dataset()
	rng := rand.New(rand.NewPCG(3, 1))
	type ask struct {
		t maptile.Tile
		f atlas.Filter
	}
	var mix []ask
	for i := range 24 {
		a, pt := base.PartnershipEnds(int32(rng.IntN(len(ds0.Partnerships))))
		pos := ds0.Authorities[a].Point
		if rng.IntN(2) == 0 {
			pos = ds0.Partners[pt].Point
		}
		var f atlas.Filter
		if i%3 == 0 {
			q, _ := urlParse(fmt.Sprintf("since=%d", 1950+i%70))
			var err error
			if f, err = atlas.ParseFilter(q, base); err != nil {
				b.Fatal(err)
			}
		}
		mix = append(mix, ask{maptile.At(pos, maptile.Zoom(2+rng.IntN(11))), f})
	}
	ctx := context.Background()
	layers := allLayers()
	budget := cache.NewBudget(tiles.DefaultBudget)
	r := tiles.NewRenderer(tiles.Options{CacheBytes: 64 << 20, Budget: budget})
	live := index.NewLive(base)
	live.UseBudget(budget)
	for range 2 {
		for _, a := range mix {
			if _, err := r.Render(ctx, base, layers, a.t, a.f); err != nil {
				b.Fatal(err)
			}
		}
	}
	n := len(ds0.Partnerships)
	prev := base
	var prep, worst, total time.Duration
	prepared := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ds := *prev.Dataset()
		ds.Partnerships = append([]atlas.Partnership(nil), ds.Partnerships...)
		p := ds.Partnerships[(i*7919)%n]
		p.ID = fmt.Sprintf("bench-%d", i)
		p.PartnerID = ds.Partnerships[(i*104729+17)%n].PartnerID
		ds.Partnerships = append(ds.Partnerships, p)
		next, err := index.Derive(prev, &ds)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		live.Admit(next)
		prepared += r.Prepare(ctx, next)
		live.Swap(next)
		prep += time.Since(t0)
		for _, a := range mix {
			t1 := time.Now()
			if _, err := r.Render(ctx, next, layers, a.t, a.f); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t1)
			total += d
			worst = max(worst, d)
		}
		prev = next
	}
	b.ReportMetric(float64(prep.Microseconds())/float64(b.N)/1000, "prepare-ms/write")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-tile-ms")
	b.ReportMetric(float64(prepared)/float64(b.N), "prepared/write")
	b.ReportMetric(float64(total.Microseconds())/float64(b.N*len(mix))/1000, "tile-ms")
}
