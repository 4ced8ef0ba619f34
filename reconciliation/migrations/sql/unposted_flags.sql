-- The partial indexes of 0002 were never chosen: the planner estimates "a <> b" between two columns at ~99 % of the
-- rows whatever the index holds. An index on the comparison itself gives ANALYZE statistics for it (almost all
-- false), so the explanations and the "cost is posted to G/L" warning find the few unposted value entries through it.
DROP INDEX IF EXISTS recon_ve_actual_unposted;
DROP INDEX IF EXISTS recon_ve_expected_unposted;
CREATE INDEX IF NOT EXISTS recon_ve_actual_unposted_flag ON costing_value_entry ((cost_posted_to_gl <> cost_amount_actual));
CREATE INDEX IF NOT EXISTS recon_ve_expected_unposted_flag
    ON costing_value_entry ((expected_cost_posted_to_gl <> cost_amount_expected));
