package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// databaseFlags are the connection flags shared by migrate, import and token:
// --database-url (env ATLAS_DATABASE_URL, then DATABASE_URL) and
// --statement-timeout.
type databaseFlags struct {
	url              string
	statementTimeout time.Duration
}

func (d *databaseFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	def := getenv("ATLAS_DATABASE_URL")
	if def == "" {
		def = getenv("DATABASE_URL")
	}
	fs.StringVar(&d.url, "database-url", def, "PostgreSQL `URL`, e.g. postgres://user:pass@host/db (env ATLAS_DATABASE_URL or DATABASE_URL)")
	fs.DurationVar(&d.statementTimeout, "statement-timeout", 0, "server-side timeout of each statement; 0: none")
}

func (d *databaseFlags) pool(ctx context.Context) (*pgxpool.Pool, error) {
	if d.url == "" {
		return nil, fmt.Errorf("%w: --database-url (or DATABASE_URL) is required", errUsage)
	}
	pc := postgis.DefaultPoolConfig()
	pc.StatementTimeout = d.statementTimeout
	pc.MaxConns = 4
	return postgis.NewPool(ctx, d.url, pc)
}

// parseDBCommand parses the flags of a database subcommand.
func parseDBCommand(name, usage string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*flag.FlagSet, *databaseFlags, error) {
	fs := flag.NewFlagSet("atlas "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: atlas "+name+" "+usage)
		fs.PrintDefaults()
	}
	var db databaseFlags
	db.register(fs, getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, errUsage
		}
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return fs, &db, nil
}

// runMigrate implements `atlas migrate`: apply the embedded schema
// migrations (idempotent; refuses a schema newer than the binary).
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, db, err := parseDBCommand("migrate", "[--database-url URL]", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments: %s", errUsage, strings.Join(fs.Args(), " "))
	}
	pool, err := db.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := postgis.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "migrate: schema already at version %d\n", postgis.SchemaVersion())
		return nil
	}
	fmt.Fprintf(stdout, "migrate: applied %v, schema at version %d\n", applied, postgis.SchemaVersion())
	return nil
}

// The PostgreSQL store meets the HTTP layer here, and only here.
var (
	_ httpapi.Snapshots        = (*postgis.Source)(nil)
	_ httpapi.Statuser         = (*postgis.Source)(nil)
	_ httpapi.Declarations     = (*postgis.Store)(nil)
	_ httpapi.APDDeclarer      = (*postgis.Store)(nil)
	_ httpapi.CallApplications = (*postgis.Store)(nil)
)

// serveDatabase starts the PostgreSQL source of atlas serve: a Source that
// connects (retrying with backoff), migrates, loads and follows the data in
// the background until ctx ends, and the declarations store. The returned
// stop function waits for the Source and closes the pool.
func serveDatabase(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer) (httpapi.Snapshots, httpapi.Declarations, func(), error) {
	pc := postgis.DefaultPoolConfig()
	pc.MaxConns = cfg.DBMaxConns
	pc.StatementTimeout = cfg.DBStatementTimeout
	pool, err := postgis.NewPool(ctx, cfg.DatabaseURL, pc)
	if err != nil {
		return nil, nil, nil, err
	}
	src := postgis.NewSource(postgis.SourceOptions{URL: cfg.DatabaseURL, Pool: pc, Migrate: true, Logger: log})
	if err := reg.Register(databaseCollector{src: src, pool: pool}); err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := src.Run(sctx); err != nil && sctx.Err() == nil {
			log.Error("database source stopped", "err", err)
		}
	}()
	log.Info("loading the dataset from the database", "database", postgis.Redact(cfg.DatabaseURL))
	return src, postgis.NewStore(pool), func() { cancel(); <-done; pool.Close() }, nil
}
