-- The Average running totals (costing_avg_cost_total) only for items that use Average costing: posting reads them for
-- those items only, and Adjust Cost sets a unit cost from them for those items only. Upserting a row per item and
-- location for every item of every INSERT was a third of the cost of writing the entries (about 90 ms of a 5,000-line
-- posting, three quarters of it for FIFO, LIFO, Standard and Specific items). The statement triggers now keep the
-- totals of Average items, and a change of an item's costing method (refused by the service once the item has
-- entries, but possible through the admin or SQL) recounts that item's totals from the ledgers, so the totals of every
-- Average item stay exact whatever path changes what.
--
-- Grouping comes first, then one primary-key probe per item and location, as a correlated scalar subquery: as a join,
-- a table without statistics had 'costing_method = average' estimated at ten rows and was rescanned for every group
-- (0.4 s a statement). Trigger plans are cached for the session, so sequential scans, hash and merge joins are off in
-- the functions as in ledger_refs_checked.sql.
CREATE OR REPLACE FUNCTION costing_avg_total_ile() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT t.item_no, t.location_code, t.quantity, 0
      FROM (SELECT item_no, coalesce(location_code, '') AS location_code, sum(quantity) AS quantity
              FROM new_rows GROUP BY 1, 2) t
     WHERE (SELECT i.costing_method FROM costing_item i WHERE i.no = t.item_no) = 'average'
     ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET quantity = costing_avg_cost_total.quantity + EXCLUDED.quantity;
    RETURN NULL;
END $$;

-- Capacity value entries (no item ledger entry) are WIP, not inventory: not counted (avg_cost_totals_inventory_only).
CREATE OR REPLACE FUNCTION costing_avg_total_ve() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
BEGIN
    INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
    SELECT t.item_no, t.location_code, 0, t.cost
      FROM (SELECT item_no, coalesce(location_code, '') AS location_code,
                   sum(cost_amount_actual + cost_amount_expected) AS cost
              FROM new_rows WHERE item_no IS NOT NULL AND item_ledger_entry_no IS NOT NULL GROUP BY 1, 2) t
     WHERE (SELECT i.costing_method FROM costing_item i WHERE i.no = t.item_no) = 'average'
     ORDER BY 1, 2
    ON CONFLICT (item_no, location_code) DO UPDATE
       SET cost = costing_avg_cost_total.cost + EXCLUDED.cost;
    RETURN NULL;
END $$;

-- An item's totals recounted from its entries when its costing method changes (none unless it is now Average).
CREATE OR REPLACE FUNCTION costing_avg_total_method_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM costing_avg_cost_total WHERE item_no = NEW.no;
    IF NEW.costing_method = 'average' THEN
        INSERT INTO costing_avg_cost_total (item_no, location_code, quantity, cost)
        SELECT NEW.no, location_code, sum(quantity), sum(cost)
          FROM (SELECT coalesce(location_code, '') AS location_code, quantity, 0 AS cost
                  FROM costing_item_ledger_entry WHERE item_no = NEW.no
                UNION ALL
                SELECT coalesce(location_code, ''), 0, cost_amount_actual + cost_amount_expected
                  FROM costing_value_entry WHERE item_no = NEW.no AND item_ledger_entry_no IS NOT NULL) e
         GROUP BY location_code;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER item_avg_total_method AFTER UPDATE OF costing_method ON costing_item
    FOR EACH ROW WHEN (OLD.costing_method IS DISTINCT FROM NEW.costing_method)
    EXECUTE FUNCTION costing_avg_total_method_change();

DELETE FROM costing_avg_cost_total t
 WHERE NOT EXISTS (SELECT 1 FROM costing_item i WHERE i.no = t.item_no AND i.costing_method = 'average');
