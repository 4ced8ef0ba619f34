"""The books' invariant suite (docs/reliability.md; shared spec "reliability" 7.1, adapted to Costbook's tables).

Every check is one SQL count; the books are in order when every count is 0. The same suite runs in
``manage.py check_books``, in the nightly ``jobs.tasks_invariants.check_books`` task and at the end of every
reliability test, so no figure in a report comes from anywhere else.

"Inventory account" means an account named in the ``inventory_account`` or ``inventory_account_interim`` field of an
inventory posting setup. Two modes:

* ``drained=False`` (the default, safe at any time): value entries waiting in the Post Value Entry to G/L queue are
  pending, not lost; I5 compares the inventory accounts with the valuation less what is still pending.
* ``drained=True`` (after Adjust Cost and Post Inventory Cost to G/L have both emptied their work): the queue must be
  empty, every value entry must be posted in full, and quantity-zero items must have value zero (I10).

I8 (a rerun of both jobs creates nothing) writes, so it only runs on request, inside a transaction that is rolled back.
I6b needs a balance snapshot taken at close, which the periods app does not keep: only I6a is checked. I11 (no posting
for cancelled sources) does not apply: Costbook has no cancelled documents, a correction is a new journal line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

# Value entries are linked to at most this many G/L lines: actual and expected cost, each an inventory side and a
# balancing side. More means a value entry was posted more than once.
MAX_GL_LINES_PER_VALUE_ENTRY = 4

# Tables whose rows never change once written (UPDATE and DELETE refused by triggers), and those where only DELETE is
# refused (designed bookkeeping columns move: remaining quantity, cost posted to G/L, the Adjust Cost flag).
APPEND_ONLY = ("ledger_gl_entry", "ledger_gl_transaction", "costing_gl_item_ledger_relation")
NO_DELETE = ("costing_value_entry", "costing_item_ledger_entry", "costing_item_application_entry")

VALUATION_SOURCE = (
    "plain sum of the value entries' cost amounts per inventory account (there is no valuation report selector yet)"
)


class _Rerun(Exception):
    """Raised to roll back the I8 rerun."""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)
    drained: bool = False

    @property
    def ok(self) -> bool:
        return not any(self.counts.values())

    @property
    def failed(self) -> dict[str, int]:
        return {name: n for name, n in self.counts.items() if n}

    def as_dict(self) -> dict:
        return {"ok": self.ok, "drained": self.drained, "counts": self.counts, "figures": self.figures}


def _one(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.fetchone()[0]


def inventory_accounts() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT inventory_account_id FROM costing_inventory_posting_setup WHERE inventory_account_id IS NOT NULL
            UNION
            SELECT inventory_account_interim_id FROM costing_inventory_posting_setup
             WHERE inventory_account_interim_id IS NOT NULL
            ORDER BY 1
            """
        )
        return [row[0] for row in cur.fetchall()]


def _expected_cost_posting() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT expected_cost_posting_to_gl FROM costing_inventory_setup ORDER BY id LIMIT 1")
        row = cur.fetchone()
        return bool(row and row[0])


# --------------------------------------------------------------------------------------------------------- I1 - I4


def i1_unbalanced_transactions() -> int:
    return _one(
        "SELECT count(*) FROM (SELECT transaction_no FROM ledger_gl_entry GROUP BY 1 HAVING sum(amount) <> 0) x"
    )


def i1_ledger_total() -> Decimal:
    return abs(_one("SELECT coalesce(sum(amount), 0) FROM ledger_gl_entry"))


