package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// Config is the configuration of atlas serve: Default, then environment
// variables (ATLAS_*), then flags.
type Config struct {
	Addr          string
	DataDir       string // a dataset directory; empty serves the embedded dataset
	CacheSize     int64  // tile cache bytes; 0 disables it
	MemoryBudget  int64  // bytes of every cache that grows with the variety of requests
	CacheControl  string
	PublicURL     string
	LogLevel      slog.Level
	ReadTimeout   time.Duration
	WriteTimeout  time.Duration
	IdleTimeout   time.Duration
	ShutdownGrace time.Duration
	// DatabaseURL, when set, serves from PostgreSQL (and enables writes).
	DatabaseURL        string
	DBMaxConns         int32
	DBStatementTimeout time.Duration
	// AdminAddr, when set, serves pprof and /metrics on a second address.
	AdminAddr string
	// WriteRate and WriteBurst bound the writes of a token (a client
	// address gets twice as much); AuthFailures the failed authentications
	// of a client address per minute.
	WriteRate    float64
	WriteBurst   int
	AuthFailures float64
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Addr:               ":8080",
		CacheSize:          32 << 20,
		MemoryBudget:       64 << 20,
		CacheControl:       "public, max-age=300, stale-while-revalidate=60",
		LogLevel:           slog.LevelInfo,
		ReadTimeout:        10 * time.Second,
		WriteTimeout:       60 * time.Second,
		IdleTimeout:        120 * time.Second,
		ShutdownGrace:      15 * time.Second,
		DBMaxConns:         8,
		DBStatementTimeout: 30 * time.Second,
		WriteRate:          2,
		WriteBurst:         20,
		AuthFailures:       10,
	}
}

// envVar documents one environment variable.
type envVar struct{ name, flag string }

var serveEnv = []envVar{
	{"ATLAS_ADDR", "addr"}, {"ATLAS_DATA", "data"}, {"ATLAS_CACHE_SIZE", "cache-size"},
	{"ATLAS_MEMORY_BUDGET", "memory-budget"},
	{"ATLAS_CACHE_CONTROL", "cache-control"}, {"ATLAS_PUBLIC_URL", "public-url"},
	{"ATLAS_LOG_LEVEL", "log-level"}, {"ATLAS_READ_TIMEOUT", "read-timeout"},
	{"ATLAS_WRITE_TIMEOUT", "write-timeout"}, {"ATLAS_IDLE_TIMEOUT", "idle-timeout"},
	{"ATLAS_SHUTDOWN_GRACE", "shutdown-grace"},
	{"DATABASE_URL", "database-url"}, {"ATLAS_DATABASE_URL", "database-url"},
	{"ATLAS_DB_MAX_CONNS", "db-max-conns"}, {"ATLAS_DB_STATEMENT_TIMEOUT", "db-statement-timeout"},
	{"ATLAS_ADMIN_ADDR", "admin-addr"},
	{"ATLAS_WRITE_RATE", "write-rate"}, {"ATLAS_WRITE_BURST", "write-burst"}, {"ATLAS_AUTH_FAILURES", "auth-failures"},
}

