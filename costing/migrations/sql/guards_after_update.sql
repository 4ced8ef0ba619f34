-- The ledgers' update guards as AFTER UPDATE row triggers, their WHEN conditions unchanged.
--
-- A BEFORE UPDATE row trigger makes PostgreSQL lock each row it updates before it evaluates the trigger's WHEN clause
-- (ExecBRUpdateTriggers fetches the old row with GetTupleForTrigger, which locks it): one more heap write and one more
-- WAL record per row, with a full-page image at each page's first touch after a checkpoint. Marking a million value
-- entries posted wrote a Heap/LOCK record next to each Heap/HOT_UPDATE (pg_waldump: 2,001 records for 1,000 rows,
-- 75 % of the bytes in the lock records' page images). An AFTER row trigger evaluates WHEN as the update queues its
-- event and locks nothing; a guard that raises there aborts the statement all the same, before anything commits.
-- The delete guards stay BEFORE DELETE; items keep their BEFORE DELETE check and check a rename after it.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT t.tgname, t.tgrelid::regclass AS rel, pg_get_triggerdef(t.oid) AS def
          FROM pg_trigger t
         WHERE NOT t.tgisinternal
           AND (t.tgrelid, t.tgname) IN (('costing_value_entry'::regclass, 've_guard'),
                                         ('costing_item_ledger_entry'::regclass, 'ile_guard'))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.rel);
        EXECUTE replace(r.def, ' BEFORE UPDATE ON ', ' AFTER UPDATE ON ');
    END LOOP;
END $$;

DROP TRIGGER IF EXISTS item_in_use ON costing_item;
CREATE TRIGGER item_in_use BEFORE DELETE ON costing_item
    FOR EACH ROW EXECUTE FUNCTION costbook_setup_row_in_use('item_no', 'no');
CREATE TRIGGER item_renamed_in_use AFTER UPDATE OF no ON costing_item
    FOR EACH ROW WHEN (OLD.no IS DISTINCT FROM NEW.no) EXECUTE FUNCTION costbook_setup_row_in_use('item_no', 'no');
