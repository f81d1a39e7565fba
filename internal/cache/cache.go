// Package cache owns the one memory budget that every cache growing with
// the variety of requests is charged to: rendered tiles, the per-filter tile
// structures (clusters, arc plans and indexes, property tables) and the
// selections of the index. Entries of all caches share one least-recently
// used order and are charged in bytes; when the sum passes the budget, the
// least recently used entry of any cache goes, so a burst of distinct
// filters evicts the structures of filters nobody asks for any more instead
// of growing the heap. A cache may also have its own cap inside the budget
// (the rendered tiles' --cache-size).
//
// Sizes are estimates of the bytes an entry holds (see SizeOf); they count
// what the entry owns, not what it shares with the snapshot it was built
// from.
package cache

import (
	"container/list"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Budget is a memory budget in bytes shared by several caches. Safe for
// concurrent use.
type Budget struct {
	mu     sync.Mutex
	max    int64
	used   int64
	pinned int64     // of used
	ll     list.List // of *entry, most recently used first
	caches []*stats
	// keep, when not empty, are the key prefixes of what may be cached
	// (see KeepOnly); durable are prefixes cached whatever keep says (see
	// Durable).
	keep    []string
	durable []string
}

// NewBudget returns a budget of size bytes (at least 1).
func NewBudget(size int64) *Budget {
	return &Budget{max: max(size, 1)}
}

// Max returns the budget's size in bytes.
func (b *Budget) Max() int64 { return b.max }

// Used returns the bytes charged to the budget now.
func (b *Budget) Used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Pinned returns the bytes of the entries that are never evicted (see
// Cache.Memo), part of Used but outside the budget: the budget bounds what
// the variety of requests adds, Used − Pinned.
func (b *Budget) Pinned() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pinned
}

// Stats is what one cache holds and has done since it was made.
type Stats struct {
	Name      string `json:"name"`
	Bytes     int64  `json:"bytes"`
	Entries   int64  `json:"entries"`
	Hits      int64  `json:"hits"`
	Misses    int64  `json:"misses"`
	Evictions int64  `json:"evictions"`
}

type stats struct {
	name                    string
	bytes, entries          int64 // under Budget.mu
	hits, misses, evictions atomic.Int64
	max                     int64     // the cache's own cap, 0 for none
	order                   list.List // of *entry, when max > 0
	items                   map[string]*entry
}

// Stats returns the statistics of every cache of the budget, in the order
// they were made.
func (b *Budget) Stats() []Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Stats, 0, len(b.caches))
	for _, c := range b.caches {
		out = append(out, Stats{Name: c.name, Bytes: c.bytes, Entries: c.entries,
			Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load()})
	}
	return out
}

// entry is one cached value. It sits in the budget's order (all caches)
// and, when its cache has its own cap, in the cache's order too.
type entry struct {
	key    string
	c      *stats
	size   int64
	in     bool          // in its cache (not evicted nor released)
	pinned bool          // never evicted: in neither order
	all    *list.Element // in Budget.ll
	own    *list.Element // in stats.order, when c.max > 0
	value  any

	once     sync.Once
	ready    atomic.Bool
	measured time.Time
	resize   func() int64 // re-measures a value that grows after it is built
}

// Cache is one named cache charged to a Budget, mapping keys to values of
// type V.
type Cache[V any] struct {
	b *Budget
	s *stats
}

// New returns a cache named name (for its statistics) charged to b. When
// max > 0 the cache also keeps its own entries under max bytes.
func New[V any](b *Budget, name string, max int64) *Cache[V] {
	s := &stats{name: name, max: max, items: map[string]*entry{}}
	b.mu.Lock()
	b.caches = append(b.caches, s)
	b.mu.Unlock()
	return &Cache[V]{b: b, s: s}
}

// Get returns the value of key, if it is cached and built.
func (c *Cache[V]) Get(key string) (V, bool) {
	var zero V
	c.b.mu.Lock()
	e, ok := c.s.items[key]
	if !ok || !e.ready.Load() {
		c.b.mu.Unlock()
		c.s.misses.Add(1)
		return zero, false
	}
	c.b.touch(e)
	c.b.mu.Unlock()
	c.s.hits.Add(1)
	return e.value.(V), true
}

// Put caches v under key, charged size bytes, unless key is there already
// or v alone is larger than the cache may hold.
func (c *Cache[V]) Put(key string, v V, size int64) {
	if size > c.b.max || (c.s.max > 0 && size > c.s.max) {
		return
	}
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	if _, ok := c.s.items[key]; ok || !c.b.keeps(key) {
		return
	}
	e := &entry{key: key, c: c.s, value: v}
	e.ready.Store(true)
	c.b.insert(e)
	c.b.charge(e, size)
}

