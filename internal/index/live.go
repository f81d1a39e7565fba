package index

import (
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/cache"
)

// Live publishes the current Snapshot. Readers call Current once per request
// and keep using that snapshot; Swap publishes a new one atomically. The zero
// Live holds no snapshot. Live is safe for concurrent use.
type Live struct {
	cur atomic.Pointer[Snapshot]

	mu     sync.Mutex
	budget *cache.Budget
	sels   *cache.Cache[*Selection]
}

// NewLive returns a Live publishing s (which may be nil: not loaded yet).
func NewLive(s *Snapshot) *Live {
	l := &Live{}
	if s != nil {
		l.cur.Store(s)
	}
	return l
}

// UseBudget charges the selections of the snapshots l publishes to b, and
// makes Swap keep in b only what belongs to the snapshot it publishes: its
// selections, the tile structures keyed by its version and those keyed by
// its places' version (which a snapshot derived after a write shares with
// the previous one). Every key charged to b must begin with one of them
// (see cache.Budget.KeepOnly).
func (l *Live) UseBudget(b *cache.Budget) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget = b
	l.sels = cache.New[*Selection](b, "selections", 0)
	if s := l.cur.Load(); s != nil {
		s.sels.Store(l.sels)
		b.KeepOnly(s.selKey(), s.Version(), s.PlacesVersion())
	}
}

// Current returns the published snapshot, or nil before the first load.
func (l *Live) Current() *Snapshot { return l.cur.Load() }

// Admit lets the budget cache s's structures as well as the published
// snapshot's, so that they can be built before Swap publishes s (see
// tiles.Renderer.Prepare).
func (l *Live) Admit(s *Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.cur.Load()
	if s == nil || cur == nil || l.budget == nil {
		return
	}
	if l.sels != nil {
		s.sels.Store(l.sels)
	}
	l.budget.KeepOnly(cur.selKey(), cur.Version(), cur.PlacesVersion(), s.selKey(), s.Version(), s.PlacesVersion())
}

// Swap publishes s and returns the previous snapshot.
func (l *Live) Swap(s *Snapshot) *Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s != nil && l.sels != nil {
		s.sels.Store(l.sels)
	}
	prev := l.cur.Swap(s)
	if prev != s && l.budget != nil {
		// Requests still on prev keep what they hold; what they build
		// from now on is not cached, and new requests cannot reach prev's
		// entries any more.
		if s != nil {
			l.budget.KeepOnly(s.selKey(), s.Version(), s.PlacesVersion())
		} else if prev != nil {
			l.budget.Release(prev.selKey())
			l.budget.Release(prev.Version())
			l.budget.Release(prev.PlacesVersion())
		}
	}
	return prev
}