def i2_posted_differs_from_gl(accounts: list[str]) -> int:
    """Per value entry: cost posted to G/L = its share of the linked inventory-side G/L lines, and all its shares net
    to 0. The relation's ``amount`` is the value entry's share, so this holds per entry whatever the posting method."""
    return _one(
        """
        SELECT count(*) FROM costing_value_entry v
          LEFT JOIN (SELECT r.value_entry_no,
                            sum(r.amount) FILTER (WHERE g.gl_account_id = ANY(%(inv)s)) AS inv,
                            sum(r.amount) AS total
                       FROM costing_gl_item_ledger_relation r
                       JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no
                      GROUP BY 1) x ON x.value_entry_no = v.entry_no
         WHERE v.cost_posted_to_gl + v.expected_cost_posted_to_gl <> coalesce(x.inv, 0)
            OR coalesce(x.total, 0) <> 0
        """,
        {"inv": accounts},
    )


def i3_queue_rows() -> int:
    return _one("SELECT count(*) FROM costing_post_value_entry_to_gl")


def i3_lost_postings(expected_posting: bool, *, drained: bool) -> int:
    """Value entries not posted in full. Not drained: only those that are not waiting in the queue (lost work)."""
    queued = "SELECT 1 FROM costing_post_value_entry_to_gl q WHERE q.value_entry_no = v.entry_no"
    pending = "" if drained else f"AND NOT EXISTS ({queued})"
    expected = "OR v.expected_cost_posted_to_gl <> v.cost_amount_expected" if expected_posting else ""
    return _one(
        f"""
        SELECT count(*) FROM costing_value_entry v
         WHERE (v.cost_posted_to_gl <> v.cost_amount_actual {expected}) {pending}
        """
    )


def i4_posted_twice(accounts: list[str]) -> int:
    """A value entry linked to G/L lines of more than one G/L transaction, or twice to the same inventory account."""
    return _one(
        """
        SELECT count(*) FROM (
            SELECT r.value_entry_no FROM costing_gl_item_ledger_relation r
              JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no
             GROUP BY 1
            HAVING count(DISTINCT g.transaction_no) > 1
                OR count(*) FILTER (WHERE g.gl_account_id = ANY(%(inv)s))
                   > count(DISTINCT g.gl_account_id) FILTER (WHERE g.gl_account_id = ANY(%(inv)s))
        ) x
        """,
        {"inv": accounts},
    )


def i4_too_many_gl_lines() -> int:
    return _one(
        """
        SELECT count(*) FROM (SELECT value_entry_no FROM costing_gl_item_ledger_relation GROUP BY 1
                              HAVING count(DISTINCT gl_entry_no) > %(max)s) y
        """,
        {"max": MAX_GL_LINES_PER_VALUE_ENTRY},
    )


# ------------------------------------------------------------------------------------------------------------- I5


def valuation_by_account(as_of=None, *, expected_posting: bool, drained: bool) -> dict[str, Decimal]:
    """The inventory valuation per inventory account as of ``as_of`` (all dates when None): actual cost to the
    setup's inventory account, expected cost to its interim account when expected cost is posted. Not drained: less
    what is still waiting in the Post Value Entry to G/L queue."""
    unposted = "" if drained else """- CASE WHEN q.value_entry_no IS NULL THEN 0 ELSE {col} - {posted} END"""
    actual = "v.cost_amount_actual " + unposted.format(col="v.cost_amount_actual", posted="v.cost_posted_to_gl")
    expected = "v.cost_amount_expected " + unposted.format(
        col="v.cost_amount_expected", posted="v.expected_cost_posted_to_gl"
    )
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH ve AS (
                SELECT s.inventory_account_id AS inv, s.inventory_account_interim_id AS interim,
                       {actual} AS actual, {expected} AS expected
                  FROM costing_value_entry v
                  JOIN costing_inventory_posting_setup s
                    ON s.inventory_posting_group_id = v.inventory_posting_group_id
                   AND s.location_id IS NOT DISTINCT FROM v.location_code
                  LEFT JOIN costing_post_value_entry_to_gl q ON q.value_entry_no = v.entry_no
                 WHERE v.item_no IS NOT NULL AND (%(as_of)s::date IS NULL OR v.posting_date <= %(as_of)s::date)
            )
            SELECT account, sum(amount) FROM (
                SELECT inv AS account, actual AS amount FROM ve
                UNION ALL
                SELECT interim, expected FROM ve WHERE %(expected)s
            ) x WHERE account IS NOT NULL GROUP BY 1
            """,
            {"as_of": as_of, "expected": expected_posting},
        )
        return dict(cur.fetchall())


def gl_balance_by_account(accounts: list[str], as_of=None) -> dict[str, Decimal]:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT gl_account_id, sum(amount) FROM ledger_gl_entry
             WHERE gl_account_id = ANY(%(inv)s) AND (%(as_of)s::date IS NULL OR posting_date <= %(as_of)s::date)
             GROUP BY 1
            """,
            {"inv": accounts, "as_of": as_of},
        )
        return dict(cur.fetchall())


