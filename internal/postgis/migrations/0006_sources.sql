-- A real partnership names the real lists that document it (English
-- Wikipedia's twin-town lists, Wikidata, Italian Wikipedia), in that order;
-- a synthetic or declared one names none.
ALTER TABLE atlas_partnerships
    ADD COLUMN sources text[] NOT NULL DEFAULT '{}'
        CHECK (sources <@ ARRAY['wikipedia-en', 'wikidata', 'wikipedia-it']
            AND (provenance = 'real' OR sources = '{}'));

-- The declared records keep the JSON of the API's records, which carry no
-- sources.
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
        END
    FROM declared d
$$;
