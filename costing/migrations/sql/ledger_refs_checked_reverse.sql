DROP TRIGGER IF EXISTS ve_refs_check ON costing_value_entry;
DROP TRIGGER IF EXISTS iae_refs_check ON costing_item_application_entry;
DROP TRIGGER IF EXISTS pve_refs_check ON costing_post_value_entry_to_gl;
DROP FUNCTION IF EXISTS costbook_ve_refs_check();
DROP FUNCTION IF EXISTS costbook_iae_refs_check();
DROP FUNCTION IF EXISTS costbook_pve_refs_check();
