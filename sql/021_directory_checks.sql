-- A client's operator and tag are checked once per statement, not by foreign keys.
--
-- A foreign key checks each inserted row with SELECT ... FOR KEY SHARE on the row it names.
-- Clients written at once mostly name the same few operators (and an import, one tag), so
-- every concurrent writer locks the same operators row, and PostgreSQL makes a new MultiXact
-- for each lock it shares. Measured with pgbench (32 connections, the API's client INSERT and
-- its audit INSERT, each its own transaction): 201 us of PostgreSQL CPU per client with the
-- three foreign keys below, 170 us without them.
--
-- Instead, the clients triggers that keep tags.clients (statement level, on the transition
-- tables they already have) check that every operator and tag named exists, and a delete of
-- an operator or tag takes a SHARE lock on clients first, so that no write naming it can be
-- in flight, and refuses while a client names it. Both raise foreign_key_violation (23503),
-- as the constraints did, so the callers see no difference: a client naming an unknown
-- operator is created with it (model_client.c), a tag or operator in use is not deleted (409).
--
-- audit_log.user_id loses its foreign key without a replacement: the log keeps the username
-- beside the id, and the id of a user who is gone still says who it was.
ALTER TABLE clients DROP CONSTRAINT clients_operator_code_fkey,
                    DROP CONSTRAINT clients_tag_id_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_user_id_fkey;

-- Raises foreign_key_violation when an operator code of ops or a tag id of tags does not exist.
CREATE FUNCTION clients_refs_check(ops text[], tags bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bad text;
BEGIN
    SELECT o INTO bad FROM unnest(ops) o WHERE NOT EXISTS (SELECT 1 FROM operators WHERE code = o) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'operator % does not exist', bad
            USING ERRCODE = 'foreign_key_violation', TABLE = 'clients', COLUMN = 'operator_code';
    END IF;
    SELECT t INTO bad FROM unnest(tags) t WHERE NOT EXISTS (SELECT 1 FROM tags WHERE id = t) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'tag % does not exist', bad
            USING ERRCODE = 'foreign_key_violation', TABLE = 'clients', COLUMN = 'tag_id';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tags_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM clients_refs_check(ARRAY(SELECT DISTINCT operator_code FROM new_rows),
                               ARRAY(SELECT DISTINCT tag_id FROM new_rows WHERE tag_id IS NOT NULL));
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, count(*) AS n FROM new_rows WHERE tag_id IS NOT NULL GROUP BY tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tags_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM clients_refs_check(ARRAY(SELECT DISTINCT operator_code FROM new_rows),
                               ARRAY(SELECT DISTINCT tag_id FROM new_rows WHERE tag_id IS NOT NULL));
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, sum(n) AS n FROM (
                SELECT tag_id, 1 AS n FROM new_rows WHERE tag_id IS NOT NULL
                UNION ALL
                SELECT tag_id, -1 FROM old_rows WHERE tag_id IS NOT NULL) x
             GROUP BY tag_id) d
     WHERE t.id = d.tag_id AND d.n <> 0;
    RETURN NULL;
END $$;

-- Before an operator or tag goes (or an operator's code changes): no client may name it.
CREATE FUNCTION clients_refs_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN   -- operators only (tags' trigger is on DELETE)
        IF NEW.code = OLD.code THEN
            RETURN NEW;
        END IF;
    END IF;
    LOCK TABLE clients IN SHARE MODE;
    IF TG_TABLE_NAME = 'operators' THEN
        IF EXISTS (SELECT 1 FROM clients WHERE operator_code = OLD.code) THEN
            RAISE EXCEPTION 'operator % is named by clients', OLD.code
                USING ERRCODE = 'foreign_key_violation', TABLE = 'operators';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM clients WHERE tag_id = OLD.id) THEN
        RAISE EXCEPTION 'tag % is named by clients', OLD.name
            USING ERRCODE = 'foreign_key_violation', TABLE = 'tags';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER operators_in_use BEFORE DELETE OR UPDATE OF code ON operators
    FOR EACH ROW EXECUTE FUNCTION clients_refs_in_use();
CREATE TRIGGER tags_in_use BEFORE DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION clients_refs_in_use();