// Memo returns the value of key, building it with build on first use;
// concurrent first uses build once. build returns the value and its size in
// bytes. When grow is not nil, the value grows after it is built (lazily
// made parts): grow re-measures it, at most once a second, on a hit. A
// pinned entry is charged but never evicted (what every request needs: the
// structures of the unfiltered view); only Release drops it.
func (c *Cache[V]) Memo(key string, pin bool, build func() (V, int64), grow func(V) int64) V {
	c.b.mu.Lock()
	if !c.b.keeps(key) {
		// A request still on a snapshot that is no longer published:
		// its value is its own, not cached.
		c.b.mu.Unlock()
		c.s.misses.Add(1)
		v, _ := build()
		return v
	}
	e, ok := c.s.items[key]
	if !ok {
		e = &entry{key: key, c: c.s, pinned: pin}
		c.b.insert(e)
	} else {
		c.b.touch(e)
	}
	c.b.mu.Unlock()
	if ok {
		c.s.hits.Add(1)
	} else {
		c.s.misses.Add(1)
	}
	e.once.Do(func() {
		v, size := build()
		e.value = v
		if grow != nil {
			e.resize = func() int64 { return grow(v) }
		}
		c.b.mu.Lock()
		e.measured = time.Now()
		e.ready.Store(true)
		if e.in { // not evicted while it was built
			c.b.charge(e, size)
		}
		c.b.mu.Unlock()
	})
	if ok && e.resize != nil {
		c.b.mu.Lock()
		due := e.in && time.Since(e.measured) >= time.Second
		if due {
			e.measured = time.Now()
		}
		c.b.mu.Unlock()
		if due {
			size := e.resize()
			c.b.mu.Lock()
			if e.in {
				c.b.charge(e, size)
			}
			c.b.mu.Unlock()
		}
	}
	return e.value.(V)
}

// Recharge sets the size of key's entry, once built, to size (for a value
// that its owner replaced or extended), evicting what the budget then
// cannot hold.
func (c *Cache[V]) Recharge(key string, size int64) {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	if e, ok := c.s.items[key]; ok && e.in && e.ready.Load() {
		c.b.charge(e, size)
	}
}

// Release drops every entry of every cache of b whose key starts with
// prefix (the structures of a snapshot that is no longer published), and
// returns the bytes it freed.
func (b *Budget) Release(prefix string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var freed int64
	for _, c := range b.caches {
		for k, e := range c.items {
			if strings.HasPrefix(k, prefix) {
				freed += e.size
				b.remove(e)
			}
		}
	}
	return freed
}

// KeepOnly makes b keep only the entries whose key starts with one of
// prefixes — the structures of the snapshot just published, when every key
// begins with its snapshot's prefixes — and returns the bytes it freed. It
// drops the other entries, pinned ones included, and values built later
// under other keys (by requests still on a previous snapshot, which may
// outlive its release) are returned to their caller but not cached, so
// that nothing of an unpublished snapshot stays. With no prefixes, every
// key may be cached again.
func (b *Budget) KeepOnly(prefixes ...string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keep = append([]string(nil), prefixes...)
	var freed int64
	for _, c := range b.caches {
		for k, e := range c.items {
			if !b.keeps(k) {
				freed += e.size
				b.remove(e)
			}
		}
	}
	return freed
}

// Durable makes the entries whose key starts with prefix survive KeepOnly:
// the structures that belong to no one snapshot (a filter's arcs, from
// which the next snapshot's are derived).
// They are charged and evicted like any other.
func (b *Budget) Durable(prefix string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.durable = append(b.durable, prefix)
}

// Keeps reports whether an entry of key may be cached now (see KeepOnly):
// for a key that begins with a snapshot's version, whether that snapshot
// is the published one.
func (b *Budget) Keeps(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.keeps(key)
}

// Under b.mu.

func (b *Budget) keeps(key string) bool {
	if len(b.keep) == 0 {
		return true
	}
	for _, p := range b.durable {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	for _, p := range b.keep {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (b *Budget) insert(e *entry) {
	e.in = true
	if !e.pinned {
		e.all = b.ll.PushFront(e)
		if e.c.max > 0 {
			e.own = e.c.order.PushFront(e)
		}
	}
	e.c.items[e.key] = e
	e.c.entries++
}

func (b *Budget) touch(e *entry) {
	if e.all != nil {
		b.ll.MoveToFront(e.all)
	}
	if e.own != nil {
		e.c.order.MoveToFront(e.own)
	}
}

// charge sets e's size and evicts, least recently used first, until the
// budget (what is not pinned) and e's cache hold again.
func (b *Budget) charge(e *entry, size int64) {
	d := size - e.size
	e.size = size
	b.used += d
	if e.pinned {
		b.pinned += d
	}
	e.c.bytes += d
	for e.c.max > 0 && e.c.bytes > e.c.max && e.c.order.Len() > 0 {
		victim := e.c.order.Back().Value.(*entry)
		b.evict(victim)
	}
	for b.used-b.pinned > b.max {
		victim := b.ll.Back()
		for victim != nil && !victim.Value.(*entry).ready.Load() {
			victim = victim.Prev() // being built: charged when built
		}
		if victim == nil {
			break // what is left is pinned or being built
		}
		b.evict(victim.Value.(*entry))
	}
}

func (b *Budget) evict(e *entry) {
	b.remove(e)
	e.c.evictions.Add(1)
}

func (b *Budget) remove(e *entry) {
	if !e.in {
		return
	}
	e.in = false
	if e.all != nil {
		b.ll.Remove(e.all)
		e.all = nil
	}
	if e.own != nil {
		e.c.order.Remove(e.own)
		e.own = nil
	}
	if e.c.items[e.key] == e {
		delete(e.c.items, e.key)
	}
	b.used -= e.size
	if e.pinned {
		b.pinned -= e.size
	}
	e.c.bytes -= e.size
	e.c.entries--
	e.size = 0
}
