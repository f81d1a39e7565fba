-- An import (--upsert, --replace) records in the audit trail what it does to
-- the declared records: the partnerships and projects written through the
-- API, that is with an audit row of their own. Its rows say via = 'import'
-- and carry no token (the import runs with the database's credentials).
ALTER TABLE atlas_audit
    ADD COLUMN via text NOT NULL DEFAULT 'api' CHECK (via IN ('api', 'import'));
ALTER TABLE atlas_audit DROP CONSTRAINT atlas_audit_writer_check;
ALTER TABLE atlas_audit ADD CONSTRAINT atlas_audit_writer_check
    CHECK (action = 'rejected' OR token_id IS NOT NULL OR via = 'import');

-- The declared records as they are now (rec NULL for one deleted), in the
-- JSON of the API's records, which the audit rows of the API hold.
CREATE FUNCTION atlas_declared_rows() RETURNS TABLE (table_name text, record_id text, rec jsonb)
LANGUAGE sql STABLE AS $$
    WITH declared AS (
        SELECT DISTINCT a.table_name, a.record_id FROM atlas_audit a
        WHERE a.via = 'api' AND a.action IN ('create', 'update', 'delete')
    )
    SELECT d.table_name, d.record_id,
        CASE d.table_name
        WHEN 'partnerships' THEN (
            SELECT CASE WHEN p.start_year = 0 THEN to_jsonb(p) - 'ord' - 'start_year' ELSE to_jsonb(p) - 'ord' END
            FROM atlas_partnerships p WHERE p.id = d.record_id)
        WHEN 'projects' THEN (
            SELECT CASE WHEN p.start_year = 0 THEN to_jsonb(p) - 'ord' - 'start_year' ELSE to_jsonb(p) - 'ord' END
            FROM atlas_projects p WHERE p.id = d.record_id)
        END
    FROM declared d
$$;
