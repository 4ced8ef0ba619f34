-- The G/L - item ledger relation keyed by (value entry, G/L entry), as Business Central keys table 5823, instead of
-- by a surrogate id. A Post Inventory Cost to G/L run writes about 2.8 rows per value entry; each row went into three
-- b-trees (id, value entry, G/L entry). The pair key serves lookups by value entry as the old index did, so the
-- table now has two, and each row is 8 bytes narrower.
--
-- Rows written before this may name the same pair twice (a value entry whose actual and expected lines fell into one
-- posting group's G/L entry); they become one row with the sum of their shares, which is what they meant. The
-- append-only guard is set aside for that statement only.
ALTER TABLE costing_gl_item_ledger_relation DISABLE TRIGGER glrel_append_only;
WITH twins AS (
    SELECT value_entry_no, gl_entry_no, min(id) AS keep, sum(amount) AS amount
      FROM costing_gl_item_ledger_relation GROUP BY 1, 2 HAVING count(*) > 1
), summed AS (
    UPDATE costing_gl_item_ledger_relation r SET amount = t.amount FROM twins t WHERE r.id = t.keep RETURNING 1
)
DELETE FROM costing_gl_item_ledger_relation r
 USING twins t
 WHERE r.value_entry_no = t.value_entry_no AND r.gl_entry_no = t.gl_entry_no AND r.id <> t.keep;
ALTER TABLE costing_gl_item_ledger_relation ENABLE TRIGGER glrel_append_only;

ALTER TABLE costing_gl_item_ledger_relation DROP COLUMN id;
ALTER TABLE costing_gl_item_ledger_relation
    ADD CONSTRAINT costing_gl_item_ledger_relation_pkey PRIMARY KEY (value_entry_no, gl_entry_no);
DROP INDEX glrel_value_entry;
