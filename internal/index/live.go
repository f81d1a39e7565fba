package index

import "sync/atomic"

// Live publishes the current Snapshot. Readers call Current once per request
// and keep using that snapshot; Swap publishes a new one atomically. The zero
// Live holds no snapshot. Live is safe for concurrent use.
type Live struct {
	cur atomic.Pointer[Snapshot]
}

// NewLive returns a Live publishing s (which may be nil: not loaded yet).
func NewLive(s *Snapshot) *Live {
	l := &Live{}
	if s != nil {
		l.cur.Store(s)
	}
	return l
}

// Current returns the published snapshot, or nil before the first load.
func (l *Live) Current() *Snapshot { return l.cur.Load() }

// Swap publishes s and returns the previous snapshot.
func (l *Live) Swap(s *Snapshot) *Snapshot { return l.cur.Swap(s) }
