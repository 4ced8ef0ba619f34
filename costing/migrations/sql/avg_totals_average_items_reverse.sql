DROP TRIGGER IF EXISTS item_avg_total_method ON costing_item;
DROP FUNCTION IF EXISTS costing_avg_total_method_change();
CREATE OR REPLACE FUNCTION costing_avg_total_ile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT item_no, coalesce(location_code, ''), sum(quantity), 0
      FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET quantity = costing_avg_cost_total.quantity + EXCLUDED.quantity;
    RETURN NULL;
END $$;
ALTER FUNCTION costing_avg_total_ile() RESET ALL;
CREATE OR REPLACE FUNCTION costing_avg_total_ve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT item_no, coalesce(location_code, ''), 0, sum(cost_amount_actual + cost_amount_expected)
      FROM new_rows WHERE item_no IS NOT NULL AND item_ledger_entry_no IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET cost = costing_avg_cost_total.cost + EXCLUDED.cost;
    RETURN NULL;
END $$;
ALTER FUNCTION costing_avg_total_ve() RESET ALL;
DELETE FROM costing_avg_cost_total;
INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
SELECT item_no, location_code, sum(quantity), sum(cost)
  FROM (SELECT item_no, coalesce(location_code, '') AS location_code, quantity, 0 AS cost
          FROM costing_item_ledger_entry
        UNION ALL
        SELECT item_no, coalesce(location_code, ''), 0, cost_amount_actual + cost_amount_expected
          FROM costing_value_entry WHERE item_no IS NOT NULL AND item_ledger_entry_no IS NOT NULL) e
 GROUP BY 1, 2;
