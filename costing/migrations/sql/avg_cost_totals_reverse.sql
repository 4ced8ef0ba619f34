DROP TRIGGER IF EXISTS ve_avg_total ON costing_value_entry;
DROP TRIGGER IF EXISTS ile_avg_total ON costing_item_ledger_entry;
DROP FUNCTION IF EXISTS costing_avg_total_ve();
DROP FUNCTION IF EXISTS costing_avg_total_ile();
DELETE FROM costing_avg_cost_total;
