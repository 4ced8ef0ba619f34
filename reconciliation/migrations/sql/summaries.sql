-- Daily summaries for the reconciliation (reconciliation/models.py), kept exact by statement-level triggers that add
-- each INSERT statement's new rows, grouped, in one INSERT ... ON CONFLICT DO UPDATE. Posted amounts never change
-- (costing_guards.sql, ledger_guards.sql), so inserts are the only event to follow.

CREATE OR REPLACE FUNCTION reconciliation_ve_day_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reconciliation_ve_day AS s (posting_date, location_code, ile, et, vt, ot, entries, act, exp)
    SELECT posting_date, coalesce(location_code, ''), item_ledger_entry_type, entry_type, variance_type, order_type,
           count(*), sum(cost_amount_actual), sum(cost_amount_expected)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (posting_date, location_code, ile, et, vt, ot) DO UPDATE
       SET entries = s.entries + EXCLUDED.entries, act = s.act + EXCLUDED.act, exp = s.exp + EXCLUDED.exp;
    RETURN NULL;
END $$;
CREATE TRIGGER reconciliation_ve_day AFTER INSERT ON costing_value_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_ve_day_add();

CREATE OR REPLACE FUNCTION reconciliation_gl_day_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reconciliation_gl_day AS s (gl_account_id, posting_date, entries, amount)
    SELECT gl_account_id, posting_date, count(*), sum(amount) FROM new_rows GROUP BY 1, 2
    ON CONFLICT (gl_account_id, posting_date) DO UPDATE
       SET entries = s.entries + EXCLUDED.entries, amount = s.amount + EXCLUDED.amount;
    RETURN NULL;
END $$;
CREATE TRIGGER reconciliation_gl_day AFTER INSERT ON ledger_gl_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_gl_day_add();

-- Rows already posted before this migration.
INSERT INTO reconciliation_ve_day (posting_date, location_code, ile, et, vt, ot, entries, act, exp)
SELECT posting_date, coalesce(location_code, ''), item_ledger_entry_type, entry_type, variance_type, order_type,
       count(*), sum(cost_amount_actual), sum(cost_amount_expected)
  FROM costing_value_entry GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO reconciliation_gl_day (gl_account_id, posting_date, entries, amount)
SELECT gl_account_id, posting_date, count(*), sum(amount) FROM ledger_gl_entry GROUP BY 1, 2;

-- Explanations and the "cost is posted to G/L" warning look for value entries with cost still to post: a handful
-- among millions, so partial indexes hold only those.
CREATE INDEX IF NOT EXISTS recon_ve_actual_unposted ON costing_value_entry (posting_date)
    WHERE cost_posted_to_gl <> cost_amount_actual;
CREATE INDEX IF NOT EXISTS recon_ve_expected_unposted ON costing_value_entry (posting_date)
    WHERE expected_cost_posted_to_gl <> cost_amount_expected;
-- Explanations look for G/L entries posted by hand (not by Post Inventory Cost to G/L, whose entries always carry
-- their G/L - item ledger relation) on the inventory-related accounts.
CREATE INDEX IF NOT EXISTS recon_gl_not_inventory_posting ON ledger_gl_entry (gl_account_id, posting_date)
    WHERE source_code <> 'INVTPCOST';
