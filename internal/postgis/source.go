package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SourceOptions configures a Source.
type SourceOptions struct {
	URL  string
	Pool PoolConfig // statement and connect timeouts of the listening connection
	// Migrate applies the embedded migrations on the first connection.
	Migrate bool
	// MinBackoff and MaxBackoff bound the reconnection delay (doubling from
	// min to max); defaults 200ms and 10s.
	MinBackoff, MaxBackoff time.Duration
	// Debounce is how long a burst of change notifications is collected
	// before reloading; default 50ms. A reload starts at most MaxDelay after
	// the first notification of a burst (default 500ms).
	Debounce, MaxDelay time.Duration
	// PingEvery is how often an idle connection is checked; default 5s.
	PingEvery time.Duration
	// Logger receives state changes; nil discards them.
	Logger *slog.Logger
	// OnLoad, when set, is called after each published snapshot (tests,
	// metrics).
	OnLoad func(snap *index.Snapshot, rev int64, took time.Duration)
	// Prepare, when set, is given each reloaded snapshot before it is
	// published, for at most PrepareFor (default 400ms), the previous
	// one still served meanwhile: the tiles build there what requests
	// would otherwise wait for (tiles.Renderer.Prepare). The write is
	// visible that much later; what is not ready by then is built by the
	// requests that need it, as without Prepare.
	Prepare    func(ctx context.Context, snap *index.Snapshot)
	PrepareFor time.Duration
}

// Source publishes the dataset of a PostgreSQL database as index snapshots.
// It implements httpapi.Snapshots and httpapi.Statuser. Run owns the
// connection: it connects with exponential backoff, applies migrations,
// loads the data, LISTENs for changes and reloads in the background; the
// current snapshot keeps being served while a reload runs or while the
// database is unreachable.
type Source struct {
	opt  SourceOptions
	live *index.Live
	log  *slog.Logger

	mu       sync.Mutex
	ok       bool
	detail   string
	rev      int64 // revision of the published snapshot, -1 before
	stats    SourceStats
	loaded   chan struct{}
	loadOnce sync.Once

	// base is what the published snapshot was indexed from: the next
	// refresh derives from it and from that snapshot (session goroutine
	// only).
	base *loaded
}

// NewSource returns a Source on opt.URL. Nothing happens until Run.
func NewSource(opt SourceOptions) *Source {
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 200 * time.Millisecond
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 10 * time.Second
	}
	if opt.Debounce <= 0 {
		opt.Debounce = 50 * time.Millisecond
	}
	if opt.MaxDelay <= 0 {
		opt.MaxDelay = 500 * time.Millisecond
	}
	if opt.PingEvery <= 0 {
		opt.PingEvery = 5 * time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{opt: opt, live: index.NewLive(nil), log: log, rev: -1, detail: "connecting to the database", loaded: make(chan struct{})}
}

// Current returns the published snapshot, nil before the first load.
func (s *Source) Current() *index.Snapshot { return s.live.Current() }

// UseBudget charges the selections of the published snapshots to b and
// releases a replaced snapshot's cached structures from it (see
// index.Live.UseBudget).
func (s *Source) UseBudget(b *cache.Budget) { s.live.UseBudget(b) }

// UsePrepare sets SourceOptions.Prepare (the renderer is made after the
// Source).
func (s *Source) UsePrepare(fn func(ctx context.Context, snap *index.Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.Prepare = fn
}

// Status reports whether the database connection is healthy and, when not,
// why; the last snapshot keeps being served meanwhile.
func (s *Source) Status() (ok bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok, s.detail
}

// Revision returns the data revision of the published snapshot (-1 before
// the first load).
func (s *Source) Revision() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}

// SourceStats is what a Source has done, for the metrics.
type SourceStats struct {
	OK        bool      // the database connection is healthy
	Revision  int64     // of the published snapshot, -1 before the first
	Published time.Time // when the published snapshot was, zero before
	// LastReload is how long loading and indexing the published snapshot
	// took; Reloads and ReloadTime count every snapshot published.
	LastReload, ReloadTime time.Duration
	Reloads                int64
	// Incremental counts the snapshots derived from the previous one and
	// the rows that changed (the change log), not read in full.
	Incremental int64
	// RefreshLag is the time from the first change notification of the
	// burst the published snapshot answers to its publication (0 for a
	// load that no notification announced: the first, a reconnection's).
	RefreshLag time.Duration
}

// Stats returns what s has done so far.
func (s *Source) Stats() SourceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.OK, st.Revision = s.ok, s.rev
	return st
}

// Loaded is closed once the first snapshot is published.
func (s *Source) Loaded() <-chan struct{} { return s.loaded }

func (s *Source) setStatus(ok bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ok, s.detail = ok, detail
}

// Run keeps the snapshot up to date until ctx is cancelled; it returns
// ctx's error, or a permanent error (a bad URL, a schema newer than the
// binary).
func (s *Source) Run(ctx context.Context) error {
	cc, err := s.opt.Pool.ConnConfig(s.opt.URL)
	if err != nil {
		return err
	}
	backoff := s.opt.MinBackoff
	migrated := !s.opt.Migrate
	for {
		err := s.session(ctx, cc, &migrated, func() { backoff = s.opt.MinBackoff })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrSchemaTooNew) {
			s.setStatus(false, err.Error())
			return err
		}
		what := "database unavailable"
		if s.Current() != nil {
			what = "database connection lost; serving the last snapshot"
		}
		s.setStatus(false, what+": "+err.Error())
		s.log.Warn(what+", retrying", "err", err.Error(), "retry_in", backoff.String(), "database", Redact(s.opt.URL))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, s.opt.MaxBackoff)
	}
}

