package tiles

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb/maptile"
)

// A write publishes a new snapshot, whose tiles and tile structures (arc
// plans and levels, indexes, clusters, property tables) the first
// requests on it would make, each waiting for the ones it needs. Prepare
// makes them instead before the snapshot is published, while requests are
// still served from the current one: it renders again on the new snapshot
// the tiles that requests asked for more than once lately, the most asked
// first — which caches them, and builds what they are cut from — so that
// the requests after the swap find them ready. A prepared tile served from
// the cache counts as asked again (once per snapshot), so that what is
// asked stays prepared. The recent set is bounded and read only by
// Prepare.

const (
	// maxRecent bounds the tiles (layers, filter, z/x/y) remembered.
	maxRecent = 512
	// recentFor is how long one is remembered after its last request.
	recentFor = time.Minute
	// maxPrepared bounds the tiles one Prepare renders.
	maxPrepared = 96
)

// recentTile is one tile (layers, filter, z/x/y) asked of the renderer
// lately.
type recentTile struct {
	layers []string
	f      atlas.Filter
	t      maptile.Tile
	hits   int
	last   time.Time
}

type recentSet struct {
	mu sync.Mutex
	m  map[string]*recentTile
}

// note records a tile rendered (or a prepared one served from the cache)
// under key, its cache key without the snapshot's version.
func (s *recentSet) note(key string, layers []string, t maptile.Tile, f atlas.Filter) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*recentTile{}
	}
	if e, ok := s.m[key]; ok {
		e.hits++
		e.last = now
		return
	}
	if len(s.m) >= maxRecent {
		// Drop the least recently asked.
		var oldest string
		var at time.Time
		for k, e := range s.m {
			if oldest == "" || e.last.Before(at) {
				oldest, at = k, e.last
			}
		}
		delete(s.m, oldest)
	}
	s.m[key] = &recentTile{layers: slices.Clone(layers), f: f, t: t, hits: 1, last: now}
}

// hot returns the entries asked more than once within recentFor, the most
// asked first, at most maxPrepared.
func (s *recentSet) hot() []recentTile {
	cutoff := time.Now().Add(-recentFor)
	s.mu.Lock()
	var out []recentTile
	for k, e := range s.m {
		switch {
		case e.last.Before(cutoff):
			delete(s.m, k)
		case e.hits > 1:
			out = append(out, *e)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b recentTile) int {
		if a.hits != b.hits {
			return b.hits - a.hits
		}
		return int(a.t.Z) - int(b.t.Z)
	})
	if len(out) > maxPrepared {
		out = out[:maxPrepared]
	}
	return out
}

// Prepare renders on snap, a snapshot about to be published, the tiles
// requests asked for lately (see above), the most asked first, one at a
// time (in parallel, it slowed the published snapshot's requests more
// than it sped the next one's), until ctx is done or the budget is seven
// eighths full (what it bounds: the pinned structures of the unfiltered
// view are outside it), and returns how many tiles it rendered. The tiles and
// their structures are cached only when the budget keeps snap's
// (index.Live.Admit).
func (r *Renderer) Prepare(ctx context.Context, snap *index.Snapshot) int {
	n := 0
	for _, e := range r.recent.hot() {
		// Both snapshots' structures share the budget until the swap
		// (the arc indexes' lineage slots are one per filter): past
		// seven eighths of it, preparing more would evict what the
		// published snapshot's requests are using.
		if ctx.Err() != nil || r.budget.Used()-r.budget.Pinned() > r.budget.Max()/8*7 {
			break
		}
		tl, err := r.renderTile(ctx, snap, e.layers, e.t, e.f, false)
		if err != nil {
			continue
		}
		tl.Release()
		n++
	}
	return n
}
