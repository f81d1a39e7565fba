// Package postgis stores the atlas dataset in PostgreSQL/PostGIS, the source
// of truth and write path of the atlas. It holds:
//
//   - the embedded, versioned schema migrations (Migrate);
//   - the bulk import of a whole dataset in one transaction (Import);
//   - the read path: LoadDataset yields the same *atlas.Dataset as
//     dataset.Load on the equivalent files (same slices in the same order,
//     exact coordinates), so index.New builds an identical snapshot;
//   - Source, which keeps an index.Live up to date from the database
//     (LISTEN/NOTIFY, reconnection with backoff, degraded status);
//   - Store, the declarations API (bearer tokens, scoped writes, audit).
//
// Every statement is parameterised; the few identifiers spliced into SQL are
// compile-time constants quoted with pgx.Identifier.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the LISTEN/NOTIFY channel the data triggers notify.
const Channel = "atlas_data_changed"

// PoolConfig configures the connections to the database.
type PoolConfig struct {
	MaxConns         int32         // pool size; 0: pgx default (max(4, CPUs))
	MinConns         int32         // connections kept open
	StatementTimeout time.Duration // server-side statement_timeout of every session; 0: none
	ConnectTimeout   time.Duration // dial timeout; 0: 10s
}

// DefaultPoolConfig returns the defaults used by atlas serve.
func DefaultPoolConfig() PoolConfig {
	return PoolConfig{MaxConns: 8, StatementTimeout: 30 * time.Second, ConnectTimeout: 10 * time.Second}
}

// ConnConfig parses url and applies c (statement timeout, connect timeout,
// application name).
func (c PoolConfig) ConnConfig(rawURL string) (*pgx.ConnConfig, error) {
	cc, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL %s: %w", Redact(rawURL), errors.Unwrap(err))
	}
	c.apply(cc)
	return cc, nil
}

func (c PoolConfig) apply(cc *pgx.ConnConfig) {
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "atlas"
	}
	if c.StatementTimeout > 0 {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	}
	cc.ConnectTimeout = c.ConnectTimeout
	if cc.ConnectTimeout <= 0 {
		cc.ConnectTimeout = 10 * time.Second
	}
}

// NewPool returns a pool on rawURL configured by c. It does not connect: the
// first use does.
func NewPool(ctx context.Context, rawURL string, c PoolConfig) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgis: database URL %s: %w", Redact(rawURL), errors.Unwrap(err))
	}
	c.apply(pc.ConnConfig)
	if c.MaxConns > 0 {
		pc.MaxConns = c.MaxConns
	}
	if c.MinConns > 0 {
		pc.MinConns = c.MinConns
	}
	pc.HealthCheckPeriod = 5 * time.Second
	return pgxpool.NewWithConfig(ctx, pc)
}

// Redact returns rawURL with its password replaced by "xxxxx", for logs.
// Keyword/value connection strings are reduced to their host part.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		cc, err := pgx.ParseConfig(rawURL)
		if err != nil {
			return "(unparsable connection string)"
		}
		return fmt.Sprintf("host=%s port=%d dbname=%s user=%s", cc.Host, cc.Port, cc.Database, cc.User)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
