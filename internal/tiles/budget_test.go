package tiles_test

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb/maptile"
)

// rss returns the resident set size of the process, from /proc/self/status.
func rss(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// Distinct filters by the thousand (2,000 here, 400 under the race
// detector) (one authority or partner each, and
// heavy ones: year ranges over every partnership, drawn at zoom 9, about 30
// MB of structures each) never take the caches past their budget: the
// budget's charge stays under its size after every tile, the live heap
// grows by less than the budget, and the resident size by less than the
// budget and 60 MB. Equivalent year ranges share one entry.
func TestMemoryBudgetHolds(t *testing.T) {
	snap := defaultSnapshot(t)
	const budget = 48 << 20
	b := cache.NewBudget(budget)
	live := index.NewLive(snap)
	live.UseBudget(b)
	r := tiles.NewRenderer(tiles.Options{CacheBytes: 8 << 20, Budget: b})
	ctx := context.Background()
	layers := []string{index.LayerPartnerships, index.LayerAuthorities, index.LayerPartners}
	render := func(tl maptile.Tile, f atlas.Filter) {
		t.Helper()
		if _, err := r.Render(ctx, snap, layers, tl, f); err != nil {
			t.Fatal(err)
		}
		if used := b.Used() - b.Pinned(); used > budget {
			t.Fatalf("after %v %s: %d bytes charged, budget %d", tl, f.Encode(), used, budget)
		}
	}
	// The unfiltered view is pinned: warm it first, then measure.
	render(maptile.New(259, 176, 9), atlas.Filter{})
	render(maptile.New(8, 5, 4), atlas.Filter{})
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0, rss0 := int64(ms.HeapInuse), rss(t)

	ds := snap.Dataset()
	n := 2000 // ATLAS_BUDGET_FILTERS=10000 for the long run
	if v, err := strconv.Atoi(os.Getenv("ATLAS_BUDGET_FILTERS")); err == nil && v > 0 {
		n = v
	} else if testing.Short() || raceEnabled {
		n = 400
	}
	for i := range n {
		var f atlas.Filter
		if k := i / 2; i%2 == 0 {
			f.Authorities = []string{ds.Authorities[k%len(ds.Authorities)].ID}
		} else {
			f.Partners = []string{ds.Partners[k%len(ds.Partners)].ID}
		}
		if i >= len(ds.Authorities)*2 {
			f.Kinds = []atlas.Kind{atlas.Kinds()[i%len(atlas.Kinds())]}
		}
		render(maptile.New(uint32(8+i%3), 5, 4), f)
	}
	heavy := 12
	if raceEnabled {
		heavy = 4
	}
	lo, hi := snap.YearRange()
	for i := range heavy {
		render(maptile.New(259, 176, 9), atlas.Filter{Since: lo + i, Until: hi})
	}
	// Years beyond the data's select the same: no new structures.
	before := b.Used()
	render(maptile.New(259, 176, 9), atlas.Filter{Since: lo + heavy - 1, Until: hi + 50})
	if b.Used() != before {
		t.Errorf("until=%d (past the data) built new structures: %d → %d bytes", hi+50, before, b.Used())
	}
	var evicted int64
	for _, s := range b.Stats() {
		evicted += s.Evictions
	}
	if evicted == 0 {
		t.Error("nothing was evicted: the test did not fill the budget")
	}
	// As before the filters: the pages of the garbage the builds left go
	// back, what stays resident is what the caches hold.
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	heap1, rss1 := int64(ms.HeapInuse), rss(t)
	t.Logf("%d filters: charged %d MB (%d MB pinned, outside the %d MB budget), heap %d → %d MB, RSS %d → %d MB, %d evictions",
		n+heavy, b.Used()>>20, b.Pinned()>>20, budget>>20, heap0>>20, heap1>>20, rss0>>20, rss1>>20, evicted)
	if heap1-heap0 > budget {
		// heap0 holds the pinned structures already.
		t.Errorf("the live heap grew by %d MB, more than the %d MB budget", (heap1-heap0)>>20, budget>>20)
	}
	if !raceEnabled && rss1-rss0 > budget+60<<20 {
		t.Errorf("the resident size grew by %d MB, more than the budget and 60 MB", (rss1-rss0)>>20)
	}
}
