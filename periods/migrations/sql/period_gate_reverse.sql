DROP TRIGGER IF EXISTS ve_closed_period_gate ON costing_value_entry;
DROP TRIGGER IF EXISTS ile_closed_period_gate ON costing_item_ledger_entry;
DROP FUNCTION IF EXISTS costbook_closed_period_gate();
