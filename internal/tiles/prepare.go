package tiles

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb/maptile"
)

// A write publishes a new snapshot, whose tile structures (arc plans and
// levels, indexes, clusters, property tables) the first tiles asked of it
// would build, each request waiting for the ones it needs. Prepare builds
// them instead before the snapshot is published, while requests are still
// served from the current one: it renders again on the new snapshot one
// tile of each (layers, filter, zoom) that requests asked for more than
// once lately — what they would build, no more (warming every zoom of the
// unfiltered view built much that nobody asked for). The recent set is
// bounded and read only by Prepare.

const (
	// maxRecent bounds the (layers, filter, zoom) remembered.
	maxRecent = 512
	// recentFor is how long one is remembered after its last request.
	recentFor = time.Minute
	// maxPrepared bounds the tiles one Prepare renders.
	maxPrepared = 96
)

// recentTile is one (layers, filter, zoom) asked of the renderer lately,
// with the last tile asked.
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

// note records a tile rendered (not served from the cache).
func (s *recentSet) note(layers []string, t maptile.Tile, f atlas.Filter) {
	var b strings.Builder
	for _, l := range layers {
		b.WriteString(l)
		b.WriteByte(',')
	}
	b.WriteString(strconv.Itoa(int(t.Z)))
	b.WriteByte('?')
	b.WriteString(f.Encode())
	key := b.String()
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*recentTile{}
	}
	if e, ok := s.m[key]; ok {
		e.hits++
		e.last, e.t = now, t
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

// Prepare builds on snap, a snapshot about to be published, the tile
// structures of what requests asked for lately (see above), the most asked
// first, one tile at a time (in parallel, it slowed the published
// snapshot's requests more than it sped the next one's), until ctx is done
// or the budget is three quarters full, and returns how many tiles it
// rendered. Its structures are cached
// only when the budget keeps snap's (index.Live.Admit). The stop counts
// the pinned entries, outside the budget, and a warm budget is full: on a
// warm server Prepare renders one tile at most, most often none (README,
// Benchmarks, for what was measured of the alternatives).
func (r *Renderer) Prepare(ctx context.Context, snap *index.Snapshot) int {
	n := 0
	for _, e := range r.recent.hot() {
		// Both snapshots' structures share the budget until the swap:
		// past three quarters of it, preparing more would evict what the
		// published snapshot's requests are using.
		if ctx.Err() != nil || r.budget.Used() > r.budget.Max()/4*3 {
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
