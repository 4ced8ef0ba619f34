CREATE OR REPLACE FUNCTION costing_avg_total_ve() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT item_no, coalesce(location_code, ''), 0, sum(cost_amount_actual + cost_amount_expected)
      FROM new_rows WHERE item_no IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET cost = costing_avg_cost_total.cost + EXCLUDED.cost;
    RETURN NULL;
END $$;
