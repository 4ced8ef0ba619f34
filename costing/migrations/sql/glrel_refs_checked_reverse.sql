DROP TRIGGER IF EXISTS glrel_check_insert ON costing_gl_item_ledger_relation;
DROP FUNCTION IF EXISTS costbook_glrel_check_insert();
