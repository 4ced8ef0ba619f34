-- The books' invariants, enforced by PostgreSQL (docs/books-invariants.md).

-- Shared: refuse a change to a posted row. SQLSTATE 23514 (check_violation) surfaces as IntegrityError.
-- The one way around it is a maintenance session (`SET costbook.maintenance = 'on'`), which the test suite uses to
-- empty tables between transactional tests; the application never sets it.
CREATE OR REPLACE FUNCTION costbook_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('costbook.maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'posted rows of % are never changed or deleted; post a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;

-- G/L entries: append-only, TRUNCATE included (a row trigger does not see TRUNCATE).
CREATE TRIGGER gl_entry_append_only BEFORE UPDATE OR DELETE ON ledger_gl_entry
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER gl_entry_no_truncate BEFORE TRUNCATE ON ledger_gl_entry
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER gl_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_gl_transaction
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER gl_transaction_no_truncate BEFORE TRUNCATE ON ledger_gl_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER gl_register_no_delete BEFORE DELETE ON ledger_gl_register
    FOR EACH ROW EXECUTE FUNCTION costbook_refuse_change();
CREATE TRIGGER gl_register_no_truncate BEFORE TRUNCATE ON ledger_gl_register
    FOR EACH STATEMENT EXECUTE FUNCTION costbook_refuse_change();

-- A register may only grow: a batch run that commits per chunk extends its register's upper bound.
CREATE OR REPLACE FUNCTION costbook_gl_register_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.no <> OLD.no OR NEW.from_entry_no <> OLD.from_entry_no OR NEW.to_entry_no < OLD.to_entry_no
       OR NEW.source_code <> OLD.source_code OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'a G/L register may only be extended' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER gl_register_grow_only BEFORE UPDATE ON ledger_gl_register
    FOR EACH ROW EXECUTE FUNCTION costbook_gl_register_grow_only();

-- Stamp each G/L transaction with the database transaction that created it.
CREATE OR REPLACE FUNCTION costbook_gl_transaction_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.xid := txid_current();
    RETURN NEW;
END $$;
CREATE TRIGGER gl_transaction_stamp BEFORE INSERT ON ledger_gl_transaction
    FOR EACH ROW EXECUTE FUNCTION costbook_gl_transaction_stamp();

-- New G/L lines (checked once per INSERT statement, set-based): they join a G/L transaction opened in this same
-- database transaction, and they post to a posting account that is not blocked.
CREATE OR REPLACE FUNCTION costbook_gl_entry_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.entry_no, n.transaction_no INTO bad
    FROM new_rows n LEFT JOIN ledger_gl_transaction t ON t.no = n.transaction_no
    WHERE t.xid IS DISTINCT FROM txid_current() LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'G/L entry % joins G/L transaction % that was not opened by this posting', bad.entry_no,
            bad.transaction_no USING ERRCODE = 'check_violation';
    END IF;
    SELECT n.entry_no, n.gl_account_id INTO bad
    FROM new_rows n JOIN ledger_gl_account a ON a.no = n.gl_account_id
    WHERE a.blocked OR a.account_type <> 'posting' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'G/L entry % posts to account %, which is blocked or not a posting account', bad.entry_no,
            bad.gl_account_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER gl_entry_check_insert AFTER INSERT ON ledger_gl_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_gl_entry_check_insert();

-- Every G/L transaction nets to zero: checked once per transaction, at commit (deferred), so the service may insert
-- its lines in any order and in several statements.
CREATE OR REPLACE FUNCTION costbook_gl_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    lines bigint;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, lines
    FROM ledger_gl_entry WHERE transaction_no = NEW.no;
    IF lines = 0 THEN
        RAISE EXCEPTION 'G/L transaction % has no lines', NEW.no USING ERRCODE = 'check_violation';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'G/L transaction % does not balance: its lines sum to %', NEW.no, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER gl_transaction_balanced AFTER INSERT ON ledger_gl_transaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION costbook_gl_transaction_balanced();
