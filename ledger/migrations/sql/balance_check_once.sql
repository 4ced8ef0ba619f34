-- The balance check at commit: once per database transaction, over all its G/L transactions, instead of one query
-- per G/L transaction; and the G/L entries' references checked per INSERT statement (their deferred foreign keys
-- are dropped by migration 0004).
--
-- A constraint trigger can only be FOR EACH ROW. On ledger_gl_transaction it queued one check per G/L transaction:
-- a million for a per-entry Post Inventory Cost to G/L run, each summing its lines through an index. Now:
--   * every write to the books goes through a G/L register that its database transaction created or extended:
--     registers carry the xid of that database transaction (stamped like G/L transactions), and G/L transactions and
--     G/L entries are refused under a register with another xid;
--   * the deferred constraint trigger sits on ledger_gl_register (one event per register written, not per G/L
--     transaction) and checks, in one set-based query, that every G/L transaction of this database transaction has
--     lines and nets to zero. It notes, in a transaction-local setting, the last G/L transaction no. it checked, so a
--     second register of the same commit does not check them again;
--   * lines inserted later into an already checked G/L transaction (possible only after SET CONSTRAINTS ...
--     IMMEDIATE) are checked at once by the insert trigger, so the note can never hide an unbalanced transaction.

-- (xid, no): the check reads the first and last G/L transaction no. of one database transaction off the index.
CREATE INDEX IF NOT EXISTS gl_transaction_xid ON ledger_gl_transaction (xid, no);

-- Stamps: a default for inserts that leave the column out (the set-based writer); the trigger overwrites any other
-- value, so no row can claim another database transaction.
ALTER TABLE ledger_gl_transaction ALTER COLUMN xid SET DEFAULT txid_current();
DROP TRIGGER IF EXISTS gl_transaction_stamp ON ledger_gl_transaction;
CREATE TRIGGER gl_transaction_stamp BEFORE INSERT ON ledger_gl_transaction
    FOR EACH ROW WHEN (NEW.xid IS DISTINCT FROM txid_current()) EXECUTE FUNCTION costbook_gl_transaction_stamp();
ALTER TABLE ledger_gl_register ALTER COLUMN xid SET DEFAULT txid_current();
CREATE TRIGGER gl_register_stamp BEFORE INSERT OR UPDATE ON ledger_gl_register
    FOR EACH ROW WHEN (NEW.xid IS DISTINCT FROM txid_current()) EXECUTE FUNCTION costbook_gl_transaction_stamp();

CREATE OR REPLACE FUNCTION costbook_gl_balance_checked_up_to() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN split_part(note, ':', 1) = txid_current()::text THEN split_part(note, ':', 2)::bigint END
      FROM (SELECT current_setting('costbook.gl_balance_checked', true) AS note) s
$$;

-- Two single-table aggregates over the number range of this database transaction's G/L transactions (no join, so
-- no plan can turn quadratic while the tables' statistics still say "empty"). The counter row of G/L transaction
-- numbers is locked from the first number taken to commit, so the range holds this database transaction's G/L
-- transactions and, at most, others' that were checked at their own commit.
CREATE OR REPLACE FUNCTION costbook_gl_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked bigint := costbook_gl_balance_checked_up_to();
    low bigint;
    high bigint;
    with_lines bigint;
    unbalanced bigint;
    transactions bigint;
    bad record;
BEGIN
    SELECT min(no), max(no) INTO low, high FROM ledger_gl_transaction WHERE xid = txid_current();
    IF high IS NULL OR (checked IS NOT NULL AND high <= checked) THEN
        RETURN NULL;
    END IF;
    SELECT count(*), count(*) FILTER (WHERE total <> 0) INTO with_lines, unbalanced
      FROM (SELECT sum(amount) AS total FROM ledger_gl_entry
             WHERE transaction_no BETWEEN low AND high GROUP BY transaction_no) e;
    SELECT count(*) INTO transactions FROM ledger_gl_transaction WHERE no BETWEEN low AND high;
    IF unbalanced > 0 THEN
        SELECT transaction_no AS no, sum(amount) AS total INTO bad FROM ledger_gl_entry
         WHERE transaction_no BETWEEN low AND high GROUP BY transaction_no HAVING sum(amount) <> 0
         ORDER BY transaction_no LIMIT 1;
        RAISE EXCEPTION 'G/L transaction % does not balance: its lines sum to %', bad.no, bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    IF with_lines <> transactions THEN
        SELECT t.no INTO bad FROM ledger_gl_transaction t
         WHERE t.no BETWEEN low AND high
           AND NOT EXISTS (SELECT 1 FROM ledger_gl_entry e WHERE e.transaction_no = t.no)
         ORDER BY t.no LIMIT 1;
        RAISE EXCEPTION 'G/L transaction % has no lines', bad.no USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('costbook.gl_balance_checked', txid_current()::text || ':' || high::text, true);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS gl_transaction_balanced ON ledger_gl_transaction;
