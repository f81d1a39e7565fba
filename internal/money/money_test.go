package money

import (
	"fmt"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

func TestMemoIsBounded(t *testing.T) {
	m := newMemo(3)
	calls := 0
	for i := range 10 {
		get(m, fmt.Sprint(i), func() int { calls++; return i })
	}
	if len(m.m) != 3 || len(m.order) != 3 || calls != 10 {
		t.Fatalf("memo holds %d (%d in order) after 10 keys, bound 3", len(m.m), len(m.order))
	}
	if v := get(m, "9", func() int { calls++; return -1 }); v != 9 || calls != 10 {
		t.Errorf("the latest key was computed again: %d", v)
	}
}

func TestBooksKeepALedgerPerSnapshot(t *testing.T) {
	snap := testkit.Snapshot(t)
	b := NewBooks()
	if b.Holds(snap) {
		t.Error("empty books hold a ledger")
	}
	l := b.For(snap)
	if b.For(snap) != l || !b.Holds(snap) {
		t.Error("a second ledger for the same snapshot")
	}
	ds := *snap.Dataset()
	a := ds.Authorities[0].ID
	ds.Sectors = []atlas.Sector{{Code: "14030", Category: "140", NameFR: "Eau potable de base", CategoryFR: "Eau"}}
	ds.APD = []atlas.APDDeclaration{
		{AuthorityID: a, Year: 2020, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Declared,
			Lines: []atlas.APDLine{{AmountEUR: 70, Country: "SN", Sector: "14030", Channel: atlas.ChannelDirect}}},
		{AuthorityID: a, Year: 2021, Status: atlas.APDDraft, Version: 1, Provenance: atlas.Declared,
			Lines: []atlas.APDLine{{AmountEUR: 5, Country: "SN", Sector: "14030", Channel: atlas.ChannelDirect}}},
	}
	other, err := index.New(&ds)
	if err != nil {
		t.Fatal(err)
	}
	if other.Version() == snap.Version() {
		t.Error("the data version does not cover the APD")
	}
	lo := b.For(other)
	if !b.Holds(snap) || !b.Holds(other) {
		t.Error("the books do not hold the two latest snapshots' ledgers")
	}
	if lo == l || b.For(snap) != l || b.For(other) != lo {
		t.Error("the two latest snapshots do not keep their ledgers")
	}
	tb, err := lo.APD("country", Filter{})
	if err != nil || tb.Total.AmountEUR != 70 || len(tb.Groups) != 1 || tb.Groups[0].Label != "Sénégal" {
		t.Errorf("APD by country: %+v %v", tb, err)
	}
	if got := lo.Received(0, 0)["SN"]; got != 70 {
		t.Errorf("received by SN %d, want 70 (the draft left out)", got)
	}
	// The first snapshot's ledger still counts the first snapshot's APD.
	var want int64
	for _, d := range snap.Dataset().APD {
		if d.Status != atlas.APDDraft {
			want += d.Total()
		}
	}
	if tb, _ := l.APD("year", Filter{}); tb.Total.AmountEUR != want {
		t.Errorf("first ledger: %d €, its snapshot's declarations %d €", tb.Total.AmountEUR, want)
	}
}