// session runs one connection's life: connect, migrate, listen, load,
// then wait for notifications and reload until an error.
func (s *Source) session(ctx context.Context, cc *pgx.ConnConfig, migrated *bool, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if !*migrated {
		applied, err := Migrate(ctx, conn)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			s.log.Info("database migrated", "applied", applied, "schema_version", SchemaVersion())
		}
		*migrated = true
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	// Catch up: anything may have changed while disconnected.
	if err := s.reloadIfChanged(ctx, conn, -1, time.Time{}); err != nil {
		return err
	}
	s.setStatus(true, "")
	s.log.Info("database connected", "database", Redact(s.opt.URL), "revision", s.Revision())
	for {
		n, err := s.wait(ctx, conn, s.opt.PingEvery)
		if err != nil {
			return err
		}
		if n == nil {
			if err := ping(ctx, conn, s.opt.PingEvery); err != nil {
				return err
			}
			continue
		}
		// Debounce: collect the burst.
		want, _ := strconv.ParseInt(n.Payload, 10, 64)
		first := time.Now()
		for time.Since(first) < s.opt.MaxDelay {
			more, err := s.wait(ctx, conn, s.opt.Debounce)
			if err != nil {
				return err
			}
			if more == nil {
				break
			}
			if r, _ := strconv.ParseInt(more.Payload, 10, 64); r > want {
				want = r
			}
		}
		if err := s.reloadIfChanged(ctx, conn, want, first); err != nil {
			return err
		}
	}
}

// wait returns the next notification, or nil after d without one.
func (s *Source) wait(ctx context.Context, conn *pgx.Conn, d time.Duration) (*pgconn.Notification, error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	n, err := conn.WaitForNotification(wctx)
	if err != nil {
		if ctx.Err() == nil && wctx.Err() != nil && !conn.IsClosed() {
			return nil, nil
		}
		return nil, err
	}
	return n, nil
}

func ping(ctx context.Context, conn *pgx.Conn, d time.Duration) error {
	pctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return conn.Ping(pctx)
}

// reloadIfChanged loads and publishes the data when its revision differs
// from the published one (want, when > 0, is the revision announced, first
// when the first notification of its burst came; zero when none did).
func (s *Source) reloadIfChanged(ctx context.Context, conn *pgx.Conn, want int64, first time.Time) error {
	var rev int64
	if err := conn.QueryRow(ctx, `SELECT rev FROM atlas_revision`).Scan(&rev); err != nil {
		return err
	}
	if s.Current() != nil && rev == s.Revision() {
		return nil
	}
	start := time.Now()
	var next *loaded
	var err error
	if s.base != nil {
		if next, err = loadChanges(ctx, conn, s.base); err != nil {
			return err
		}
	}
	incremental := next != nil
	if !incremental {
		if next, err = loadAll(ctx, conn); err != nil {
			return err
		}
	}
	ds, rev := next.ds, next.rev
	// Derive reuses the previous snapshot's indexes of the places when ds
	// shares them (an incremental refresh); otherwise it is index.New.
	snap, err := index.Derive(s.Current(), ds)
	if err != nil {
		// Not a connection problem: the data is inconsistent. Keep serving
		// the previous snapshot and say so.
		s.log.Error("cannot index the database content", "err", err, "revision", rev)
		return fmt.Errorf("index: %w", err)
	}
	s.base = next
	s.mu.Lock()
	prepare := s.opt.Prepare
	s.mu.Unlock()
	if prepare != nil && s.Current() != nil {
		d := s.opt.PrepareFor
		if d <= 0 {
			d = 400 * time.Millisecond
		}
		s.live.Admit(snap)
		pctx, cancel := context.WithTimeout(ctx, d)
		prepare(pctx, snap)
		cancel()
	}
	prev := s.live.Swap(snap)
	took := time.Since(start)
	s.mu.Lock()
	s.rev = rev
	now := time.Now()
	s.stats.Published, s.stats.LastReload = now, took
	s.stats.ReloadTime += took
	s.stats.Reloads++
	if incremental {
		s.stats.Incremental++
	}
	s.stats.RefreshLag = 0
	if !first.IsZero() {
		s.stats.RefreshLag = now.Sub(first)
	}
	s.mu.Unlock()
	attrs := []any{"revision", rev, "version", snap.Version(), "partnerships", len(ds.Partnerships), "duration", took.Round(time.Millisecond), "incremental", incremental}
	if prev == nil {
		s.log.Info("dataset loaded from the database", attrs...)
	} else {
		s.log.Info("dataset reloaded from the database", append(attrs, "previous_version", prev.Version())...)
	}
	s.loadOnce.Do(func() { close(s.loaded) })
	if s.opt.OnLoad != nil {
		s.opt.OnLoad(snap, rev, took)
	}
	return nil
}
