package postgis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// SessionPrefix starts every session id; a session id is not a bearer
// token (Authenticate refuses it) and a token is not a session id.
const SessionPrefix = "atlas-session_"

// OpenSession opens a session of ttl for the token of p (an authenticated
// principal) and returns its id, shown once: the database keeps its
// SHA-256. Expired sessions are deleted on the way.
func (s *Store) OpenSession(ctx context.Context, p atlas.Principal, ttl time.Duration) (string, time.Time, error) {
	if p.TokenID == 0 || ttl <= 0 {
		return "", time.Time{}, errors.New("postgis: a session needs a token and a positive duration")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, err
	}
	id := SessionPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := hashToken(id)
	var expires time.Time
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM atlas_sessions WHERE expires_at < now()`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO atlas_sessions (hash, token_id, expires_at)
			SELECT $1, id, now() + $3 * interval '1 second' FROM atlas_tokens WHERE id = $2 AND revoked_at IS NULL
			RETURNING expires_at`, h[:], p.TokenID, ttl.Seconds()).Scan(&expires)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, atlas.ErrUnauthenticated
	}
	if err != nil {
		return "", time.Time{}, unavailable(err)
	}
	return id, expires, nil
}

// Session returns the principal of session id and when it expires:
// atlas.ErrUnauthenticated when it is unknown, expired, closed or its
// token revoked.
func (s *Store) Session(ctx context.Context, id string) (atlas.Principal, time.Time, error) {
	if !strings.HasPrefix(id, SessionPrefix) || len(id) > 200 {
		return atlas.Principal{}, time.Time{}, atlas.ErrUnauthenticated
	}
	h := hashToken(id)
	var p atlas.Principal
	var auth *string
	var expires time.Time
	err := s.pool.QueryRow(ctx, `SELECT t.id, t.authority_id, t.admin, t.ministry, x.expires_at
		FROM atlas_sessions x JOIN atlas_tokens t ON t.id = x.token_id
		WHERE x.hash = $1 AND x.expires_at > now() AND t.revoked_at IS NULL`, h[:]).
		Scan(&p.TokenID, &auth, &p.Admin, &p.Ministry, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return atlas.Principal{}, time.Time{}, atlas.ErrUnauthenticated
	}
	if err != nil {
		return atlas.Principal{}, time.Time{}, unavailable(err)
	}
	if auth != nil {
		p.Authority = *auth
	}
	return p, expires, nil
}

// CloseSession deletes session id (signing out); closing an unknown one is
// not an error.
func (s *Store) CloseSession(ctx context.Context, id string) error {
	h := hashToken(id)
	_, err := s.pool.Exec(ctx, `DELETE FROM atlas_sessions WHERE hash = $1`, h[:])
	return unavailable(err)
}
