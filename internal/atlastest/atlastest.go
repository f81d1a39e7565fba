// Package atlastest builds the real serving stack on the embedded default
// dataset for tests: the index snapshot, the HTTP handler and an httptest
// server, with the web pages. Tests use the real index as their test double.
package atlastest

import (
	"net/http/httptest"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/atlas-cooperation/atlas/static"
)

// Snapshot returns the snapshot of the embedded dataset, built once per test
// binary and shared (it is immutable).
func Snapshot(tb testing.TB) *index.Snapshot {
	tb.Helper()
	return testkit.Snapshot(tb)
}

// Handler returns the HTTP handler on the embedded dataset with a tile cache
// of cacheBytes (0 disables it) and the web pages.
func Handler(tb testing.TB, cacheBytes int64) *httpapi.Server {
	tb.Helper()
	return HandlerOn(tb, Snapshot(tb), cacheBytes)
}

// HandlerOn is Handler serving snap.
func HandlerOn(tb testing.TB, snap *index.Snapshot, cacheBytes int64) *httpapi.Server {
	tb.Helper()
	live, budget := index.NewLive(snap), cache.NewBudget(max(64<<20, 2*cacheBytes))
	live.UseBudget(budget) // as atlas serve does
	h, err := httpapi.New(live, tiles.NewRenderer(tiles.Options{CacheBytes: cacheBytes, Budget: budget}),
		httpapi.Options{Static: static.FS()})
	if err != nil {
		tb.Fatalf("httpapi.New: %v", err)
	}
	return h
}

// NewServer starts an httptest server on the embedded dataset, closed when
// the test ends.
func NewServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	return NewServerOn(tb, Snapshot(tb))
}

// NewServerOn is NewServer serving snap.
func NewServerOn(tb testing.TB, snap *index.Snapshot) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(HandlerOn(tb, snap, 64<<20))
	tb.Cleanup(srv.Close)
	return srv
}
