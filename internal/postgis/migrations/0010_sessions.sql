-- The extranet's sessions: a collectivité (or the ministry) gives its token
-- once, on the extranet's sign-in form, and its browser then holds a session
-- cookie instead of the token. A session stands for its token: revoking the
-- token ends its sessions. The database keeps the SHA-256 of the session id
-- only, as for the tokens.
CREATE TABLE atlas_sessions (
    hash       bytea PRIMARY KEY CHECK (length(hash) = 32),
    token_id   bigint NOT NULL REFERENCES atlas_tokens (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX atlas_sessions_expires ON atlas_sessions (expires_at);
CREATE INDEX atlas_sessions_token ON atlas_sessions (token_id);
