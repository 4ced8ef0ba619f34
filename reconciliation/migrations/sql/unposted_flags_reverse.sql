DROP INDEX IF EXISTS recon_ve_expected_unposted_flag;
DROP INDEX IF EXISTS recon_ve_actual_unposted_flag;
CREATE INDEX IF NOT EXISTS recon_ve_actual_unposted ON costing_value_entry (posting_date)
    WHERE cost_posted_to_gl <> cost_amount_actual;
CREATE INDEX IF NOT EXISTS recon_ve_expected_unposted ON costing_value_entry (posting_date)
    WHERE expected_cost_posted_to_gl <> cost_amount_expected;
