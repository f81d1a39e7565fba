-- The audit trail says where each write came from (request id, client
-- address, user agent), records the writes refused for their token (401) or
-- their scope (403), and is append-only: no role, the serving one included,
-- can update, delete or truncate its rows.
ALTER TABLE atlas_audit
    ALTER COLUMN token_id DROP NOT NULL,
    ADD COLUMN request_id  text NOT NULL DEFAULT '',
    ADD COLUMN client_addr text NOT NULL DEFAULT '',
    ADD COLUMN user_agent  text NOT NULL DEFAULT '',
    ADD COLUMN request     text NOT NULL DEFAULT '',
    ADD COLUMN status      integer,
    ADD COLUMN reason      text NOT NULL DEFAULT '';
ALTER TABLE atlas_audit DROP CONSTRAINT atlas_audit_action_check;
ALTER TABLE atlas_audit ADD CONSTRAINT atlas_audit_action_check
    CHECK (action IN ('create', 'update', 'delete', 'rejected'));
ALTER TABLE atlas_audit ADD CONSTRAINT atlas_audit_writer_check
    CHECK (action = 'rejected' OR token_id IS NOT NULL);
ALTER TABLE atlas_audit ADD CONSTRAINT atlas_audit_rejected_check
    CHECK ((action = 'rejected') = (status IS NOT NULL));

CREATE FUNCTION atlas_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'atlas_audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER atlas_audit_append_only BEFORE UPDATE OR DELETE ON atlas_audit
    FOR EACH ROW EXECUTE FUNCTION atlas_audit_append_only();
CREATE TRIGGER atlas_audit_no_truncate BEFORE TRUNCATE ON atlas_audit
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_audit_append_only();
