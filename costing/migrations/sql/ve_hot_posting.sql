-- Marking a million value entries posted (Post Inventory Cost to G/L) as heap-only-tuple updates.
--
-- An UPDATE that changes no indexed column and finds room on the row's own page writes no index entry at all (HOT).
-- Value entries are append-only except their two posted-to-G/L amounts, so:
--   * no index may cover those columns: the two expression indexes of reconciliation/0003 go (their readers find the
--     few unposted entries through the Post Value Entry to G/L queue, which holds every one of them: invariant I3);
--   * every page keeps half its room free (fillfactor 50), so each row's one update fits beside it. A page fills to
--     half at insert; rows updated once leave a dead version that later page pruning reclaims.
--   * the append-only guard runs only when a column other than the posted amounts changes: its condition is a
--     trigger WHEN clause, evaluated in C, instead of a PL/pgSQL call per row. The column list is read from the
--     catalogue here; tests/test_ledger_guards.py fails if a later column is missing from it.
-- Existing pages keep their fill until rewritten (VACUUM FULL costing_value_entry, docs/operations.md).
DROP INDEX IF EXISTS recon_ve_actual_unposted_flag;
DROP INDEX IF EXISTS recon_ve_expected_unposted_flag;
ALTER TABLE costing_value_entry SET (fillfactor = 50);
-- Expected cost that is not posted while expected-cost posting is off is never queued: its readers look among the
-- entries that carry expected cost at all (columns that never change, so HOT stays possible).
CREATE INDEX IF NOT EXISTS ve_expected_cost_date ON costing_value_entry (posting_date) WHERE cost_amount_expected <> 0;

DROP TRIGGER IF EXISTS ve_guard ON costing_value_entry;
CREATE TRIGGER ve_guard_delete BEFORE DELETE ON costing_value_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ve_guard();
DO $$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'costing_value_entry'
       AND column_name NOT IN ('cost_posted_to_gl', 'expected_cost_posted_to_gl');
    EXECUTE format(
        'CREATE TRIGGER ve_guard BEFORE UPDATE ON costing_value_entry FOR EACH ROW '
        'WHEN (ROW(%s) IS DISTINCT FROM ROW(%s)) EXECUTE FUNCTION costbook_ve_guard()',
        (SELECT string_agg('OLD.' || c, ', ') FROM unnest(string_to_array(cols, ', ')) c),
        (SELECT string_agg('NEW.' || c, ', ') FROM unnest(string_to_array(cols, ', ')) c));
END $$;
