package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The metrics atlas serve adds to those of the HTTP layer: where its
// snapshot comes from (loaded once from files, or kept up to date from
// PostgreSQL) and the database pool.

// fileSnapshotMetrics reports the snapshot loaded at start from files.
func fileSnapshotMetrics(reg prometheus.Registerer, published time.Time, took time.Duration) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "atlas_snapshot_published_timestamp_seconds",
			Help: "When the snapshot served was published (Unix time)."}, func() float64 { return unixSeconds(published) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "atlas_snapshot_age_seconds",
			Help: "Seconds since the snapshot served was published."}, func() float64 { return time.Since(published).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "atlas_snapshot_rebuild_seconds",
			Help: "How long loading and indexing the snapshot served took."}, func() float64 { return took.Seconds() }),
	)
}

var (
	descUp       = prometheus.NewDesc("atlas_database_up", "1 while the database connection is healthy, 0 while the last snapshot is served without it.", nil, nil)
	descRev      = prometheus.NewDesc("atlas_snapshot_revision", "Database revision of the snapshot served (-1 before the first).", nil, nil)
	descPub      = prometheus.NewDesc("atlas_snapshot_published_timestamp_seconds", "When the snapshot served was published (Unix time).", nil, nil)
	descAge      = prometheus.NewDesc("atlas_snapshot_age_seconds", "Seconds since the snapshot served was published.", nil, nil)
	descRebuild  = prometheus.NewDesc("atlas_snapshot_rebuild_seconds", "How long loading and indexing the snapshot served took.", nil, nil)
	descRebuilds = prometheus.NewDesc("atlas_snapshot_rebuilds_total", "Snapshots published.", nil, nil)
	descIncr     = prometheus.NewDesc("atlas_snapshot_incremental_rebuilds_total", "Snapshots published by reading only the partnerships and projects that changed (the database change log) and deriving the previous snapshot's indexes.", nil, nil)
	descRebuildT = prometheus.NewDesc("atlas_snapshot_rebuild_seconds_total", "Time spent loading and indexing every snapshot published.", nil, nil)
	descLag      = prometheus.NewDesc("atlas_snapshot_refresh_lag_seconds", "From the first change notification of a burst to the publication of the snapshot that holds it, for the snapshot served.", nil, nil)

	descConns = prometheus.NewDesc("atlas_db_pool_connections", "Connections of the write pool, by state.", []string{"state"}, nil)
	descMax   = prometheus.NewDesc("atlas_db_pool_max_connections", "Size of the write pool.", nil, nil)
	descAcq   = prometheus.NewDesc("atlas_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	descEmpty = prometheus.NewDesc("atlas_db_pool_empty_acquires_total", "Acquisitions that had to wait for a connection.", nil, nil)
	descWait  = prometheus.NewDesc("atlas_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

// databaseCollector reads the Source's and the pool's statistics at each
// scrape.
type databaseCollector struct {
	src  *postgis.Source
	pool *pgxpool.Pool
}

func (c databaseCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descRev, descPub, descAge, descRebuild, descRebuilds, descIncr, descRebuildT, descLag, descConns, descMax, descAcq, descEmpty, descWait} {
		ch <- d
	}
}

func (c databaseCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	st := c.src.Stats()
	up := 0.0
	if st.OK {
		up = 1
	}
	gauge(descUp, up)
	gauge(descRev, float64(st.Revision))
	if !st.Published.IsZero() {
		gauge(descPub, unixSeconds(st.Published))
		gauge(descAge, time.Since(st.Published).Seconds())
		gauge(descRebuild, st.LastReload.Seconds())
		gauge(descLag, st.RefreshLag.Seconds())
	}
	counter(descRebuilds, float64(st.Reloads))
	counter(descIncr, float64(st.Incremental))
	counter(descRebuildT, st.ReloadTime.Seconds())

	ps := c.pool.Stat()
	gauge(descConns, float64(ps.AcquiredConns()), "acquired")
	gauge(descConns, float64(ps.IdleConns()), "idle")
	gauge(descConns, float64(ps.ConstructingConns()), "constructing")
	gauge(descMax, float64(ps.MaxConns()))
	counter(descAcq, float64(ps.AcquireCount()))
	counter(descEmpty, float64(ps.EmptyAcquireCount()))
	counter(descWait, ps.AcquireDuration().Seconds())
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// serveAdmin serves the profiles of net/http/pprof and /metrics on addr
// (loopback or a private network: the profiles tell much of the process)
// until ctx ends. It returns once the address is listened on.
func serveAdmin(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("admin listening (pprof, metrics)", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin server stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return nil
}
