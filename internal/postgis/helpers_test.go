package postgis_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	embeddedOnce sync.Once
	embeddedDS   *atlas.Dataset
	embeddedErr  error
)

// embedded returns a fresh load of the embedded dataset (loaded once, then
// shared read-only).
func embedded(tb testing.TB) *atlas.Dataset {
	tb.Helper()
	embeddedOnce.Do(func() { embeddedDS, embeddedErr = dataset.Load(geodata.Dataset()) })
	if embeddedErr != nil {
		tb.Fatal(embeddedErr)
	}
	return embeddedDS
}

func testLogger(tb testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

// migratedDB returns a pool on a fresh migrated database.
func migratedDB(tb testing.TB) (string, *pgxpool.Pool) {
	tb.Helper()
	url := pgtest.NewDatabase(tb)
	return url, openMigrated(tb, url)
}

func openMigrated(tb testing.TB, url string) *pgxpool.Pool {
	tb.Helper()
	ctx := context.Background()
	pool, err := postgis.NewPool(ctx, url, postgis.DefaultPoolConfig())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if _, err := postgis.Migrate(ctx, pool); err != nil {
		tb.Fatal(err)
	}
	return pool
}

// importedDB returns a fresh database holding the embedded dataset.
func importedDB(tb testing.TB) (string, *pgxpool.Pool) {
	tb.Helper()
	url, pool := migratedDB(tb)
	if _, err := postgis.Import(context.Background(), pool, embedded(tb), postgis.ImportOptions{}); err != nil {
		tb.Fatal(err)
	}
	return url, pool
}

// startSource runs a Source on url until the test ends.
func startSource(tb testing.TB, url string, opt postgis.SourceOptions) *postgis.Source {
	tb.Helper()
	opt.URL = url
	if opt.Logger == nil {
		opt.Logger = testLogger(tb)
	}
	if opt.Pool == (postgis.PoolConfig{}) {
		opt.Pool = postgis.DefaultPoolConfig()
	}
	src := postgis.NewSource(opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); src.Run(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
	return src
}

func waitLoaded(tb testing.TB, src *postgis.Source, d time.Duration) {
	tb.Helper()
	select {
	case <-src.Loaded():
	case <-time.After(d):
		ok, detail := src.Status()
		tb.Fatalf("no snapshot after %s (ok=%v: %s)", d, ok, detail)
	}
}

// eventually polls cond every 10ms until it holds or d passes.
func eventually(tb testing.TB, d time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			tb.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
