// Package money is the money side of the atlas as a snapshot holds it: the
// aide publique au développement (APD) the collectivités declare, summed and
// counted by year, beneficiary country, DAC sector, territory, type,
// authority or channel with French labels; the APD received per country and
// given per authority for the map's layers; the ministry's calls for
// projects with their counts, laureates and applications. Public figures
// count the declared lines only (declared or amended, never drafts). It
// knows nothing of HTTP: what is expensive is computed once per snapshot
// (a snapshot is immutable) and kept in a bounded memo (Books).
package money

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Books keeps the ledger of the most recent snapshots asked for. It is
// safe for concurrent use.
type Books struct {
	mu     sync.Mutex
	recent [2]*book // the latest first
}

// book is the ledger of one snapshot, built once, outside the Books' lock:
// requests on the published snapshot do not wait for the next one's.
type book struct {
	snap  *index.Snapshot
	once  sync.Once
	l     *Ledger
	built atomic.Bool
}

// NewBooks returns empty books.
func NewBooks() *Books { return &Books{} }

// For returns the ledger of snap, made on first use. The ledgers of the two
// latest snapshots are kept: a request still on the previous snapshot while
// a new one is published does not rebuild it.
func (b *Books) For(snap *index.Snapshot) *Ledger {
	b.mu.Lock()
	var k *book
	for _, x := range b.recent {
		if x != nil && x.snap == snap {
			k = x
		}
	}
	if k == nil {
		k = &book{snap: snap}
		b.recent[1], b.recent[0] = b.recent[0], k
	}
	b.mu.Unlock()
	k.once.Do(func() {
		k.l = NewLedger(snap)
		k.built.Store(true)
	})
	return k.l
}

// Holds reports whether the ledger of snap is built and kept.
func (b *Books) Holds(snap *index.Snapshot) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, x := range b.recent {
		if x != nil && x.snap == snap {
			return x.built.Load()
		}
	}
	return false
}

// line is one declared APD line with what its groupings and filters read.
type line struct {
	amount    int64
	year      int
	auth      int32 // index in Dataset.Authorities
	country   string
	sector    string
	channel   atlas.Channel
	refugees  bool
	synthetic bool
	prov      atlas.Provenance
}

// Ledger is the money side of one snapshot: its declared APD lines (by
// authority in load order, then year), sectors and calls, with a bounded
// memo of the tables asked for. Build it with NewLedger (or Books.For).
type Ledger struct {
	snap       *index.Snapshot
	lines      []line
	sectors    map[string]atlas.Sector
	categories map[string]atlas.Sector // by category: the first sector of it
	memo       *memo
	calls      func() *callIndex
}

// NewLedger indexes the money side of snap: for each authority and year,
// the declaration with the highest version that is not a draft; its lines
// are the public figures. Lines of an authority the snapshot does not know
// are left out.
func NewLedger(snap *index.Snapshot) *Ledger {
	ds := snap.Dataset()
	l := &Ledger{snap: snap, sectors: make(map[string]atlas.Sector, len(ds.Sectors)),
		categories: map[string]atlas.Sector{}, memo: newMemo(memoEntries)}
	for _, s := range ds.Sectors {
		l.sectors[s.Code] = s
		if _, ok := l.categories[s.Category]; !ok {
			l.categories[s.Category] = s
		}
	}
	type key struct {
		auth int32
		year int
	}
	best := map[key]int{}
	for k, d := range ds.APD {
		if d.Status != atlas.APDDeclared && d.Status != atlas.APDAmended {
			continue
		}
		a, err := snap.Lookup(index.LayerAuthorities, d.AuthorityID)
		if err != nil {
			continue
		}
		kk := key{a, d.Year}
		if prev, ok := best[kk]; !ok || ds.APD[prev].Version < d.Version {
			best[kk] = k
		}
	}
	keys := make([]key, 0, len(best))
	for kk := range best {
		keys = append(keys, kk)
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.auth, b.auth), cmp.Compare(a.year, b.year)) })
	n := 0
	for _, k := range best {
		n += len(ds.APD[k].Lines)
	}
	l.lines = make([]line, 0, n)
	for _, kk := range keys {
		d := &ds.APD[best[kk]]
		for _, ln := range d.Lines {
			l.lines = append(l.lines, line{amount: ln.AmountEUR, year: d.Year, auth: kk.auth, country: ln.Country,
				sector: ln.Sector, channel: ln.Channel, refugees: ln.Refugees,
				synthetic: d.Provenance == atlas.Synthetic, prov: d.Provenance})
		}
	}
	l.calls = sync.OnceValue(func() *callIndex { return newCallIndex(snap) })
	return l
}

// Snapshot returns the snapshot the ledger is of.
func (l *Ledger) Snapshot() *index.Snapshot { return l.snap }

// memoEntries bounds the tables a ledger keeps.
const memoEntries = 512

// memo is a bounded map of computed answers: past its size the oldest
// entry goes first.
type memo struct {
	mu    sync.Mutex
	max   int
	m     map[string]any
	order []string
}

func newMemo(n int) *memo { return &memo{max: n, m: map[string]any{}} }

// get returns the value of key, computing it with make on first use (make
// runs outside the lock; two requests may compute the same value once each).
func get[T any](m *memo, key string, make func() T) T {
	m.mu.Lock()
	v, ok := m.m[key]
	m.mu.Unlock()
	if ok {
		return v.(T)
	}
	t := make()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[key]; !ok {
		if len(m.order) >= m.max {
			delete(m.m, m.order[0])
			m.order = m.order[1:]
		}
		m.m[key] = t
		m.order = append(m.order, key)
	}
	return t
}
