-- Ministry tokens: the ministry's staff publish and close the requests of
-- the bourse-projets and see the collectivités' interests. A token is now
-- exactly one of: admin, ministry, or one authority's.
ALTER TABLE atlas_tokens ADD COLUMN ministry boolean NOT NULL DEFAULT false;
ALTER TABLE atlas_tokens DROP CONSTRAINT atlas_tokens_check;
ALTER TABLE atlas_tokens ADD CONSTRAINT atlas_tokens_scope_check
    CHECK (admin::int + ministry::int + (authority_id IS NOT NULL)::int = 1);

-- The bourse-projets: a foreign local authority looking for a French
-- partner, published by the ministry on its behalf. Its place is a partner
-- of the atlas or a new one (name, country, point). References are checked
-- at commit, so that an import --replace may rewrite the places; an import
-- neither writes nor deletes requests.
CREATE TABLE atlas_requests (
    id             text PRIMARY KEY,
    ord            bigserial UNIQUE,
    partner_id     text REFERENCES atlas_partners (id) DEFERRABLE INITIALLY DEFERRED,
    name           text NOT NULL CHECK (name <> ''),
    country        text NOT NULL REFERENCES atlas_countries (iso2) DEFERRABLE INITIALLY DEFERRED,
    lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    themes         text[] NOT NULL CHECK (cardinality(themes) BETWEEN 1 AND 3),
    description    text NOT NULL,
    sought_types   text[] NOT NULL DEFAULT '{}',
    min_population integer NOT NULL DEFAULT 0,
    max_population integer NOT NULL DEFAULT 0,
    languages      text[] NOT NULL,
    valid_until    date NOT NULL,
    status         text NOT NULL CHECK (status IN ('open', 'closed')),
    published      date NOT NULL
);
CREATE TRIGGER atlas_requests_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_requests
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();

-- A collectivité's interest in a request: seen by the ministry only (not
-- in the served snapshot).
CREATE TABLE atlas_interests (
    request_id   text NOT NULL REFERENCES atlas_requests (id),
    authority_id text NOT NULL REFERENCES atlas_authorities (id) DEFERRABLE INITIALLY DEFERRED,
    message      text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, authority_id)
);
