-- The G/L - item ledger relation's references, checked once per INSERT statement over its transition table instead
-- of by deferred foreign keys (one queued check and one FOR KEY SHARE row lock per row at commit: millions for a
-- per-entry Post Inventory Cost to G/L run). Neither referenced table allows DELETE, so a reference that exists when
-- the row goes in exists for good. A run links the entries of one range on each side, and entry numbers are gap-free:
-- when the range is complete in the referenced table, every reference in it exists (one count over the primary
-- key); otherwise each distinct reference is looked up.
CREATE OR REPLACE FUNCTION costbook_glrel_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gl_lo bigint;
    gl_hi bigint;
    ve_lo bigint;
    ve_hi bigint;
    bad bigint;
BEGIN
    SELECT min(gl_entry_no), max(gl_entry_no), min(value_entry_no), max(value_entry_no)
      INTO gl_lo, gl_hi, ve_lo, ve_hi FROM new_rows;
    IF gl_lo IS NULL THEN
        RETURN NULL;
    END IF;
    IF (SELECT count(*) FROM ledger_gl_entry WHERE entry_no BETWEEN gl_lo AND gl_hi) <> gl_hi - gl_lo + 1 THEN
        SELECT n.gl_entry_no INTO bad FROM (SELECT DISTINCT gl_entry_no FROM new_rows) n
         WHERE NOT EXISTS (SELECT 1 FROM ledger_gl_entry g WHERE g.entry_no = n.gl_entry_no) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'a G/L - item ledger relation names G/L entry %, which does not exist', bad
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF (SELECT count(*) FROM costing_value_entry WHERE entry_no BETWEEN ve_lo AND ve_hi) <> ve_hi - ve_lo + 1 THEN
        SELECT n.value_entry_no INTO bad FROM (SELECT DISTINCT value_entry_no FROM new_rows) n
         WHERE NOT EXISTS (SELECT 1 FROM costing_value_entry v WHERE v.entry_no = n.value_entry_no) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'a G/L - item ledger relation names value entry %, which does not exist', bad
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER glrel_check_insert AFTER INSERT ON costing_gl_item_ledger_relation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_glrel_check_insert();
