-- The money side: the OECD DAC purpose codes, the collectivités' yearly
-- declarations of aide publique au développement (APD) and their lines,
-- every previous version of an amended declaration, the ministry's calls
-- for projects and the collectivités' applications. Amounts are integer
-- euros. An import writes all of these but the versions; the write API
-- writes declarations, their versions and applications. References to the
-- places are checked at commit, so that an import --replace may rewrite
-- them.

CREATE TABLE atlas_sectors (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
    ord         bigint NOT NULL UNIQUE,
    category    text NOT NULL CHECK (category = left(code, 3)),
    name_fr     text NOT NULL,
    name_en     text NOT NULL,
    category_fr text NOT NULL,
    category_en text NOT NULL
);

-- One collectivité's APD for one year. A draft may be replaced; a declared
-- year is only amended: status 'amended', version + 1, the previous version
-- kept in atlas_apd_versions.
CREATE TABLE atlas_apd (
    authority_id text NOT NULL REFERENCES atlas_authorities (id) DEFERRABLE INITIALLY DEFERRED,
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status       text NOT NULL CHECK (status IN ('draft', 'declared', 'amended')),
    version      integer NOT NULL CHECK (version >= 1),
    provenance   text NOT NULL CHECK (provenance IN ('declared', 'synthetic')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (authority_id, year)
);

-- The lines of a declaration, numbered from 0 in the order written.
-- country '' is unallocated (several countries, or refugees in France);
-- partnership_id and project_id '' name none (checked when written: an
-- import may rewrite the partnerships).
CREATE TABLE atlas_apd_lines (
    authority_id   text NOT NULL,
    year           integer NOT NULL,
    line           integer NOT NULL CHECK (line >= 0),
    amount_eur     bigint NOT NULL CHECK (amount_eur > 0 AND amount_eur <= 1000000000),
    country        text NOT NULL CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    sector         text NOT NULL REFERENCES atlas_sectors (code) DEFERRABLE INITIALLY DEFERRED,
    channel        text NOT NULL CHECK (channel IN ('direct', 'association', 'multilateral', 'collectivite')),
    refugees       boolean NOT NULL DEFAULT false,
    partnership_id text NOT NULL DEFAULT '',
    project_id     text NOT NULL DEFAULT '',
    PRIMARY KEY (authority_id, year, line),
    FOREIGN KEY (authority_id, year) REFERENCES atlas_apd (authority_id, year) ON DELETE CASCADE
);

-- Every version of a declaration that an amendment replaced, with its
-- lines as the API's JSON; who replaced it (token) and when. Append-only,
-- like the audit trail: no role may update, delete or truncate it.
CREATE TABLE atlas_apd_versions (
    id            bigserial PRIMARY KEY,
    authority_id  text NOT NULL,
    year          integer NOT NULL,
    version       integer NOT NULL,
    status        text NOT NULL,
    provenance    text NOT NULL,
    lines         jsonb NOT NULL,
    written_at    timestamptz NOT NULL,
    superseded_at timestamptz NOT NULL DEFAULT now(),
    token_id      bigint REFERENCES atlas_tokens (id)
);
CREATE INDEX atlas_apd_versions_declaration ON atlas_apd_versions (authority_id, year, version);

CREATE FUNCTION atlas_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER atlas_apd_versions_append_only BEFORE UPDATE OR DELETE ON atlas_apd_versions
    FOR EACH ROW EXECUTE FUNCTION atlas_append_only();
CREATE TRIGGER atlas_apd_versions_no_truncate BEFORE TRUNCATE ON atlas_apd_versions
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_append_only();

-- The ministry's calls for projects.
CREATE TABLE atlas_calls (
    id         text PRIMARY KEY CHECK (id <> ''),
    title      text NOT NULL CHECK (title <> ''),
    kind       text NOT NULL CHECK (kind IN ('triennal', 'annuel', 'bilateral', 'thematique')),
    themes     text[] NOT NULL DEFAULT '{}',
    countries  text[] NOT NULL DEFAULT '{}',
    opens      date NOT NULL,
    closes     date NOT NULL CHECK (closes >= opens),
    budget_eur bigint NOT NULL CHECK (budget_eur >= 0),
    provenance text NOT NULL CHECK (provenance IN ('declared', 'synthetic'))
);

-- A collectivité's application to a call: a project of the atlas
-- (project_id) or a new one (title, country).
CREATE TABLE atlas_applications (
    id            text PRIMARY KEY CHECK (id <> ''),
    call_id       text NOT NULL REFERENCES atlas_calls (id) DEFERRABLE INITIALLY DEFERRED,
    authority_id  text NOT NULL REFERENCES atlas_authorities (id) DEFERRABLE INITIALLY DEFERRED,
    project_id    text NOT NULL DEFAULT '',
    title         text NOT NULL,
    country       text NOT NULL,
    requested_eur bigint NOT NULL CHECK (requested_eur > 0),
    granted_eur   bigint NOT NULL DEFAULT 0 CHECK (granted_eur >= 0 AND granted_eur <= requested_eur),
    participants  integer NOT NULL DEFAULT 0 CHECK (participants >= 0),
    status        text NOT NULL CHECK (status IN ('deposee', 'recevable', 'laureat', 'refusee')),
    deposited     date NOT NULL,
    provenance    text NOT NULL CHECK (provenance IN ('declared', 'synthetic')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX atlas_applications_call ON atlas_applications (call_id, id);

-- What every replica serves changes with them: a full change (few rows,
-- seldom written). The versions are not served.
CREATE TRIGGER atlas_sectors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_sectors
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_apd_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_apd
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_apd_lines_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_apd_lines
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_calls_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_calls
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
CREATE TRIGGER atlas_applications_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_applications
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();

-- An import records what it does to the declarations and applications
-- written through the API, as to the partnerships and projects (migration
-- 0005): the declared records now include them, in the JSON of the API's
-- records (a declaration's record id is authority/year).
CREATE OR REPLACE FUNCTION atlas_declared_rows() RETURNS TABLE (table_name text, record_id text, rec jsonb)
LANGUAGE sql STABLE AS $$
    WITH declared AS (
        SELECT DISTINCT a.table_name, a.record_id FROM atlas_audit a
        WHERE a.via = 'api' AND a.action IN ('create', 'update', 'delete')
    )
    SELECT d.table_name, d.record_id,
        CASE d.table_name
        WHEN 'partnerships' THEN (
            SELECT CASE WHEN p.start_year = 0 THEN to_jsonb(p) - 'ord' - 'start_year' - 'sources' ELSE to_jsonb(p) - 'ord' - 'sources' END
            FROM atlas_partnerships p WHERE p.id = d.record_id)
        WHEN 'projects' THEN (
            SELECT CASE WHEN p.start_year = 0 THEN to_jsonb(p) - 'ord' - 'start_year' ELSE to_jsonb(p) - 'ord' END
            FROM atlas_projects p WHERE p.id = d.record_id)
        WHEN 'apd' THEN (
            SELECT jsonb_build_object('authority_id', x.authority_id, 'year', x.year, 'status', x.status, 'version', x.version,
                'provenance', x.provenance, 'lines', coalesce((
                    SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('amount_eur', l.amount_eur, 'country', l.country,
                        'sector', l.sector, 'channel', l.channel, 'refugees', l.refugees,
                        'partnership_id', nullif(l.partnership_id, ''), 'project_id', nullif(l.project_id, ''))) ORDER BY l.line)
                    FROM atlas_apd_lines l WHERE l.authority_id = x.authority_id AND l.year = x.year), '[]'::jsonb))
            FROM atlas_apd x
            WHERE d.record_id ~ '/[0-9]{4}$' AND x.authority_id = left(d.record_id, -5) AND x.year = right(d.record_id, 4)::integer)
        WHEN 'applications' THEN (
            SELECT jsonb_strip_nulls(jsonb_build_object('id', x.id, 'call_id', x.call_id, 'authority_id', x.authority_id,
                'project_id', nullif(x.project_id, ''), 'title', x.title, 'country', x.country, 'requested_eur', x.requested_eur,
                'granted_eur', x.granted_eur, 'participants', nullif(x.participants, 0), 'status', x.status,
                'deposited', to_char(x.deposited, 'YYYY-MM-DD'), 'provenance', x.provenance))
            FROM atlas_applications x WHERE x.id = d.record_id)
        END
    FROM declared d
$$;
