-- The inventory ledgers' references to each other, checked once per INSERT (or COPY) statement over its transition
-- table instead of by deferred foreign keys: value entry -> its item ledger entry, application entry -> its inbound
-- and outbound entries, the Post Value Entry to G/L queue -> its value entry.
--
-- A deferred FK queues one check per row, run at commit as its own query, and locks the referenced row FOR KEY SHARE
-- (a write to that row's page): about 23,000 checks for a 5,000-line posting, a sixth of its database time. Neither
-- referenced ledger allows DELETE or TRUNCATE, nor a change of its entry no. (costing_guards.sql, ve_hot_posting.sql),
-- so a reference that exists when the row goes in exists for good: checking at insert is the same guarantee. The rows
-- a reference names must therefore be written first (posting and Adjust Cost write item ledger entries, then value and
-- application entries, then the queue).
--
-- Each check is one primary-key probe per new row, written as a correlated scalar subquery so the planner cannot
-- turn it into a join that reads the whole referenced ledger (a hash join, or a nested loop over a materialised scan
-- when a ledger without statistics looks tiny). Trigger plans are cached for the session, so sequential scans, hash
-- and merge joins are also off inside the functions: the plan made while a ledger was small still probes its primary
-- key once it is large. JIT is off too (a whole Adjust Cost run in one COPY must not pay for compiling it).
CREATE OR REPLACE FUNCTION costbook_ve_refs_check() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.entry_no, n.item_ledger_entry_no AS ref INTO bad
      FROM new_rows n
     WHERE n.item_ledger_entry_no IS NOT NULL
       AND (SELECT e.entry_no FROM costing_item_ledger_entry e WHERE e.entry_no = n.item_ledger_entry_no) IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'value entry % names item ledger entry %, which does not exist', bad.entry_no, bad.ref
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ve_refs_check AFTER INSERT ON costing_value_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_ve_refs_check();

CREATE OR REPLACE FUNCTION costbook_iae_refs_check() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.entry_no, r.ref INTO bad
      FROM new_rows n CROSS JOIN LATERAL (VALUES (n.inbound_item_entry_no), (n.outbound_item_entry_no)) r(ref)
     WHERE r.ref IS NOT NULL
       AND (SELECT e.entry_no FROM costing_item_ledger_entry e WHERE e.entry_no = r.ref) IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'item application entry % names item ledger entry %, which does not exist', bad.entry_no,
            bad.ref USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER iae_refs_check AFTER INSERT ON costing_item_application_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_iae_refs_check();

CREATE OR REPLACE FUNCTION costbook_pve_refs_check() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET jit = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT n.value_entry_no INTO bad
      FROM new_rows n
     WHERE (SELECT v.entry_no FROM costing_value_entry v WHERE v.entry_no = n.value_entry_no) IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the Post Value Entry to G/L queue names value entry %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pve_refs_check AFTER INSERT ON costing_post_value_entry_to_gl
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION costbook_pve_refs_check();