def i5_inventory_differs_from_valuation(accounts, *, expected_posting: bool, drained: bool) -> tuple[int, dict]:
    """Count of (inventory account, date) pairs where the G/L balance differs from the valuation, at every inventory
    period end and overall; and the largest absolute difference."""
    with connection.cursor() as cur:
        cur.execute("SELECT ending_date FROM periods_inventory_period ORDER BY 1")
        dates = [None] + [row[0] for row in cur.fetchall()]
    bad, worst = 0, Decimal("0.00")
    for as_of in dates:
        gl = gl_balance_by_account(accounts, as_of)
        val = valuation_by_account(as_of, expected_posting=expected_posting, drained=drained)
        for account in set(gl) | set(val):
            diff = abs(gl.get(account, Decimal(0)) - val.get(account, Decimal(0)))
            if diff:
                bad += 1
                worst = max(worst, diff)
    return bad, {"i5_dates_checked": len(dates), "i5_max_abs_difference": str(worst)}


# ------------------------------------------------------------------------------------------------------- I6 - I10

_LAST_CLOSE = """
    SELECT p.ending_date, max(e.created_at) AS closed_at
      FROM periods_inventory_period p
      JOIN periods_inventory_period_entry e ON e.ending_date = p.ending_date AND e.entry_type = 'close'
     WHERE p.closed GROUP BY 1
"""


def i6a_posted_into_closed_period(table: str) -> int:
    """Rows dated on or before the end of a closed inventory period and created after that period was last closed."""
    return _one(
        f"""
        SELECT count(*) FROM {table} t JOIN ({_LAST_CLOSE}) c
            ON t.posting_date <= c.ending_date AND t.created_at > c.closed_at
        """
    )


def i7_changed_rows() -> tuple[int, dict]:
    """UPDATE/DELETE that reached ledger rows since the statistics were reset (pg_stat_user_tables). A BEFORE trigger
    that refuses a change stops it before it is counted; one that got through is counted, committed or not."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT relname, n_tup_upd, n_tup_del FROM pg_stat_user_tables
             WHERE relname = ANY(%(all)s) ORDER BY 1
            """,
            {"all": list(APPEND_ONLY + NO_DELETE)},
        )
        rows = cur.fetchall()
    per_table = {}
    total = 0
    for name, upd, dele in rows:
        changed = dele + (upd if name in APPEND_ONLY else 0)
        per_table[name] = changed
        total += changed
    return total, {"i7_per_table": per_table}


def i9_on_hand_differs() -> int:
    """Per item and location, the on-hand quantity (sum of quantities) equals the open remaining quantities (positive
    entries' stock less negative inventory)."""
    return _one(
        """
        SELECT count(*) FROM (SELECT item_no, location_code FROM costing_item_ledger_entry GROUP BY 1, 2
                              HAVING sum(quantity) <> sum(remaining_quantity)) x
        """
    )


def i9_bad_remaining_quantity() -> int:
    return _one(
        """
        SELECT count(*) FROM costing_item_ledger_entry
         WHERE (positive AND (remaining_quantity < 0 OR remaining_quantity > quantity))
            OR (NOT positive AND (remaining_quantity > 0 OR remaining_quantity < quantity))
        """
    )


