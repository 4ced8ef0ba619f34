-- The TRUNCATE escape hatch (costbook.maintenance = 'on') is for maintenance sessions only: any role can set a custom
-- setting, so it also requires the executing role to be a superuser. The application's role never is; the test
-- suite, which empties tables between transactional tests, runs as one. Found by reliability test T7.
CREATE OR REPLACE FUNCTION costbook_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('costbook.maintenance', true) = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'posted rows of % are never changed or deleted; post a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
