-- The balance check at commit, once per database transaction instead of one query per G/L transaction.
--
-- A constraint trigger can only be FOR EACH ROW, so a run that posts a million G/L transactions (Post Inventory Cost
-- to G/L per entry) queued a million checks, each summing its transaction's lines through an index. Now the first
-- check that fires checks every G/L transaction of this database transaction in one set-based query and notes, in a
-- transaction-local setting, up to which transaction no. it checked; the other events of the same commit see the
-- note and return. Lines inserted later into an already checked transaction (possible only after SET CONSTRAINTS
-- ... IMMEDIATE) are checked at once by the insert trigger, so the note can never hide an unbalanced transaction.

CREATE INDEX IF NOT EXISTS gl_transaction_xid ON ledger_gl_transaction (xid);

CREATE OR REPLACE FUNCTION costbook_gl_balance_checked_up_to() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN split_part(note, ':', 1) = txid_current()::text THEN split_part(note, ':', 2)::bigint END
      FROM (SELECT current_setting('costbook.gl_balance_checked', true) AS note) s
$$;

CREATE OR REPLACE FUNCTION costbook_gl_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked bigint := costbook_gl_balance_checked_up_to();
    low bigint;
    high bigint;
    bad record;
BEGIN
    IF checked IS NOT NULL AND NEW.no <= checked THEN
        RETURN NULL;
    END IF;
    SELECT min(no), max(no) INTO low, high FROM ledger_gl_transaction WHERE xid = txid_current();
    SELECT t.no, coalesce(e.total, 0) AS total, coalesce(e.lines, 0) AS lines INTO bad
      FROM ledger_gl_transaction t
      LEFT JOIN (SELECT transaction_no, sum(amount) AS total, count(*) AS lines
                   FROM ledger_gl_entry WHERE transaction_no BETWEEN low AND high GROUP BY transaction_no) e
             ON e.transaction_no = t.no
     WHERE t.xid = txid_current() AND (e.lines IS NULL OR e.total <> 0)
     ORDER BY t.no LIMIT 1;
    IF FOUND THEN
        IF bad.lines = 0 THEN
            RAISE EXCEPTION 'G/L transaction % has no lines', bad.no USING ERRCODE = 'check_violation';
        END IF;
        RAISE EXCEPTION 'G/L transaction % does not balance: its lines sum to %', bad.no, bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('costbook.gl_balance_checked', txid_current()::text || ':' || high::text, true);
    RETURN NULL;
END $$;

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
    SELECT n.entry_no, n.gl_account_id INTO bad
    FROM new_rows n JOIN ledger_gl_account a ON a.no = n.gl_account_id
    WHERE a.blocked OR a.account_type <> 'posting' LIMIT 1;
    IF FOUND THEN
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

-- The stamp: a default instead of a row trigger for inserts that leave the column out (the set-based writer); the
-- trigger still overwrites any other value, so no insert can claim another database transaction.
ALTER TABLE ledger_gl_transaction ALTER COLUMN xid SET DEFAULT txid_current();
DROP TRIGGER IF EXISTS gl_transaction_stamp ON ledger_gl_transaction;
CREATE TRIGGER gl_transaction_stamp BEFORE INSERT ON ledger_gl_transaction
    FOR EACH ROW WHEN (NEW.xid IS DISTINCT FROM txid_current()) EXECUTE FUNCTION costbook_gl_transaction_stamp();
