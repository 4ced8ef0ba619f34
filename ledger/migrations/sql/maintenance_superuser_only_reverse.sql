CREATE OR REPLACE FUNCTION costbook_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('costbook.maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'posted rows of % are never changed or deleted; post a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
