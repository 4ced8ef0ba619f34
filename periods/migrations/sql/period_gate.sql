-- The posting gate, backed by the database: no item ledger or value entry dated on or before the ending date of a
-- closed inventory period (costing reference 4.10). The service checks first and gives the friendly message; this
-- catches every other path (raw SQL included). Checked once per INSERT statement over the new rows.
CREATE OR REPLACE FUNCTION costbook_closed_period_gate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_closed date;
    bad record;
BEGIN
    SELECT max(ending_date) INTO last_closed FROM periods_inventory_period WHERE closed;
    IF last_closed IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT n.entry_no, n.posting_date INTO bad FROM new_rows n WHERE n.posting_date <= last_closed LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'You cannot post before % because the inventory period ending % is closed (% %, dated %).',
            last_closed + 1, last_closed, TG_TABLE_NAME, bad.entry_no, bad.posting_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ile_closed_period_gate AFTER INSERT ON costing_item_ledger_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_closed_period_gate();
CREATE TRIGGER ve_closed_period_gate AFTER INSERT ON costing_value_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_closed_period_gate();
