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
