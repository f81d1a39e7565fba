package postgis

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5"
)

// idempotencyTTL is how long a key is remembered (an SQL interval).
const idempotencyTTL = "24 hours"

// idempotent runs create in tx, which stores the created record in out,
// unless the context carries an Idempotency-Key (atlas.WithIdempotencyKey)
// that p already used: with the same operation and input, out gets the
// record the first request answered and nothing is created; with another,
// the key is refused. Writers are serialised by inTx's lock, so looking
// the key up and then storing it cannot race.
func idempotent[T any](ctx context.Context, tx pgx.Tx, p atlas.Principal, op string, in any, out *T, create func() error) error {
	key := atlas.IdempotencyKey(ctx)
	if key == "" {
		return create()
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	hash := sha256.Sum256(append([]byte(op+"\n"), body...))
	if _, err := tx.Exec(ctx, `DELETE FROM atlas_idempotency WHERE created_at < now() - $1::interval`, idempotencyTTL); err != nil {
		return err
	}
	var gotOp string
	var gotHash, resp []byte
	err = tx.QueryRow(ctx, `SELECT operation, request_hash, response FROM atlas_idempotency WHERE token_id = $1 AND key = $2`,
		p.TokenID, key).Scan(&gotOp, &gotHash, &resp)
	switch {
	case err == nil:
		if gotOp != op || !bytes.Equal(gotHash, hash[:]) {
			return atlas.FieldErrors{{Field: "Idempotency-Key", Reason: "already used by this token for another request: use a new key for a new request"}}
		}
		return json.Unmarshal(resp, out)
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	if err := create(); err != nil {
		return err
	}
	resp, err = json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO atlas_idempotency (token_id, key, operation, request_hash, response) VALUES ($1, $2, $3, $4, $5::jsonb)`,
		p.TokenID, key, op, hash[:], string(resp))
	return err
}
