DROP INDEX IF EXISTS recon_gl_not_inventory_posting;
DROP INDEX IF EXISTS recon_ve_expected_unposted;
DROP INDEX IF EXISTS recon_ve_actual_unposted;
DROP TRIGGER IF EXISTS reconciliation_gl_day ON ledger_gl_entry;
DROP TRIGGER IF EXISTS reconciliation_ve_day ON costing_value_entry;
DROP FUNCTION IF EXISTS reconciliation_gl_day_add();
DROP FUNCTION IF EXISTS reconciliation_ve_day_add();
DELETE FROM reconciliation_gl_day;
DELETE FROM reconciliation_ve_day;
