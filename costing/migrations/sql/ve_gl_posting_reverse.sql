DROP TRIGGER IF EXISTS ve_gl_posting_check_insert ON costing_value_entry_gl_posting;
DROP TRIGGER IF EXISTS ve_gl_posting_no_truncate ON costing_value_entry_gl_posting;
DROP TRIGGER IF EXISTS ve_gl_posting_guard ON costing_value_entry_gl_posting;
DROP TRIGGER IF EXISTS ve_gl_posting_guard_delete ON costing_value_entry_gl_posting;
DROP FUNCTION IF EXISTS costbook_ve_gl_posting_check_insert();
DROP FUNCTION IF EXISTS costbook_ve_gl_posting_guard();
ALTER TABLE costing_value_entry SET (fillfactor = 50);
-- The guard of 0010/0016: every column but the posted amounts is frozen (the columns come back after this runs).
CREATE OR REPLACE FUNCTION costbook_ve_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen costing_value_entry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'value entry % is posted and cannot be deleted', OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    frozen := NEW;
    frozen.cost_posted_to_gl := OLD.cost_posted_to_gl;
    frozen.expected_cost_posted_to_gl := OLD.expected_cost_posted_to_gl;
    IF frozen IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'value entry % is posted; only its posted-to-G/L amounts may change', OLD.entry_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS ve_guard ON costing_value_entry;
DO $$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'costing_value_entry'
       AND column_name NOT IN ('cost_posted_to_gl', 'expected_cost_posted_to_gl');
    EXECUTE format(
        'CREATE TRIGGER ve_guard AFTER UPDATE ON costing_value_entry FOR EACH ROW '
        'WHEN (ROW(%s) IS DISTINCT FROM ROW(%s)) EXECUTE FUNCTION costbook_ve_guard()',
        (SELECT string_agg('OLD.' || c, ', ') FROM unnest(string_to_array(cols, ', ')) c),
        (SELECT string_agg('NEW.' || c, ', ') FROM unnest(string_to_array(cols, ', ')) c));
END $$;