CREATE CONSTRAINT TRIGGER gl_register_balanced AFTER INSERT OR UPDATE ON ledger_gl_register
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION costbook_gl_transaction_balanced();

-- New G/L transactions: under a register of this database transaction (so the check above fires at its commit).
CREATE OR REPLACE FUNCTION costbook_gl_transaction_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.no, n.register_no INTO bad
      FROM (SELECT DISTINCT ON (register_no) no, register_no FROM new_rows) n
      LEFT JOIN ledger_gl_register r ON r.no = n.register_no
     WHERE r.xid IS DISTINCT FROM txid_current() LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'G/L transaction % names G/L register %, which this posting did not open or extend', bad.no,
            bad.register_no USING ERRCODE = 'check_violation';
    END IF;
    -- After a check already ran in this database transaction (SET CONSTRAINTS ... IMMEDIATE), touch the registers
    -- so that the check fires again at commit for the new G/L transactions.
    IF costbook_gl_balance_checked_up_to() IS NOT NULL THEN
        UPDATE ledger_gl_register SET to_entry_no = to_entry_no
         WHERE no IN (SELECT DISTINCT register_no FROM new_rows);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER gl_transaction_check_insert AFTER INSERT ON ledger_gl_transaction
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_gl_transaction_check_insert();

-- New G/L lines (checked once per INSERT statement, set-based): they join a G/L transaction and a G/L register of
-- this same database transaction, and post to an existing posting account that is not blocked.
CREATE OR REPLACE FUNCTION costbook_gl_entry_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
    checked bigint := costbook_gl_balance_checked_up_to();
BEGIN
    SELECT n.entry_no, n.transaction_no INTO bad
    FROM new_rows n LEFT JOIN ledger_gl_transaction t ON t.no = n.transaction_no
    WHERE t.xid IS DISTINCT FROM txid_current() LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'G/L entry % joins G/L transaction % that was not opened by this posting', bad.entry_no,
            bad.transaction_no USING ERRCODE = 'check_violation';
    END IF;
    SELECT n.entry_no, n.register_no INTO bad
      FROM (SELECT DISTINCT ON (register_no) entry_no, register_no FROM new_rows) n
      LEFT JOIN ledger_gl_register r ON r.no = n.register_no
     WHERE r.xid IS DISTINCT FROM txid_current() LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'G/L entry % names G/L register %, which this posting did not open or extend', bad.entry_no,
            bad.register_no USING ERRCODE = 'check_violation';
    END IF;
    SELECT n.entry_no, n.gl_account_id, a.no IS NULL AS missing INTO bad
    FROM new_rows n LEFT JOIN ledger_gl_account a ON a.no = n.gl_account_id
    WHERE a.no IS NULL OR a.blocked OR a.account_type <> 'posting' LIMIT 1;
    IF FOUND THEN
        IF bad.missing THEN
            RAISE EXCEPTION 'G/L entry % posts to account %, which does not exist', bad.entry_no, bad.gl_account_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RAISE EXCEPTION 'G/L entry % posts to account %, which is blocked or not a posting account', bad.entry_no,
            bad.gl_account_id USING ERRCODE = 'check_violation';
    END IF;
    IF checked IS NOT NULL THEN
        SELECT x.transaction_no, x.total INTO bad
          FROM (SELECT DISTINCT transaction_no FROM new_rows WHERE transaction_no <= checked) n
          JOIN LATERAL (SELECT n.transaction_no, sum(amount) AS total FROM ledger_gl_entry e
                         WHERE e.transaction_no = n.transaction_no) x ON true
         WHERE x.total <> 0 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'G/L transaction % does not balance: its lines sum to %', bad.transaction_no, bad.total
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
