-- A collectivité's own page: its international relations contact (a
-- service and a role, never a person), website, presentation in French and
-- English and the address of its logo on its own site. Written by the
-- collectivité through the write API (PUT /api/authorities/{id}/fiche),
-- never by an import: an import neither writes nor deletes fiches, and
-- cannot remove an authority that has one (the reference is checked at
-- commit, so that import --replace may delete and insert the authorities
-- again). Every update adds 1 to version;
-- the audit trail keeps each version (before and after).
CREATE TABLE atlas_fiches (
    authority_id    text PRIMARY KEY REFERENCES atlas_authorities (id) DEFERRABLE INITIALLY DEFERRED,
    service         text NOT NULL CHECK (service <> ''),
    role            text NOT NULL CHECK (role <> ''),
    email           text NOT NULL CHECK (email <> ''),
    phone           text NOT NULL DEFAULT '',
    website         text NOT NULL DEFAULT '',
    presentation_fr text NOT NULL DEFAULT '',
    presentation_en text NOT NULL DEFAULT '',
    logo_url        text NOT NULL DEFAULT '',
    version         integer NOT NULL CHECK (version >= 1),
    updated_at      date NOT NULL
);

-- A fiche changes what every replica serves: a full change (fiches are
-- few and seldom written).
CREATE TRIGGER atlas_fiches_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON atlas_fiches
    FOR EACH STATEMENT EXECUTE FUNCTION atlas_data_changed();
