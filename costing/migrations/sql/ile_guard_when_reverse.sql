DROP TRIGGER IF EXISTS ile_guard ON costing_item_ledger_entry;
DROP TRIGGER IF EXISTS ile_guard_delete ON costing_item_ledger_entry;
CREATE TRIGGER ile_guard BEFORE UPDATE OR DELETE ON costing_item_ledger_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ile_guard();
