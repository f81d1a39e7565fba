package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/atlas-cooperation/atlas/static"
)

// serveGCPercent is the garbage collector's target heap growth for
// atlas serve when GOGC is not set.
const serveGCPercent = 20

// warmGCPercent is the target heap growth while the tiles warm up.
const warmGCPercent = 10

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServeConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.Info("starting", "version", version, "config", cfg)
	tuneGC := getenv("GOGC") == "" // GOGC overrides the settings below
	if tuneGC {
		// The snapshot and the per-zoom tile structures are long-lived and
		// most of the heap, and a request allocates little (an uncached
		// tile's buffer is reused): a smaller headroom than Go's default
		// 100 keeps the resident size near 1.2× the live data at the same
		// throughput (GOGC overrides it).
		debug.SetGCPercent(serveGCPercent)
	}

	start := time.Now()
	reg := httpapi.NewRegistry()
	var live httpapi.Snapshots
	var decl httpapi.Declarations
	if cfg.DatabaseURL != "" {
		var stopDB func()
		if live, decl, stopDB, err = serveDatabase(ctx, cfg, log, reg); err != nil {
			return err
		}
		defer stopDB()
	} else {
		var src fs.FS = geodata.Dataset()
		if cfg.DataDir != "" {
			src = os.DirFS(cfg.DataDir)
		}
		snap, err := loadSnapshot(src)
		if err != nil {
			return err
		}
		log.Info("dataset loaded", "version", snap.Version(), "partnerships", snap.Len(index.LayerPartnerships),
			"authorities", snap.Len(index.LayerAuthorities), "partners", snap.Len(index.LayerPartners),
			"duration", time.Since(start).Round(time.Millisecond))
		live = index.NewLive(snap)
		fileSnapshotMetrics(reg, time.Now(), time.Since(start))
	}

	budget := cache.NewBudget(cfg.MemoryBudget)
	if b, ok := live.(interface{ UseBudget(*cache.Budget) }); ok {
		b.UseBudget(budget)
	}
	renderer := tiles.NewRenderer(tiles.Options{CacheBytes: cfg.CacheSize, Budget: budget})
	if snap := live.Current(); snap != nil {
		go func() {
			t := time.Now()
			// Warming builds the unfiltered view's tile structures with
			// transient garbage as large as they are: a small headroom
			// while it runs keeps the peak resident size down, for a
			// few more collections in the background.
			if tuneGC {
				debug.SetGCPercent(warmGCPercent)
			}
			err := renderer.Warm(ctx, snap)
			if tuneGC {
				debug.SetGCPercent(serveGCPercent)
			}
			if err != nil && ctx.Err() == nil {
				log.Warn("tile warm-up failed", "err", err)
				return
			}
			// Loading and warming leave garbage several times the live
			// heap: give its pages back now rather than when the runtime
			// gets round to it.
			debug.FreeOSMemory()
			log.Info("tiles warmed up", "duration", time.Since(t).Round(time.Millisecond))
		}()
	}
	api, err := httpapi.New(live, renderer, httpapi.Options{
		CacheControl: cfg.CacheControl, PublicURL: cfg.PublicURL, Static: static.FS(), Logger: log,
		Declarations: decl, Metrics: reg,
		WritesPerSecond: cfg.WriteRate, WriteBurst: cfg.WriteBurst, AuthFailuresPerMinute: cfg.AuthFailures,
	})
	if err != nil {
		return err
	}
	if snap := live.Current(); snap != nil {
		go api.Prepare(snap)
	}
	if p, ok := live.(interface {
		UsePrepare(func(context.Context, *index.Snapshot))
	}); ok {
		// A reloaded snapshot gets its money ledger and the tile
		// structures requests asked for lately before it is published.
		p.UsePrepare(func(ctx context.Context, snap *index.Snapshot) {
			api.Prepare(snap)
			if n := renderer.Prepare(ctx, snap); n > 0 {
				log.Debug("tiles prepared for the new snapshot", "tiles", n, "version", snap.Version())
			}
		})
	}
	if cfg.AdminAddr != "" {
		if err := serveAdmin(ctx, cfg.AdminAddr, reg, log); err != nil {
			return fmt.Errorf("admin-addr: %w", err)
		}
	}
	srv := &http.Server{
		Addr: cfg.Addr, Handler: api,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "startup", time.Since(start).Round(time.Millisecond))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// loadSnapshot reads, validates and indexes the dataset in src.
func loadSnapshot(src fs.FS) (*index.Snapshot, error) {
	ds, err := dataset.Load(src)
	if err != nil {
		return nil, err
	}
	return index.New(ds)
}
