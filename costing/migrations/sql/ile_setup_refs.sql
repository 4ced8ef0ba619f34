-- An item ledger entry's item, location and general business posting group, checked once per INSERT (or COPY)
-- statement instead of by deferred foreign keys, and the setup rows they name protected by triggers on the setup
-- tables instead of by those keys.
--
-- Three deferred FKs queued three checks per entry, each its own query at commit with a FOR KEY SHARE lock on the
-- setup row: for a 5,000-line posting about 14,000 checks, the whole of its commit time. A setup table has a handful
-- of locations and groups and thousands of items, so a statement checks each distinct code once. What the keys also
-- did, refusing to delete or renumber a setup row entries name or to empty its table, the triggers below do.
CREATE OR REPLACE FUNCTION costbook_ile_setup_refs_check() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
DECLARE
    bad text;
BEGIN
    SELECT n.item_no INTO bad FROM (SELECT DISTINCT item_no FROM new_rows) n
     WHERE (SELECT i.no FROM costing_item i WHERE i.no = n.item_no) IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'an item ledger entry names item %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.location_code INTO bad FROM (SELECT DISTINCT location_code FROM new_rows) n
     WHERE n.location_code IS NOT NULL
       AND (SELECT l.code FROM costing_location l WHERE l.code = n.location_code) IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'an item ledger entry names location %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.gen_bus_posting_group_id INTO bad FROM (SELECT DISTINCT gen_bus_posting_group_id FROM new_rows) n
     WHERE n.gen_bus_posting_group_id IS NOT NULL
       AND (SELECT g.code FROM ledger_gen_business_posting_group g WHERE g.code = n.gen_bus_posting_group_id) IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'an item ledger entry names general business posting group %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ile_setup_refs_check AFTER INSERT ON costing_item_ledger_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_ile_setup_refs_check();

-- A setup row named by item ledger entries is not deleted nor given another key (as ON DELETE / ON UPDATE NO ACTION).
-- TG_ARGV[0] is the item ledger entry column that names the row, TG_ARGV[1] the setup table's key column. Items are
-- found through ile_item_date; locations and groups (rarely deleted, a handful) by a scan that stops at the first hit.
CREATE OR REPLACE FUNCTION costbook_setup_row_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    code text := to_jsonb(OLD) ->> TG_ARGV[1];
    used boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND code IS NOT DISTINCT FROM to_jsonb(NEW) ->> TG_ARGV[1] THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM costing_item_ledger_entry WHERE %I = $1)', TG_ARGV[0])
       INTO used USING code;
    IF used THEN
        RAISE EXCEPTION '% % is named by item ledger entries and cannot be deleted or renamed', TG_TABLE_NAME, code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

-- TRUNCATE of a setup table while item ledger entries exist (even with CASCADE, which no longer reaches the
-- entries), unless in the maintenance session that may also empty the ledgers (maintenance_superuser_only.sql).
CREATE OR REPLACE FUNCTION costbook_setup_truncate_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('costbook.maintenance', true) = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM costing_item_ledger_entry) THEN
        RAISE EXCEPTION '% is named by item ledger entries and cannot be emptied', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER item_in_use BEFORE DELETE OR UPDATE OF no ON costing_item
    FOR EACH ROW EXECUTE FUNCTION costbook_setup_row_in_use('item_no', 'no');
CREATE TRIGGER location_in_use BEFORE DELETE OR UPDATE OF code ON costing_location
    FOR EACH ROW EXECUTE FUNCTION costbook_setup_row_in_use('location_code', 'code');
CREATE TRIGGER gen_bus_group_in_use BEFORE DELETE OR UPDATE OF code ON ledger_gen_business_posting_group
    FOR EACH ROW EXECUTE FUNCTION costbook_setup_row_in_use('gen_bus_posting_group_id', 'code');
CREATE TRIGGER item_truncate_in_use BEFORE TRUNCATE ON costing_item
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_setup_truncate_in_use();
CREATE TRIGGER location_truncate_in_use BEFORE TRUNCATE ON costing_location
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_setup_truncate_in_use();
CREATE TRIGGER gen_bus_group_truncate_in_use BEFORE TRUNCATE ON ledger_gen_business_posting_group
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_setup_truncate_in_use();