def i10_value_without_quantity() -> int:
    """Items with no quantity left whose value entries do not add up to exactly 0.00 (after Adjust Cost)."""
    return _one(
        """
        SELECT count(*) FROM (
            SELECT i.item_no FROM (SELECT item_no, sum(quantity) q FROM costing_item_ledger_entry GROUP BY 1) i
              JOIN (SELECT item_no, sum(cost_amount_actual + cost_amount_expected) c FROM costing_value_entry
                     WHERE item_no IS NOT NULL GROUP BY 1) v USING (item_no)
             WHERE i.q = 0 AND v.c <> 0
        ) x
        """
    )


def rerun_creates(*, expected_posting: bool | None = None) -> dict[str, int]:
    """I8: run Adjust Cost and Post Inventory Cost to G/L once more and count the rows they would create. Always rolled
    back: this measures, it does not post."""
    from costing.adjustment import adjust_cost
    from costing.gl_posting import run_post_inventory_cost_to_gl

    tables = ("costing_value_entry", "ledger_gl_entry", "costing_gl_item_ledger_relation")

    def counts():
        return {t: _one(f"SELECT count(*) FROM {t}") for t in tables}

    created: dict[str, int] = {}
    try:
        with transaction.atomic():
            before = counts()
            adjust_cost()
            run_post_inventory_cost_to_gl()
            after = counts()
            created = {t: after[t] - before[t] for t in tables}
            raise _Rerun
    except _Rerun:
        pass
    return created


# ---------------------------------------------------------------------------------------------------------- the run


def run(*, drained: bool = False, rerun: bool = False) -> Report:
    """Every invariant; each count must be 0."""
    accounts = inventory_accounts()
    expected_posting = _expected_cost_posting()
    report = Report(drained=drained)
    c, f = report.counts, report.figures
    c["I1_unbalanced_transactions"] = i1_unbalanced_transactions()
    c["I1_ledger_not_zero"] = int(i1_ledger_total() != 0)
    c["I2_posted_differs_from_gl"] = i2_posted_differs_from_gl(accounts)
    c["I3_lost_postings"] = i3_lost_postings(expected_posting, drained=drained)
    queue = i3_queue_rows()
    f["queue_rows"] = queue
    if drained:
        c["I3_queue_not_empty"] = queue
    c["I4_posted_twice"] = i4_posted_twice(accounts)
    c["I4_too_many_gl_lines"] = i4_too_many_gl_lines()
    c["I5_inventory_differs_from_valuation"], i5 = i5_inventory_differs_from_valuation(
        accounts, expected_posting=expected_posting, drained=drained
    )
    f.update(i5)
    for table, name in (
        ("costing_item_ledger_entry", "I6a_item_ledger_after_close"),
        ("costing_value_entry", "I6a_value_entries_after_close"),
    ):
        c[name] = i6a_posted_into_closed_period(table)
    c["I7_ledger_rows_changed"], i7 = i7_changed_rows()
    f.update(i7)
    if rerun:
        created = rerun_creates()
        c["I8_rerun_created_rows"] = sum(created.values())
        f["i8_rerun_created"] = created
    c["I9_on_hand_differs"] = i9_on_hand_differs()
    c["I9_bad_remaining_quantity"] = i9_bad_remaining_quantity()
    if drained:
        c["I10_value_without_quantity"] = i10_value_without_quantity()
    f.update(
        {
            "inventory_accounts": accounts,
            "expected_cost_posting": expected_posting,
            "value_entries": _one("SELECT count(*) FROM costing_value_entry"),
            "gl_entries": _one("SELECT count(*) FROM ledger_gl_entry"),
            "ledger_total": str(i1_ledger_total()),
            "valuation_source": VALUATION_SOURCE,
            "not_checked": {
                "I6b": "no balance snapshot is taken at period close",
                "I11": "no cancelled source documents exist in Costbook",
            },
        }
    )
    if not rerun:
        f["not_checked"]["I8"] = "run with rerun=True (check_books --rerun) after both jobs drained"
    return report
