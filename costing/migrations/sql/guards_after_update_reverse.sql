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
        EXECUTE replace(r.def, ' AFTER UPDATE ON ', ' BEFORE UPDATE ON ');
    END LOOP;
END $$;

DROP TRIGGER IF EXISTS item_renamed_in_use ON costing_item;
DROP TRIGGER IF EXISTS item_in_use ON costing_item;
CREATE TRIGGER item_in_use BEFORE DELETE OR UPDATE OF no ON costing_item
    FOR EACH ROW EXECUTE FUNCTION costbook_setup_row_in_use('item_no', 'no');
