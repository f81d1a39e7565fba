-- Atlas schema, version 1: the dataset tables (one row per CSV row or
-- GeoJSON feature, with an explicit load order), the change counter that
-- every write bumps and announces with NOTIFY, bearer tokens and the audit
-- trail of declarations.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE atlas_countries (
    iso2      text PRIMARY KEY,
    ord       bigint NOT NULL UNIQUE,
    iso3      text NOT NULL,
    name_fr   text NOT NULL,
    name_en   text NOT NULL,
    label_lon double precision NOT NULL,
    label_lat double precision NOT NULL
);

CREATE TABLE atlas_authorities (
    id          text PRIMARY KEY,
    ord         bigint NOT NULL UNIQUE,
    type        text NOT NULL CHECK (type IN ('region', 'departement', 'groupement', 'commune')),
    code        text NOT NULL,
    name        text NOT NULL,
    departement text NOT NULL,
    region      text NOT NULL,
    population  integer NOT NULL CHECK (population >= 0),
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX atlas_authorities_code ON atlas_authorities (code);
CREATE INDEX atlas_authorities_geom ON atlas_authorities USING gist (geom);

CREATE TABLE atlas_partners (
    id          text PRIMARY KEY,
    ord         bigint NOT NULL UNIQUE,
    geonameid   bigint NOT NULL,
    name        text NOT NULL,
    country     text NOT NULL REFERENCES atlas_countries (iso2),
    subdivision text NOT NULL,
    population  integer NOT NULL CHECK (population >= 0),
    lon         double precision NOT NULL,
    lat         double precision NOT NULL,
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
);
CREATE INDEX atlas_partners_geom ON atlas_partners USING gist (geom);

CREATE TABLE atlas_partnerships (
    id           text PRIMARY KEY,
    ord          bigint NOT NULL UNIQUE,
    authority_id text NOT NULL REFERENCES atlas_authorities (id),
    partner_id   text NOT NULL REFERENCES atlas_partners (id),
    kind         text NOT NULL CHECK (kind IN ('jumelage', 'cooperation', 'amitie')),
    start_year   integer NOT NULL CHECK (start_year = 0 OR start_year BETWEEN 1900 AND 2100),
    active       boolean NOT NULL,
    provenance   text NOT NULL CHECK (provenance IN ('real', 'synthetic'))
);
CREATE INDEX atlas_partnerships_authority ON atlas_partnerships (authority_id);
CREATE INDEX atlas_partnerships_partner ON atlas_partnerships (partner_id);

CREATE TABLE atlas_projects (
    id             text PRIMARY KEY,
    ord            bigint NOT NULL UNIQUE,
    partnership_id text NOT NULL REFERENCES atlas_partnerships (id),
    title          text NOT NULL,
    themes         text[] NOT NULL CHECK (cardinality(themes) BETWEEN 1 AND 3),
    start_year     integer NOT NULL CHECK (start_year = 0 OR start_year BETWEEN 1900 AND 2100),
    provenance     text NOT NULL CHECK (provenance IN ('real', 'synthetic'))
);
CREATE INDEX atlas_projects_partnership ON atlas_projects (partnership_id);

-- Boundaries keep their original type (Polygon or MultiPolygon) and exact
-- coordinates: no typmod that would coerce them.
CREATE TABLE atlas_boundaries (
    layer text NOT NULL CHECK (layer IN ('countries', 'regions', 'departements')),
    id    text NOT NULL,
    ord   bigint NOT NULL,
    name  text NOT NULL,
    geom  geometry NOT NULL CHECK (ST_SRID(geom) = 4326 AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')),
    PRIMARY KEY (layer, id),
    UNIQUE (layer, ord)
);
CREATE INDEX atlas_boundaries_geom ON atlas_boundaries USING gist (geom);

-- Server-generated ids of declared records.
CREATE SEQUENCE atlas_declaration_seq;

-- One row: the data revision. Every statement that changes a data table
-- bumps it in its own transaction (so a reader sees the revision matching
-- the rows it reads) and NOTIFYs atlas_data_changed with the new revision,
-- delivered to listeners at commit.
CREATE TABLE atlas_revision (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    rev        bigint NOT NULL,
    changed_at timestamptz NOT NULL
);
INSERT INTO atlas_revision (rev, changed_at) VALUES (0, now());

CREATE FUNCTION atlas_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
BEGIN
    UPDATE atlas_revision SET rev = rev + 1, changed_at = now() RETURNING rev INTO r;
    PERFORM pg_notify('atlas_data_changed', r::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER atlas_countries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_countries
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_authorities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_authorities
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_partners_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_partners
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_partnerships_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_partnerships
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_projects_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_projects
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_boundaries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_boundaries
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();

-- Bearer tokens: only the SHA-256 of the token is stored. An admin token has
-- no authority; an authority token writes the partnerships of its authority
-- (checked when the token is created: no foreign key, so that a --replace
-- import does not have to drop tokens).
CREATE TABLE atlas_tokens (
    id           bigserial PRIMARY KEY,
    hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    authority_id text,
    admin        boolean NOT NULL DEFAULT false,
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK (admin <> (authority_id IS NOT NULL))
);

-- Audit trail of every declaration write.
CREATE TABLE atlas_audit (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    token_id     bigint NOT NULL REFERENCES atlas_tokens (id),
    authority_id text,
    action       text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    table_name   text NOT NULL,
    record_id    text NOT NULL,
    before       jsonb,
    after        jsonb
);
CREATE INDEX atlas_audit_record ON atlas_audit (table_name, record_id);
