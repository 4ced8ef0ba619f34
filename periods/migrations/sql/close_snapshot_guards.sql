-- The close snapshot (invariant I6b) is append-only like the other ledgers: a row never changes and is never deleted,
-- TRUNCATE included (costbook_refuse_change, ledger_guards.sql; a maintenance superuser session may TRUNCATE).
CREATE TRIGGER close_snapshot_append_only BEFORE UPDATE OR DELETE ON periods_close_snapshot
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER close_snapshot_no_truncate BEFORE TRUNCATE ON periods_close_snapshot
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();
