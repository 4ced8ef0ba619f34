-- The inventory subledger's invariants (docs/books-invariants.md).

-- Item ledger entries: only the designed bookkeeping columns move (remaining quantity / open as applications are made,
-- invoiced quantity / completely invoiced as invoices arrive, the Adjust Cost flag). Everything else is fixed.
CREATE OR REPLACE FUNCTION costbook_ile_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen costing_item_ledger_entry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'item ledger entry % is posted and cannot be deleted', OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    frozen := NEW;
    frozen.remaining_quantity := OLD.remaining_quantity;
    frozen.open := OLD.open;
    frozen.invoiced_quantity := OLD.invoiced_quantity;
    frozen.completely_invoiced := OLD.completely_invoiced;
    frozen.applied_entry_to_adjust := OLD.applied_entry_to_adjust;
    IF frozen IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'item ledger entry % is posted; only its remaining/invoiced quantity bookkeeping may change',
            OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    IF abs(NEW.invoiced_quantity) > abs(NEW.quantity) OR sign(NEW.invoiced_quantity) * sign(NEW.quantity) < 0 THEN
        RAISE EXCEPTION 'item ledger entry % cannot be invoiced beyond its quantity', OLD.entry_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ile_guard BEFORE UPDATE OR DELETE ON costing_item_ledger_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ile_guard();
CREATE TRIGGER ile_no_truncate BEFORE TRUNCATE ON costing_item_ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();

-- Value entries: only "cost posted to G/L" and "expected cost posted to G/L" change, when Post Inventory Cost to G/L
-- posts them.
CREATE OR REPLACE FUNCTION costbook_ve_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen costing_value_entry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'value entry % is posted and cannot be deleted', OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    frozen := NEW;
    frozen.cost_posted_to_gl := OLD.cost_posted_to_gl;
    frozen.expected_cost_posted_to_gl := OLD.expected_cost_posted_to_gl;
    IF frozen IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'value entry % is posted; only its posted-to-G/L amounts may change', OLD.entry_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ve_guard BEFORE UPDATE OR DELETE ON costing_value_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_ve_guard();
CREATE TRIGGER ve_no_truncate BEFORE TRUNCATE ON costing_value_entry
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();

-- Application entries: fixed, except the Adjust Cost flag.
CREATE OR REPLACE FUNCTION costbook_iae_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen costing_item_application_entry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'item application entry % cannot be deleted', OLD.entry_no USING ERRCODE = 'check_violation';
    END IF;
    frozen := NEW;
    frozen.outbound_entry_is_updated := OLD.outbound_entry_is_updated;
    IF frozen IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'item application entry % is posted and cannot change', OLD.entry_no
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER iae_guard BEFORE UPDATE OR DELETE ON costing_item_application_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_iae_guard();
CREATE TRIGGER iae_no_truncate BEFORE TRUNCATE ON costing_item_application_entry
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();

-- The G/L - item ledger relation and item registers are append-only.
CREATE TRIGGER glrel_append_only BEFORE UPDATE OR DELETE ON costing_gl_item_ledger_relation
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER glrel_no_truncate BEFORE TRUNCATE ON costing_gl_item_ledger_relation
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER item_register_append_only BEFORE UPDATE OR DELETE ON costing_item_register
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER item_register_no_truncate BEFORE TRUNCATE ON costing_item_register
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();
