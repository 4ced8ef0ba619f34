-- The item ledger entry guard (costing_guards.sql) as a trigger WHEN clause, as ve_hot_posting.sql did for value
-- entries: the condition is evaluated in C, and the PL/pgSQL function (which raises the error) runs only when a frozen
-- column changed or the invoiced quantity went beyond the quantity, instead of once per updated row (a posting updates
-- the remaining quantity of thousands of entries). The frozen columns are every column but the five designed
-- bookkeeping ones, read from the catalogue here; tests/costing/test_ile_guard.py fails if a later column is missing.
DROP TRIGGER IF EXISTS ile_guard ON costing_item_ledger_entry;
CREATE TRIGGER ile_guard_delete BEFORE DELETE ON costing_item_ledger_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ile_guard();
DO $$
DECLARE
    cols text[];
BEGIN
    SELECT array_agg(quote_ident(column_name) ORDER BY ordinal_position) INTO cols
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'costing_item_ledger_entry'
       AND column_name NOT IN ('remaining_quantity', 'open', 'invoiced_quantity', 'completely_invoiced',
                               'applied_entry_to_adjust');
    EXECUTE format(
        'CREATE TRIGGER ile_guard BEFORE UPDATE ON costing_item_ledger_entry FOR EACH ROW '
        'WHEN (ROW(%s) IS DISTINCT FROM ROW(%s) OR abs(NEW.invoiced_quantity) > abs(NEW.quantity) '
        'OR sign(NEW.invoiced_quantity) * sign(NEW.quantity) < 0) EXECUTE FUNCTION costbook_ile_guard()',
        (SELECT string_agg('OLD.' || c, ', ') FROM unnest(cols) c),
        (SELECT string_agg('NEW.' || c, ', ') FROM unnest(cols) c));
END $$;
