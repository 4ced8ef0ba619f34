-- Value entries never change: what Post Inventory Cost to G/L has posted of them lives in
-- costing_value_entry_gl_posting (costing.models.ValueEntryGLPosting), created by this migration's model operation.
--
-- Marking a value entry posted used to write a new version of its whole row (about 500 bytes) beside the old one,
-- on pages kept half empty for it (fillfactor 50): a quarter of a Post Inventory Cost to G/L run. A narrow row per
-- posted entry costs about a third of that, and the value entry table goes back to full pages.

-- The guard: no UPDATE of a value entry at all, no DELETE.
CREATE OR REPLACE FUNCTION costbook_ve_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'value entry % is posted and cannot be deleted', OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'value entry % is posted and cannot change', OLD.entry_no USING ERRCODE = 'check_violation';
END $$;
DROP TRIGGER IF EXISTS ve_guard ON costing_value_entry;
-- BEFORE, unlike the guards of 0016: no update is legitimate any more, so none needs to be cheap, and a refused one
-- then never reaches the table (reliability invariant I7 counts updates that did).
CREATE TRIGGER ve_guard BEFORE UPDATE ON costing_value_entry FOR EACH ROW EXECUTE FUNCTION costbook_ve_guard();
ALTER TABLE costing_value_entry RESET (fillfactor);

-- The posted amounts: a row per value entry, added to by later postings of the same entry, never deleted, and its
-- value entry must exist (checked once per statement: a run inserts a million rows).
CREATE OR REPLACE FUNCTION costbook_ve_gl_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'what is posted to the G/L of value entry % cannot be deleted', OLD.value_entry_no
            USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'what is posted to the G/L of value entry % can only be added to', OLD.value_entry_no
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER ve_gl_posting_guard_delete BEFORE DELETE ON costing_value_entry_gl_posting
    FOR EACH ROW EXECUTE FUNCTION costbook_ve_gl_posting_guard();
CREATE TRIGGER ve_gl_posting_guard AFTER UPDATE ON costing_value_entry_gl_posting
    FOR EACH ROW WHEN (OLD.value_entry_no IS DISTINCT FROM NEW.value_entry_no)
    EXECUTE FUNCTION costbook_ve_gl_posting_guard();
CREATE TRIGGER ve_gl_posting_no_truncate BEFORE TRUNCATE ON costing_value_entry_gl_posting
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();

-- A run marks its value entries posted a chunk at a time, in entry order: their numbers fill most of their range, and
-- when every number of the range is a value entry (one count over the primary key) so is every row's. Only otherwise
-- is each row looked up (as glrel_refs_checked.sql does for the relation).
CREATE OR REPLACE FUNCTION costbook_ve_gl_posting_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
    bad bigint;
BEGIN
    SELECT min(value_entry_no), max(value_entry_no) INTO lo, hi FROM new_rows;
    IF lo IS NULL
       OR (SELECT count(*) FROM costing_value_entry WHERE entry_no BETWEEN lo AND hi) = hi - lo + 1 THEN
        RETURN NULL;
    END IF;
    SELECT n.value_entry_no INTO bad FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM costing_value_entry v WHERE v.entry_no = n.value_entry_no) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'posted-to-G/L amounts name value entry %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ve_gl_posting_check_insert AFTER INSERT ON costing_value_entry_gl_posting
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_ve_gl_posting_check_insert();
