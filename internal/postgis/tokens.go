package postgis

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// TokenPrefix starts every bearer token, so that a leaked one is easy to
// recognise.
const TokenPrefix = "atlas_"

// TokenSpec describes a token to create: an admin token, or one that writes
// for one French authority (its atlas id, or its INSEE code or SIREN).
type TokenSpec struct {
	Admin     bool
	Ministry  bool // the ministry's staff (bourse-projets)
	Authority string
	Label     string
}

// Token is a created token. Secret is shown once and never stored: the
// database keeps its SHA-256 only.
type Token struct {
	ID          int64
	Secret      string
	AuthorityID string // resolved atlas authority id; "" for admin
	Name        string // authority name
	Admin       bool
	Ministry    bool
}

// ErrUnknownAuthority is returned by CreateToken for an authority not in the
// database.
var ErrUnknownAuthority = errors.New("postgis: unknown authority")

// CreateToken creates a token from 32 random bytes and stores its hash.
func CreateToken(ctx context.Context, db Beginner, spec TokenSpec) (Token, error) {
	if n := btoi(spec.Admin) + btoi(spec.Ministry) + btoi(spec.Authority != ""); n != 1 {
		return Token{}, errors.New("postgis: a token is admin, the ministry's, or one authority's")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Token{}, err
	}
	t := Token{Secret: TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:]), Admin: spec.Admin, Ministry: spec.Ministry}
	tx, err := db.Begin(ctx)
	if err != nil {
		return Token{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if spec.Authority != "" {
		t.AuthorityID, t.Name, err = resolveAuthority(ctx, tx, spec.Authority)
		if err != nil {
			return Token{}, err
		}
	}
	h := hashToken(t.Secret)
	var auth any
	if t.AuthorityID != "" {
		auth = t.AuthorityID
	}
	if err := tx.QueryRow(ctx, `INSERT INTO atlas_tokens (hash, authority_id, admin, ministry, label) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		h[:], auth, spec.Admin, spec.Ministry, spec.Label).Scan(&t.ID); err != nil {
		return Token{}, fmt.Errorf("postgis: create token: %w", err)
	}
	return t, tx.Commit(ctx)
}

// RevokeToken revokes a token by id, and closes its extranet sessions; it
// reports whether one was revoked.
func RevokeToken(ctx context.Context, db Beginner, id int64) (bool, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	tag, err := tx.Exec(ctx, `UPDATE atlas_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM atlas_sessions WHERE token_id = $1`, id); err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, tx.Commit(ctx)
}

// resolveAuthority finds an authority by atlas id, else by INSEE code or
// SIREN (which must then be unambiguous).
func resolveAuthority(ctx context.Context, tx pgx.Tx, s string) (id, name string, err error) {
	s = strings.TrimSpace(s)
	err = tx.QueryRow(ctx, `SELECT id, name FROM atlas_authorities WHERE id = $1`, s).Scan(&id, &name)
	if err == nil {
		return id, name, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", "", err
	}
	rows, err := tx.Query(ctx, `SELECT id, name FROM atlas_authorities WHERE code = $1 ORDER BY ord LIMIT 3`, s)
	if err != nil {
		return "", "", err
	}
	var ids, names []string
	for rows.Next() {
		var i, n string
		if err := rows.Scan(&i, &n); err != nil {
			return "", "", err
		}
		ids, names = append(ids, i), append(names, n)
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	switch len(ids) {
	case 0:
		return "", "", fmt.Errorf("%w %q (want an atlas id, INSEE code or SIREN)", ErrUnknownAuthority, s)
	case 1:
		return ids[0], names[0], nil
	}
	return "", "", fmt.Errorf("postgis: code %q is ambiguous (%s): give the atlas id", s, strings.Join(ids, ", "))
}

func hashToken(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
