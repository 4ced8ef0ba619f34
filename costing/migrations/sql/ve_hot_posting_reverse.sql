DROP TRIGGER IF EXISTS ve_guard ON costing_value_entry;
DROP TRIGGER IF EXISTS ve_guard_delete ON costing_value_entry;
CREATE TRIGGER ve_guard BEFORE UPDATE OR DELETE ON costing_value_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ve_guard();
DROP INDEX IF EXISTS ve_expected_cost_date;
ALTER TABLE costing_value_entry RESET (fillfactor);
CREATE INDEX IF NOT EXISTS recon_ve_actual_unposted_flag ON costing_value_entry ((cost_posted_to_gl <> cost_amount_actual));
CREATE INDEX IF NOT EXISTS recon_ve_expected_unposted_flag
    ON costing_value_entry ((expected_cost_posted_to_gl <> cost_amount_expected));