// parseServeConfig builds the Config from getenv and args. Every problem is
// reported at once.
func parseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("atlas serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address `host:port` (env ATLAS_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "serve the dataset in `dir` instead of the embedded one (env ATLAS_DATA)")
	fs.Int64Var(&c.CacheSize, "cache-size", c.CacheSize, "rendered-tile cache size in `bytes`, inside the memory budget; 0 disables the cache (env ATLAS_CACHE_SIZE)")
	fs.Int64Var(&c.MemoryBudget, "memory-budget", c.MemoryBudget, "`bytes` that the caches growing with the variety of requests (rendered tiles, per-filter tile structures, selections) share, least recently used out first; the unfiltered view's structures, never evicted, are outside it (env ATLAS_MEMORY_BUDGET)")
	fs.StringVar(&c.CacheControl, "cache-control", c.CacheControl, "Cache-Control `header` of data responses (env ATLAS_CACHE_CONTROL)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "external base `URL` used in links; default: from the request (env ATLAS_PUBLIC_URL)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug (logs every request), info, warn, error (env ATLAS_LOG_LEVEL)")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", c.ReadTimeout, "HTTP read timeout (env ATLAS_READ_TIMEOUT)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", c.WriteTimeout, "HTTP write timeout (env ATLAS_WRITE_TIMEOUT)")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "HTTP keep-alive idle timeout (env ATLAS_IDLE_TIMEOUT)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", c.ShutdownGrace, "time given to requests in flight on SIGINT/SIGTERM (env ATLAS_SHUTDOWN_GRACE)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "serve from PostgreSQL/PostGIS at `URL` and enable the write API (env ATLAS_DATABASE_URL, DATABASE_URL)")
	fs.Func("db-max-conns", "PostgreSQL pool size (env ATLAS_DB_MAX_CONNS; default 8)", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 32)
		c.DBMaxConns = int32(n)
		return err
	})
	fs.DurationVar(&c.DBStatementTimeout, "db-statement-timeout", c.DBStatementTimeout, "PostgreSQL statement_timeout of every session (env ATLAS_DB_STATEMENT_TIMEOUT)")
	fs.StringVar(&c.AdminAddr, "admin-addr", c.AdminAddr, "also serve the Go profiles (/debug/pprof/) and /metrics on `host:port`, e.g. 127.0.0.1:6060; off by default, keep it off the public network (env ATLAS_ADMIN_ADDR)")
	fs.Float64Var(&c.WriteRate, "write-rate", c.WriteRate, "writes a second one token may make, after a burst of --write-burst (a client address: twice as many); more get 429 (env ATLAS_WRITE_RATE)")
	fs.IntVar(&c.WriteBurst, "write-burst", c.WriteBurst, "writes one token may make at once (env ATLAS_WRITE_BURST)")
	fs.Float64Var(&c.AuthFailures, "auth-failures", c.AuthFailures, "failed authentications a minute a client address may make before its writes get 429 (env ATLAS_AUTH_FAILURES)")
	var errs []error
	for _, e := range serveEnv {
		if v := getenv(e.name); v != "" {
			if err := fs.Set(e.flag, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", e.name, v, err))
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, errUsage
		}
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// Validate reports every invalid field at once.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr: must not be empty"))
	}
	if c.DatabaseURL != "" && c.DataDir != "" {
		errs = append(errs, errors.New("data and database-url: give one source only"))
	}
	if c.DBMaxConns < 1 {
		errs = append(errs, errors.New("db-max-conns: must be at least 1"))
	}
	if c.WriteRate <= 0 || c.WriteBurst < 1 || c.AuthFailures <= 0 {
		errs = append(errs, errors.New("write-rate, write-burst, auth-failures: must be positive"))
	}
	if c.CacheSize < 0 {
		errs = append(errs, errors.New("cache-size: must be >= 0 (0 disables the cache)"))
	}
	if c.MemoryBudget < 1<<20 {
		errs = append(errs, errors.New("memory-budget: must be at least 1048576 bytes (1 MiB)"))
	} else if c.CacheSize > c.MemoryBudget {
		errs = append(errs, fmt.Errorf("cache-size: %d is more than the memory budget (%d)", c.CacheSize, c.MemoryBudget))
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("public-url: %q must start with http:// or https://", c.PublicURL))
	}
	for name, d := range map[string]time.Duration{"read-timeout": c.ReadTimeout, "write-timeout": c.WriteTimeout, "idle-timeout": c.IdleTimeout, "shutdown-grace": c.ShutdownGrace} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive", name))
		}
	}
	return errors.Join(errs...)
}

// LogValue logs the effective configuration (it holds no secret yet).
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr), slog.String("data", orDefault(c.DataDir, "embedded")),
		slog.String("database", postgis.Redact(c.DatabaseURL)),
		slog.String("cache_size", strconv.FormatInt(c.CacheSize, 10)), slog.String("memory_budget", strconv.FormatInt(c.MemoryBudget, 10)),
		slog.String("cache_control", c.CacheControl),
		slog.String("public_url", c.PublicURL), slog.String("log_level", c.LogLevel.String()),
		slog.Duration("read_timeout", c.ReadTimeout), slog.Duration("write_timeout", c.WriteTimeout),
		slog.String("admin_addr", c.AdminAddr),
	)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
