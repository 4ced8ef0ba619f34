DROP TRIGGER IF EXISTS gl_transaction_check_insert ON ledger_gl_transaction;
DROP FUNCTION IF EXISTS costbook_gl_transaction_check_insert();
DROP TRIGGER IF EXISTS gl_register_balanced ON ledger_gl_register;
DROP TRIGGER IF EXISTS gl_register_stamp ON ledger_gl_register;
ALTER TABLE ledger_gl_register ALTER COLUMN xid DROP DEFAULT;
DROP TRIGGER IF EXISTS gl_transaction_stamp ON ledger_gl_transaction;
CREATE TRIGGER gl_transaction_stamp BEFORE INSERT ON ledger_gl_transaction
    FOR EACH ROW EXECUTE FUNCTION costbook_gl_transaction_stamp();
ALTER TABLE ledger_gl_transaction ALTER COLUMN xid DROP DEFAULT;
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
DROP FUNCTION IF EXISTS costbook_gl_balance_checked_up_to();
DROP INDEX IF EXISTS gl_transaction_xid;
