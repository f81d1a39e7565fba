-- The change log: one row per data revision saying what the statement that
-- bumped it changed, so that a replica refreshes its snapshot from the rows
-- that changed instead of reading the whole dataset again. A change of
-- partnerships or projects lists their ids (old and new); any other change
-- (countries, authorities, partners, boundaries), a TRUNCATE or a
-- statement touching more than 5,000 rows is marked full: replicas then
-- read everything. Only the last 10,000 revisions are kept; a replica
-- further behind reads everything.
CREATE TABLE atlas_changes (
    rev   bigint PRIMARY KEY,
    tbl   text NOT NULL,
    "full" boolean NOT NULL,
    ids   text[] NOT NULL DEFAULT '{}',
    CHECK ("full" OR tbl IN ('atlas_partnerships', 'atlas_projects'))
);

-- atlas_bump bumps the revision, logs the change and NOTIFYs (delivered at
-- commit, with the transaction's rows).
CREATE FUNCTION atlas_bump(tbl text, is_full boolean, changed text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
BEGIN
    UPDATE atlas_revision SET rev = rev + 1, changed_at = now() RETURNING rev INTO r;
    IF NOT is_full AND cardinality(changed) > 5000 THEN
        is_full := true;
    END IF;
    INSERT INTO atlas_changes (rev, tbl, "full", ids)
        VALUES (r, tbl, is_full, CASE WHEN is_full THEN '{}' ELSE changed END);
    DELETE FROM atlas_changes WHERE rev <= r - 10000;
    PERFORM pg_notify('atlas_data_changed', r::text);
END;
$$;

-- Countries, authorities, partners, boundaries: a full change.
CREATE OR REPLACE FUNCTION atlas_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM atlas_bump(TG_TABLE_NAME, true, '{}');
    RETURN NULL;
END;
$$;

-- Partnerships and projects: the ids of the rows the statement touched,
-- from its transition tables (a statement trigger with transition tables
-- serves one event, hence one trigger per event).
CREATE FUNCTION atlas_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    changed text[];
BEGIN
    -- Count first: a bulk statement (an import) is marked full without
    -- gathering its ids.
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM atlas_old_rows;
    ELSE
        SELECT count(*) INTO n FROM atlas_new_rows;
    END IF;
    IF n = 0 THEN
        RETURN NULL;
    ELSIF n > 5000 THEN
        PERFORM atlas_bump(TG_TABLE_NAME, true, '{}');
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(id) INTO changed FROM atlas_new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT id) INTO changed
            FROM (SELECT id FROM atlas_old_rows UNION ALL SELECT id FROM atlas_new_rows) AS t;
    ELSE
        SELECT array_agg(id) INTO changed FROM atlas_old_rows;
    END IF;
    PERFORM atlas_bump(TG_TABLE_NAME, false, changed);
    RETURN NULL;
END;
$$;

DROP TRIGGER atlas_partnerships_changed ON atlas_partnerships;
DROP TRIGGER atlas_projects_changed ON atlas_projects;

CREATE TRIGGER atlas_partnerships_inserted AFTER INSERT ON atlas_partnerships
    REFERENCING NEW TABLE AS atlas_new_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_partnerships_updated AFTER UPDATE ON atlas_partnerships
    REFERENCING OLD TABLE AS atlas_old_rows NEW TABLE AS atlas_new_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_partnerships_deleted AFTER DELETE ON atlas_partnerships
    REFERENCING OLD TABLE AS atlas_old_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_partnerships_truncated AFTER TRUNCATE ON atlas_partnerships
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();

CREATE TRIGGER atlas_projects_inserted AFTER INSERT ON atlas_projects
    REFERENCING NEW TABLE AS atlas_new_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_projects_updated AFTER UPDATE ON atlas_projects
    REFERENCING OLD TABLE AS atlas_old_rows NEW TABLE AS atlas_new_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_projects_deleted AFTER DELETE ON atlas_projects
    REFERENCING OLD TABLE AS atlas_old_rows FOR EACH STATEMENT EXECUTE FUNCTION atlas_rows_changed();
CREATE TRIGGER atlas_projects_truncated AFTER TRUNCATE ON atlas_projects
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
