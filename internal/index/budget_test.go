package index_test

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// Year ranges are clipped to the data's years: ranges that select the same
// partnerships share one canonical filter (and cache entry), and select what
// a scan of the years does.
func TestCanonicalYears(t *testing.T) {
	snap := testkit.Snapshot(t)
	lo, hi := snap.YearRange()
	if lo == 0 || hi < lo {
		t.Fatalf("year range %d–%d", lo, hi)
	}
	all := snap.Canonical(atlas.Filter{Since: lo, Until: hi}).Encode()
	for _, f := range []atlas.Filter{{Since: 1800}, {Until: 2200}, {Since: 1, Until: 9999}, {Since: lo - 1, Until: hi + 1}} {
		if got := snap.Canonical(f).Encode(); got != all {
			t.Errorf("%s → %s, want %s", f.Encode(), got, all)
		}
	}
	if f := (atlas.Filter{Countries: []string{"JP"}}); snap.Canonical(f).Encode() != f.Encode() {
		t.Error("a filter without years changed")
	}
	ps := snap.Dataset().Partnerships
	for _, r := range [][2]int{{1800, 2200}, {lo, lo}, {1990, 2000}, {hi + 1, hi + 9}, {1700, lo - 1}, {2000, 0}, {0, 1980}} {
		f := atlas.Filter{Since: r[0], Until: r[1]}
		want := 0
		for _, p := range ps {
			if f.MatchYear(p.StartYear) {
				want++
			}
		}
		if got := len(snap.Select(f).Partnerships()); got != want {
			t.Errorf("since=%d until=%d selects %d, the years say %d", r[0], r[1], got, want)
		}
	}
}

// A Live with a budget charges its snapshots' selections to it and, when a
// new snapshot is published, releases the previous one's.
func TestLiveReleasesThePreviousSnapshot(t *testing.T) {
	old := testkit.Snapshot(t)
	s2, err := index.New(old.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	s1, err := index.New(old.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	b := cache.NewBudget(64 << 20)
	l := index.NewLive(s1)
	l.UseBudget(b)
	s1.Select(atlas.Filter{Countries: []string{"JP"}})
	s1.Select(atlas.Filter{Countries: []string{"BJ"}, Since: 2000})
	if b.Used() == 0 {
		t.Fatal("selections not charged to the Live's budget")
	}
	l.Swap(s2)
	if b.Used() != 0 {
		t.Errorf("%d bytes still charged for the previous snapshot", b.Used())
	}
	s2.Select(atlas.Filter{Countries: []string{"JP"}})
	if b.Used() == 0 {
		t.Error("the new snapshot's selections are not charged")
	}
}

// What is keyed by the places' version (the tiles' boundaries) outlives a
// snapshot derived after a write of partnerships, and is released when the
// places change.
func TestLiveKeepsThePlacesAcrossWrites(t *testing.T) {
	base := testkit.Snapshot(t)
	ds := *base.Dataset()
	ds.Partnerships = append([]atlas.Partnership(nil), ds.Partnerships...)
	ds.Partnerships[0].StartYear = 1951
	derived, err := index.Derive(base, &ds)
	if err != nil {
		t.Fatal(err)
	}
	if derived.Version() == base.Version() || derived.PlacesVersion() != base.PlacesVersion() {
		t.Fatalf("derived: version %s (was %s), places %s (was %s)", derived.Version(), base.Version(), derived.PlacesVersion(), base.PlacesVersion())
	}
	ds2 := ds
	ds2.Authorities = append([]atlas.Authority(nil), ds.Authorities...)
	ds2.Authorities[0].Population++
	moved, err := index.Derive(derived, &ds2)
	if err != nil {
		t.Fatal(err)
	}
	if moved.PlacesVersion() == base.PlacesVersion() {
		t.Fatal("new places, same places version")
	}
	b := cache.NewBudget(64 << 20)
	c := cache.New[[]byte](b, "shapes", 0)
	l := index.NewLive(base)
	l.UseBudget(b)
	c.Memo(base.PlacesVersion()+"/shapes", true, func() ([]byte, int64) { return make([]byte, 1000), 1000 }, nil)
	c.Memo(base.Version()+"/arcs", true, func() ([]byte, int64) { return make([]byte, 500), 500 }, nil)
	l.Swap(derived)
	if _, ok := c.Get(base.PlacesVersion() + "/shapes"); !ok {
		t.Error("a write of partnerships released the places' structures")
	}
	if _, ok := c.Get(base.Version() + "/arcs"); ok {
		t.Error("the previous version's structures were kept")
	}
	// A request still on base, after the swap, builds for itself: nothing
	// of base's version is cached any more, pinned or not.
	used := b.Used()
	if v := c.Memo(base.Version()+"/late", true, func() ([]byte, int64) { return make([]byte, 700), 700 }, nil); len(v) != 700 {
		t.Fatal("Memo on a released version did not return its value")
	}
	if _, ok := c.Get(base.Version() + "/late"); ok || b.Used() != used {
		t.Error("a structure of the previous version was cached after the swap")
	}
	c.Memo(derived.Version()+"/arcs", true, func() ([]byte, int64) { return make([]byte, 500), 500 }, nil)
	if _, ok := c.Get(derived.Version() + "/arcs"); !ok {
		t.Error("the published version's structures are not cached")
	}
	l.Swap(moved)
	if b.Used() != 0 {
		t.Errorf("%d bytes still charged once the places changed", b.Used())
	}
	// Publishing a version again (a write undone) caches it again.
	l.Swap(base)
	c.Memo(base.Version()+"/arcs", true, func() ([]byte, int64) { return make([]byte, 500), 500 }, nil)
	if _, ok := c.Get(base.Version() + "/arcs"); !ok {
		t.Error("a version published again is not cached")
	}
}
