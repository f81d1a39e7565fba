package httpapi

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// Prepare builds a snapshot's money ledger before any request asks for
// it, and keeps the published one's.
func TestPrepareBuildsTheLedger(t *testing.T) {
	snap := testkit.Snapshot(t)
	s, err := New(index.NewLive(snap), tiles.NewRenderer(tiles.Options{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.money.Holds(snap) {
		t.Fatal("a ledger before any request or Prepare")
	}
	s.Prepare(snap)
	if !s.money.Holds(snap) {
		t.Error("Prepare did not build the ledger")
	}
	ds := *snap.Dataset()
	ds.APD = ds.APD[1:]
	next, err := index.Derive(snap, &ds)
	if err != nil {
		t.Fatal(err)
	}
	s.Prepare(next)
	if !s.money.Holds(next) || !s.money.Holds(snap) {
		t.Error("after preparing the next snapshot, the books do not hold both ledgers")
	}
}
