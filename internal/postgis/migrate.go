package postgis

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema migration: migrations/NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in version order.
func Migrations() []Migration {
	ents, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	var out []Migration
	for _, e := range ents {
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			panic("postgis: bad migration file name " + e.Name())
		}
		data, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			panic(err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(data)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			panic(fmt.Sprintf("postgis: migrations must be numbered 1, 2, …: got %d at position %d", m.Version, i+1))
		}
	}
	return out
}

// SchemaVersion is the schema version this binary expects.
func SchemaVersion() int { return len(Migrations()) }

// ErrSchemaTooNew is returned when the database schema is newer than the
// binary: an older binary must not run against it.
var ErrSchemaTooNew = fmt.Errorf("postgis: database schema is newer than this binary")

const migrationLockKey = 0x61746c6173 // "atlas"

// Migrate applies the pending embedded migrations in one transaction under
// an advisory lock (concurrent replicas starting together apply them once).
// It is idempotent: with nothing pending it changes nothing. It refuses to
// run against a schema newer than the binary's. It returns the versions it
// applied.
func Migrate(ctx context.Context, conn interface {
	Begin(context.Context) (pgx.Tx, error)
}) (applied []int, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey)); err != nil {
		return nil, fmt.Errorf("postgis: migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS atlas_schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM atlas_schema_migrations`).Scan(&current); err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	ms := Migrations()
	if current > len(ms) {
		return nil, fmt.Errorf("%w: database at version %d, binary knows up to %d", ErrSchemaTooNew, current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return nil, fmt.Errorf("postgis: migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO atlas_schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return nil, fmt.Errorf("postgis: migration %d: %w", m.Version, err)
		}
		applied = append(applied, m.Version)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgis: migrate: commit: %w", err)
	}
	return applied, nil
}
