-- Running totals per item and location (costing_avg_cost_total): quantity of the item ledger entries, cost (actual +
-- expected) of the value entries. Posting reads them to value Average decreases (costing reference 4.3) instead of
-- summing the item's whole history every time. Statement-level triggers over the inserted rows: one grouped upsert
-- per INSERT or COPY, whatever service (or raw SQL) wrote the entries. Both ledgers are append-only (costing_guards.sql)
-- except columns these totals do not read, so inserts are all there is to follow.

CREATE FUNCTION costing_avg_total_ile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT item_no, coalesce(location_code, ''), sum(quantity), 0
      FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET quantity = costing_avg_cost_total.quantity + EXCLUDED.quantity;
    RETURN NULL;
END $$;

CREATE FUNCTION costing_avg_total_ve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT item_no, coalesce(location_code, ''), 0, sum(cost_amount_actual + cost_amount_expected)
      FROM new_rows WHERE item_no IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET cost = costing_avg_cost_total.cost + EXCLUDED.cost;
    RETURN NULL;
END $$;

CREATE TRIGGER ile_avg_total AFTER INSERT ON costing_item_ledger_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costing_avg_total_ile();
CREATE TRIGGER ve_avg_total AFTER INSERT ON costing_value_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costing_avg_total_ve();

-- The entries posted before this migration.
INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
SELECT item_no, location_code, sum(quantity), sum(cost)
  FROM (SELECT item_no, coalesce(location_code, '') AS location_code, quantity, 0 AS cost
          FROM costing_item_ledger_entry
        UNION ALL
        SELECT item_no, coalesce(location_code, ''), 0, cost_amount_actual + cost_amount_expected
          FROM costing_value_entry WHERE item_no IS NOT NULL) e
 GROUP BY 1, 2;
