-- Idempotency keys of the creating writes (POST with an Idempotency-Key
-- header): the same key from the same token with the same body answers the
-- record the first request created instead of creating another one; with
-- another body it is refused. Keys are kept 24 hours.
CREATE TABLE atlas_idempotency (
    token_id     bigint NOT NULL REFERENCES atlas_tokens (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    operation    text NOT NULL,
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    response     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);
CREATE INDEX atlas_idempotency_created ON atlas_idempotency (created_at);
