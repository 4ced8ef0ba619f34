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
I6b compares the balances as of every closed period's end with the snapshot its close took (``periods_close_snapshot``,
written by ``periods.services.close_period`` from ``close_snapshot_rows``). I11 (no posting for cancelled sources):
a cancelled document keeps its entries and gets a correction entry for each (``costing.cancel``); nothing but Adjust
Cost may post for either entry after the cancellation, and, drained, each pair nets to zero.

``run_for_close`` is the suite as Close Inventory Period runs it before it closes (under its locks): every check that
can fail because of the period being closed, scoped to the entries dated in it where the check allows, so that closing
a month of a million-line database stays within seconds. The nightly ``check_books`` runs the whole suite.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from core.consistent import Inline
from reports.selectors import VALUED_ENTRIES

# Value entries are linked to at most this many G/L lines: actual and expected cost, each an inventory side and a
# balancing side. More means a value entry was posted more than once.
MAX_GL_LINES_PER_VALUE_ENTRY = 4

# Tables whose rows never change once written (UPDATE and DELETE refused by triggers), and those where only DELETE is
# refused (designed bookkeeping columns move: remaining quantity, cost posted to G/L, the Adjust Cost flag).
APPEND_ONLY = (
    "ledger_gl_entry",
    "ledger_gl_transaction",
    "costing_gl_item_ledger_relation",
    "costing_value_entry",
    "periods_close_snapshot",
)
# Updated by design, never deleted: item ledger entries (remaining quantity), application entries (the Adjust Cost
# flag), what is posted to the G/L of a value entry (a later posting adds to it).
NO_DELETE = ("costing_item_ledger_entry", "costing_item_application_entry", "costing_value_entry_gl_posting")

# I5 values the inventory as the Inventory Valuation report does (reports.selectors.VALUED_ENTRIES: the value entries
# of item ledger entries, by posting date, at their cost amounts), as the shared spec asks; the report sums them per
# item and location for one date, I5 per inventory account for every period end in one pass (period_end_balances).
# tests/test_load_demo.py holds the two to the same total at every month end of the demo's books.
VALUATION_SOURCE = (
    "the Inventory Valuation report's value entries (reports.selectors.VALUED_ENTRIES: those of item ledger entries, "
    "by posting date), summed per inventory account and date in one pass"
)


class _Rerun(Exception):
    """Raised to roll back the I8 rerun."""


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)
    drained: bool = False
    # The balances as of each period end the run read (``period_end_balances``); not part of the report's JSON.
    balances: dict = field(default_factory=dict, repr=False)

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


def wip_accounts() -> list[str]:
    """The WIP accounts of the inventory posting setups: the G/L side of capacity value entries (I2)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT wip_account_id FROM costing_inventory_posting_setup WHERE wip_account_id IS NOT NULL "
            "ORDER BY 1"
        )
        return [row[0] for row in cur.fetchall()]


def expected_cost_posting() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT expected_cost_posting_to_gl FROM costing_inventory_setup ORDER BY id LIMIT 1")
        row = cur.fetchone()
        return bool(row and row[0])


# --------------------------------------------------------------------------------------------------------- I1 - I4

# Scopes: ``after`` (exclusive) and ``end`` (inclusive) posting dates; None leaves that side open.
_VE_SCOPE = (
    "(%(after)s::date IS NULL OR v.posting_date > %(after)s::date)"
    " AND (%(end)s::date IS NULL OR v.posting_date <= %(end)s::date)"
)


def _scope(after: date | None = None, end: date | None = None) -> dict:
    return {"after": after, "end": end}


def i1_unbalanced_transactions(*, after: date | None = None, end: date | None = None) -> int:
    """G/L transactions that do not net to 0; scoped: those with a line dated in the scope."""
    if after is None and end is None:
        return _one(
            "SELECT count(*) FROM (SELECT transaction_no FROM ledger_gl_entry GROUP BY 1 HAVING sum(amount) <> 0) x"
        )
    return _one(
        """
        SELECT count(*) FROM (
            SELECT g.transaction_no FROM ledger_gl_entry g
             WHERE g.transaction_no IN (
                   SELECT s.transaction_no FROM ledger_gl_entry s
                    WHERE (%(after)s::date IS NULL OR s.posting_date > %(after)s::date)
                      AND (%(end)s::date IS NULL OR s.posting_date <= %(end)s::date))
             GROUP BY 1 HAVING sum(g.amount) <> 0
        ) x
        """,
        _scope(after, end),
    )


def i1_ledger_total() -> Decimal:
    return abs(_one("SELECT coalesce(sum(amount), 0) FROM ledger_gl_entry"))


def gl_link_counts(
    accounts: list[str],
    *,
    after: date | None = None,
    end: date | None = None,
    lost: tuple[bool, bool] | None = None,
) -> dict[str, int]:
    """I2 and I4 in one pass over the value entries (dated in the scope) and their G/L links; with ``lost`` =
    (expected cost posting, drained), I3's lost postings too (value entries not posted in full; not drained, only
    those not waiting in the queue), in the same pass: the pass joins each value entry with what is posted of it
    anyway, and a second pass over the same entries cost the close test about a second on the 1M ledger.

    * I2: per value entry, cost posted to G/L = its share of the linked inventory-side G/L lines, and all its shares
      net to 0. The relation's ``amount`` is the value entry's share, so this holds per entry whatever the method.
      The inventory side of an entry of an item ledger entry is an inventory account; a capacity entry (no item
      ledger entry: production work and overhead) is WIP, not inventory, and its side is a WIP account.
    * I4 posted twice: a value entry linked to G/L lines of more than one G/L transaction, or twice to the same
      inventory account.
    * I4 too many lines: more than ``MAX_GL_LINES_PER_VALUE_ENTRY`` distinct linked G/L lines.

    The pass counts without DISTINCT, which would sort every value entry's links (a third of the close test's time
    on the 1M ledger): more than one inventory-side link, or more links than the maximum, only makes an entry a
    candidate, and the distinct accounts and lines of the few candidates are counted in a second query. Whether a
    G/L entry is on an inventory (or WIP) account is decided once per G/L entry, in the subquery, rather than twice
    per link (on the 1M ledger: 1.5 million links against 257,000 G/L entries; the pass 2.0-2.4 s instead of 2.3-2.6
    s).
    """
    wip = wip_accounts()
    # Per link: is its G/L line on the value entry's inventory side (see I2 above)?
    side = "CASE WHEN v.item_ledger_entry_no IS NULL THEN g.wip ELSE g.inv END"
    lost_sql, queue_join = "false", ""
    if lost is not None:
        expected_posting, drained = lost
        lost_sql = "coalesce(p.cost_posted_to_gl, 0) <> v.cost_amount_actual"
        if expected_posting:
            lost_sql += " OR coalesce(p.expected_cost_posted_to_gl, 0) <> v.cost_amount_expected"
        if not drained:
            # Pending mode: an entry waiting in the queue is not lost.
            lost_sql = f"({lost_sql}) AND q.value_entry_no IS NULL"
            queue_join = "LEFT JOIN costing_post_value_entry_to_gl q ON q.value_entry_no = v.entry_no"
    # Grouped by the value entry's key alone, so the rows come grouped in key order without a sort; what is posted
    # of each entry (and whether it is queued) is joined to the groups afterwards, in the same order.
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT count(*) FILTER (WHERE coalesce(p.cost_posted_to_gl + p.expected_cost_posted_to_gl, 0) <> v.inv
                                       OR v.total <> 0),
                   count(*) FILTER (WHERE v.split),
                   coalesce(array_agg(v.entry_no) FILTER (WHERE v.inv_links > 1 AND NOT v.split), '{{}}'),
                   coalesce(array_agg(v.entry_no) FILTER (WHERE v.links > %(max)s), '{{}}'),
                   count(*) FILTER (WHERE {lost_sql})
              FROM (
                SELECT v.entry_no, v.cost_amount_actual, v.cost_amount_expected,
                       coalesce(sum(r.amount) FILTER (WHERE {side}), 0) AS inv,
                       coalesce(sum(r.amount), 0) AS total,
                       coalesce(min(g.transaction_no) <> max(g.transaction_no), false) AS split,
                       count(*) FILTER (WHERE {side}) AS inv_links,
                       count(r.gl_entry_no) AS links
                  FROM costing_value_entry v
                  LEFT JOIN costing_gl_item_ledger_relation r ON r.value_entry_no = v.entry_no
                  LEFT JOIN (SELECT entry_no, transaction_no, gl_account_id = ANY(%(inv)s) AS inv,
                                    gl_account_id = ANY(%(wip)s) AS wip
                               FROM ledger_gl_entry) g ON g.entry_no = r.gl_entry_no
                 WHERE {_VE_SCOPE}
                 GROUP BY v.entry_no
              ) v
              LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no
              {queue_join}
            """,
            {"inv": accounts, "wip": wip, "max": MAX_GL_LINES_PER_VALUE_ENTRY, **_scope(after, end)},
        )
        i2, twice, same_account, many, lost_count = cur.fetchone()
        too_many = 0
        if same_account or many:
            cur.execute(
                f"""
                SELECT count(*) FILTER (WHERE r.value_entry_no = ANY(%(same)s) AND count_inv > distinct_inv),
                       count(*) FILTER (WHERE r.value_entry_no = ANY(%(many)s) AND distinct_lines > %(max)s)
                  FROM (
                    SELECT r.value_entry_no,
                           count(*) FILTER (WHERE {side}) AS count_inv,
                           count(DISTINCT g.gl_account_id) FILTER (WHERE {side}) AS distinct_inv,
                           count(DISTINCT r.gl_entry_no) AS distinct_lines
                      FROM costing_gl_item_ledger_relation r
                      JOIN costing_value_entry v ON v.entry_no = r.value_entry_no
                      LEFT JOIN (SELECT entry_no, gl_account_id, gl_account_id = ANY(%(inv)s) AS inv,
                                        gl_account_id = ANY(%(wip)s) AS wip
                                   FROM ledger_gl_entry) g ON g.entry_no = r.gl_entry_no
                     WHERE r.value_entry_no = ANY(%(same)s) OR r.value_entry_no = ANY(%(many)s)
                     GROUP BY r.value_entry_no
                  ) r
                """,
                {"inv": accounts, "wip": wip, "max": MAX_GL_LINES_PER_VALUE_ENTRY, "same": same_account, "many": many},
            )
            same, too_many = cur.fetchone()
            twice += same
    counts = {"I2_posted_differs_from_gl": i2, "I4_posted_twice": twice, "I4_too_many_gl_lines": too_many}
    if lost is not None:
        counts["I3_lost_postings"] = lost_count
    return counts


def i2_posted_differs_from_gl(accounts: list[str]) -> int:
    return gl_link_counts(accounts)["I2_posted_differs_from_gl"]


def i3_queue_rows() -> int:
    return _one("SELECT count(*) FROM costing_post_value_entry_to_gl")


def i3_lost_postings(
    expected_posting: bool, *, drained: bool, after: date | None = None, end: date | None = None
) -> int:
    """Value entries not posted in full. Not drained: only those that are not waiting in the queue (lost work).
    Counted in the I2/I4 pass, which joins each value entry with what is posted of it anyway."""
    counts = gl_link_counts(inventory_accounts(), after=after, end=end, lost=(expected_posting, drained))
    return counts["I3_lost_postings"]


def i4_posted_twice(accounts: list[str]) -> int:
    return gl_link_counts(accounts)["I4_posted_twice"]


def i4_too_many_gl_lines() -> int:
    return gl_link_counts(inventory_accounts())["I4_too_many_gl_lines"]


# ------------------------------------------------------------------------------------------- balances at period ends

# "As of no particular date": the bucket after the last period end.
OPEN_END = date.max


def period_end_balances(accounts: list[str], ends: list[date]) -> dict[date, dict[tuple, list[Decimal]]]:
    """The inventory side and the G/L side as of each date in ``ends``, read in one statement (one snapshot of the
    database, so a posting that commits meanwhile cannot make the two sides disagree) and one pass over the entries,
    however many dates.

    Per date, cumulative: ``(kind, account, location, inventory posting group) -> [value, not posted, queued]``.
    ``actual``: the cost amount (actual) on the posting setup's inventory account; ``expected``: the expected cost on
    its interim account; ``not posted`` what the value entries have not posted to the G/L yet, ``queued`` the part
    of it waiting in the Post Value Entry to G/L queue. ``gl``: the G/L balance of an inventory account (location and
    group None).

    The value entries are those the Inventory Valuation report values (``reports.selectors.VALUED_ENTRIES``), as the
    shared spec asks of I5: not the capacity entries (production work and overhead: no item ledger entry, on WIP),
    though they carry the produced item. Each is valued on the inventory account of its posting setup (every posted
    value entry has one: posting refuses a line without it)."""
    ends = sorted(set(ends))
    if not ends:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT 'v', v.posting_date, s.inventory_account_id, s.inventory_account_interim_id,
                   v.location_code, v.inventory_posting_group_id,
                   sum(v.cost_amount_actual), sum(v.cost_amount_actual - coalesce(p.cost_posted_to_gl, 0)),
                   coalesce(sum(v.cost_amount_actual - coalesce(p.cost_posted_to_gl, 0))
                            FILTER (WHERE q.value_entry_no IS NOT NULL), 0),
                   sum(v.cost_amount_expected),
                   sum(v.cost_amount_expected - coalesce(p.expected_cost_posted_to_gl, 0)),
                   coalesce(sum(v.cost_amount_expected - coalesce(p.expected_cost_posted_to_gl, 0))
                            FILTER (WHERE q.value_entry_no IS NOT NULL), 0)
              FROM costing_value_entry v
              JOIN costing_inventory_posting_setup s
                ON s.inventory_posting_group_id = v.inventory_posting_group_id
               AND s.location_id IS NOT DISTINCT FROM v.location_code
              LEFT JOIN costing_post_value_entry_to_gl q ON q.value_entry_no = v.entry_no
              LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no
             WHERE {VALUED_ENTRIES} AND v.posting_date <= %(last)s
             GROUP BY 2, 3, 4, 5, 6
            UNION ALL
            SELECT 'g', g.posting_date, g.gl_account_id, NULL, NULL, NULL, sum(g.amount), 0, 0, 0, 0, 0
              FROM ledger_gl_entry g
             WHERE g.gl_account_id = ANY(%(inv)s) AND g.posting_date <= %(last)s
             GROUP BY 2, 3
            """,
            {"inv": accounts, "last": ends[-1]},
        )
        rows = cur.fetchall()
    buckets: list[dict[tuple, list[Decimal]]] = [{} for _ in ends]

    def add(bucket: dict, key: tuple, value, not_posted, queued) -> None:
        sums = bucket.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        sums[0] += value
        sums[1] += not_posted
        sums[2] += queued

    for side, day, inv, interim, loc, grp, a, na, qa, x, nx, qx in rows:
        bucket = buckets[bisect_left(ends, day)]
        if side == "g":
            add(bucket, ("gl", inv, None, None), a, 0, 0)
            continue
        if inv is not None:
            add(bucket, ("actual", inv, loc, grp), a, na, qa)
        if interim is not None:
            add(bucket, ("expected", interim, loc, grp), x, nx, qx)
    result: dict[date, dict[tuple, list[Decimal]]] = {}
    running: dict[tuple, list[Decimal]] = {}
    for day, bucket in zip(ends, buckets, strict=True):
        for key, sums in bucket.items():
            total = running.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
            for n in range(3):
                total[n] += sums[n]
        result[day] = {key: list(sums) for key, sums in running.items()}
    return result


def by_account(balances: dict[tuple, list[Decimal]], *, expected_posting: bool) -> dict[str, dict[str, Decimal]]:
    """Per inventory account: ``gl``, ``value``, ``not_posted``, ``queued`` (expected cost only when it is posted)."""
    accounts: dict[str, dict[str, Decimal]] = {}
    for (kind, account, _loc, _grp), (value, not_posted, queued) in balances.items():
        if kind == "expected" and not expected_posting:
            continue
        row = accounts.setdefault(
            account, {"gl": Decimal(0), "value": Decimal(0), "not_posted": Decimal(0), "queued": Decimal(0)}
        )
        if kind == "gl":
            row["gl"] += value
        else:
            row["value"] += value
            row["not_posted"] += not_posted
            row["queued"] += queued
    return accounts


def by_location(balances: dict[tuple, list[Decimal]], *, expected_posting: bool) -> dict[tuple, dict[str, Decimal]]:
    """Per (inventory account, location, inventory posting group): ``value`` and ``not_posted``."""
    rows: dict[tuple, dict[str, Decimal]] = {}
    for (kind, account, loc, grp), (value, not_posted, _queued) in balances.items():
        if kind == "gl" or (kind == "expected" and not expected_posting):
            continue
        row = rows.setdefault((account, loc, grp), {"value": Decimal(0), "not_posted": Decimal(0)})
        row["value"] += value
        row["not_posted"] += not_posted
    return rows


# ------------------------------------------------------------------------------------------------------------- I5


def i5_inventory_differs_from_valuation(
    accounts, *, expected_posting: bool, drained: bool, dates: list[date] | None = None, balances=None
) -> tuple[int, dict]:
    """Count of (inventory account, date) pairs where the G/L balance differs from the valuation, at every inventory
    period end and overall (or at ``dates``); and the largest absolute difference. Not drained: the valuation less
    what is still waiting in the Post Value Entry to G/L queue."""
    if dates is None:
        with connection.cursor() as cur:
            cur.execute("SELECT ending_date FROM periods_inventory_period ORDER BY 1")
            dates = [row[0] for row in cur.fetchall()] + [OPEN_END]
    if balances is None:
        balances = period_end_balances(accounts, dates)
    bad, worst = 0, Decimal("0.00")
    for as_of in dates:
        for row in by_account(balances[as_of], expected_posting=expected_posting).values():
            valuation = row["value"] - (Decimal(0) if drained else row["queued"])
            diff = abs(row["gl"] - valuation)
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


def close_snapshot_rows(balances: dict[tuple, list[Decimal]], accounts: list[str], *, expected_posting: bool):
    """The rows a close writes to ``periods_close_snapshot`` for one ending date (``balances`` as of that date): one
    per inventory account (``account_total``) with its G/L balance, valuation and not-yet-posted part, and one per
    account x location x inventory posting group with the valuation. I6b recomputes the same rows later."""
    totals = by_account(balances, expected_posting=expected_posting)
    rows = []
    for account in sorted(set(accounts) | set(totals)):
        t = totals.get(account) or {"gl": Decimal(0), "value": Decimal(0), "not_posted": Decimal(0)}
        rows.append(
            {
                "gl_account_no": account,
                "location_code": None,
                "inventory_posting_group": None,
                "account_total": True,
                "gl_balance": t["gl"],
                "inventory_value": t["value"],
                "not_posted": t["not_posted"],
                "expected_cost_posting": expected_posting,
            }
        )
    details = by_location(balances, expected_posting=expected_posting)
    for (account, loc, grp), d in sorted(details.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        rows.append(
            {
                "gl_account_no": account,
                "location_code": loc,
                "inventory_posting_group": grp,
                "account_total": False,
                "gl_balance": Decimal(0),
                "inventory_value": d["value"],
                "not_posted": d["not_posted"],
                "expected_cost_posting": expected_posting,
            }
        )
    return rows


def closed_period_snapshots() -> tuple[dict[date, list[dict]], list[date]]:
    """The snapshot of the last close of every closed inventory period, by ending date; and the closed periods whose
    last close took none (closed before snapshots existed)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.ending_date, s.gl_account_no, s.location_code, s.inventory_posting_group, s.account_total,
                   s.gl_balance, s.inventory_value, s.not_posted, s.expected_cost_posting
              FROM (SELECT e.ending_date, max(e.entry_no) AS entry_no
                      FROM periods_inventory_period_entry e
                      JOIN periods_inventory_period p ON p.ending_date = e.ending_date AND p.closed
                     WHERE e.entry_type = 'close' GROUP BY 1) c
              LEFT JOIN periods_close_snapshot s ON s.period_entry_no = c.entry_no
             ORDER BY 1
            """
        )
        names = ("gl_account_no", "location_code", "inventory_posting_group", "account_total", "gl_balance",
                 "inventory_value", "not_posted", "expected_cost_posting")  # fmt: skip
        snapshots: dict[date, list[dict]] = {}
        without: list[date] = []
        for ending_date, *values in cur.fetchall():
            if values[0] is None:
                without.append(ending_date)
            else:
                snapshots.setdefault(ending_date, []).append(dict(zip(names, values, strict=True)))
    return snapshots, without


def i6b_closed_period_changed(accounts: list[str], snapshots: dict[date, list[dict]], balances) -> tuple[int, dict]:
    """Closed periods' totals are frozen: for every closed period, the rows its last close wrote to the snapshot,
    recomputed from the books as they are now, as of its ending date. Per inventory account the valuation and
    ``G/L balance + not yet posted`` must be unchanged (Post Inventory Cost to G/L may still post, dated in the period,
    what was pending at the close: that moves an amount from "not posted" to the G/L); per account x location x
    posting group the valuation. A row present on only one side counts against zeros."""
    bad, worst, periods_bad = 0, Decimal("0.00"), []
    for ending_date, snapshot in snapshots.items():
        expected_posting = bool(snapshot[0]["expected_cost_posting"])
        now = close_snapshot_rows(balances[ending_date], accounts, expected_posting=expected_posting)

        def key(row):
            return (row["gl_account_no"], row["location_code"], row["inventory_posting_group"], row["account_total"])

        then_by_key = {key(r): r for r in snapshot}
        now_by_key = {key(r): r for r in now}
        zero = {"gl_balance": Decimal(0), "inventory_value": Decimal(0), "not_posted": Decimal(0)}
        found = 0
        for k in set(then_by_key) | set(now_by_key):
            then, current = then_by_key.get(k, zero), now_by_key.get(k, zero)
            diffs = [abs(current["inventory_value"] - then["inventory_value"])]
            if k[3]:
                diffs.append(
                    abs(current["gl_balance"] + current["not_posted"] - then["gl_balance"] - then["not_posted"])
                )
            if any(diffs):
                found += 1
                worst = max(worst, *diffs)
        if found:
            bad += found
            periods_bad.append(ending_date.isoformat())
    return bad, {
        "i6b_periods_checked": len(snapshots),
        "i6b_periods_changed": periods_bad,
        "i6b_max_abs_difference": str(worst),
    }


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
    """Inventories with no quantity left whose value does not add up to exactly 0.00 (after Adjust Cost).

    An inventory is an item at a location, where its cost layers live, except an Average item whose average is
    calculated per item (inventory setup: Average Cost Calc. Type Item), whose outbound entries leave each location at
    the item's one average: that is one inventory across its locations. Per item alone a Standard chain sold from one
    location (negative there, at its standard cost) and produced and revalued at another would count: no quantity in
    all, a value of the revaluation. The value is the inventory valuation's (``reports.selectors.VALUED_ENTRIES``):
    capacity entries carry the produced item but are WIP.

    Only inventories whose item ledger entries are all completely invoiced count: an outbound entry applied to a
    receipt not yet invoiced is valued at its share of the receipt's expected cost, rounded per entry, and Adjust Cost
    posts the rounding (the cent that closes the receipt) once the receipt's cost is final, at its invoice, as
    Business Central does. On the 1M benchmark ledger eleven locations with no quantity left carried such a cent
    (a receipt of 5 at 2,389.07 expected, sold 3 + 1 + 1 at 1,433.44 + 477.81 + 477.81)."""
    return _one(
        f"""
        WITH setup AS (SELECT coalesce(bool_or(average_cost_calc_type = 'item'), false) AS per_item
                         FROM costing_inventory_setup),
             entries AS (SELECT item_no, location_code, quantity, 0 AS value, completely_invoiced
                           FROM costing_item_ledger_entry
                         UNION ALL
                         SELECT v.item_no, v.location_code, 0, v.cost_amount_actual + v.cost_amount_expected, true
                           FROM costing_value_entry v WHERE {VALUED_ENTRIES}),
             inv AS (SELECT e.item_no,
                            CASE WHEN it.costing_method = 'average' AND setup.per_item THEN ''
                                 ELSE coalesce(e.location_code, '') END AS location_code,
                            e.quantity, e.value, e.completely_invoiced
                       FROM entries e JOIN costing_item it ON it.no = e.item_no CROSS JOIN setup)
        SELECT count(*) FROM (
            SELECT 1 FROM inv GROUP BY item_no, location_code
            HAVING sum(quantity) = 0 AND sum(value) <> 0 AND bool_and(completely_invoiced)
        ) x
        """
    )


# A revaluation value entry on an inbound correction (the stock a cancelled sale brought back; c is the correction).
_STOCK_REVALUATION = "v.entry_type = 'revaluation' AND v.item_ledger_entry_no = c.entry_no AND c.quantity > 0"


def i11_posted_for_cancelled() -> int:
    """Value entries posted for a cancelled entry or its correction after the cancellation, other than Adjust Cost's
    (an invoice, an item charge, a revaluation): a cancelled document must stay cancelled (spec I11, ERPNext #51559).
    The cancellation's own posting is the correction's item register; later registers are after it. A revaluation of
    the stock a cancelled sale brought back (its correction, inbound) is the stock's, not the sale's: not counted."""
    return _one(
        f"""
        SELECT count(*) FROM costing_item_ledger_entry c
          JOIN costing_value_entry v ON v.item_ledger_entry_no IN (c.entry_no, c.corrects_entry)
         WHERE c.corrects_entry IS NOT NULL AND v.register_no > c.register_no AND NOT v.adjustment
           AND NOT ({_STOCK_REVALUATION})
        """
    )


def i11_cancelled_pair_not_zero() -> int:
    """Cancelled entries whose cost and their correction's do not add up to exactly 0.00, in actual or in expected
    cost (after Adjust Cost: the correction follows its entry's cost through its application), leaving out the
    revaluations of the stock a cancelled sale brought back."""
    return _one(
        f"""
        SELECT count(*) FROM (
            SELECT c.entry_no FROM costing_item_ledger_entry c
              JOIN costing_value_entry v ON v.item_ledger_entry_no IN (c.entry_no, c.corrects_entry)
             WHERE c.corrects_entry IS NOT NULL AND NOT ({_STOCK_REVALUATION})
             GROUP BY c.entry_no
            HAVING sum(v.cost_amount_actual) <> 0 OR sum(v.cost_amount_expected) <> 0
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


def _period_ends() -> list[date]:
    with connection.cursor() as cur:
        cur.execute("SELECT ending_date FROM periods_inventory_period ORDER BY 1")
        return [row[0] for row in cur.fetchall()]


def _i6(report: Report, accounts: list[str], balances, snapshots, without) -> None:
    """I6a and I6b into ``report`` (``balances`` must cover every closed period's ending date)."""
    c, f = report.counts, report.figures
    for table, name in (
        ("costing_item_ledger_entry", "I6a_item_ledger_after_close"),
        ("costing_value_entry", "I6a_value_entries_after_close"),
    ):
        c[name] = i6a_posted_into_closed_period(table)
    c["I6b_closed_period_changed"], i6b = i6b_closed_period_changed(accounts, snapshots, balances)
    f.update(i6b)
    f["i6b_closed_periods_without_snapshot"] = [d.isoformat() for d in without]


def run(*, drained: bool = False, rerun: bool = False) -> Report:
    """Every invariant; each count must be 0."""
    accounts = inventory_accounts()
    expected_posting = expected_cost_posting()
    report = Report(drained=drained)
    c, f = report.counts, report.figures
    c["I1_unbalanced_transactions"] = i1_unbalanced_transactions()
    c["I1_ledger_not_zero"] = int(i1_ledger_total() != 0)
    links = gl_link_counts(accounts, lost=(expected_posting, drained))
    c["I2_posted_differs_from_gl"] = links["I2_posted_differs_from_gl"]
    c["I3_lost_postings"] = links["I3_lost_postings"]
    queue = i3_queue_rows()
    f["queue_rows"] = queue
    if drained:
        c["I3_queue_not_empty"] = queue
    c["I4_posted_twice"] = links["I4_posted_twice"]
    c["I4_too_many_gl_lines"] = links["I4_too_many_gl_lines"]
    dates = _period_ends() + [OPEN_END]
    snapshots, without = closed_period_snapshots()
    balances = period_end_balances(accounts, dates)
    c["I5_inventory_differs_from_valuation"], i5 = i5_inventory_differs_from_valuation(
        accounts, expected_posting=expected_posting, drained=drained, dates=dates, balances=balances
    )
    f.update(i5)
    _i6(report, accounts, balances, snapshots, without)
    c["I7_ledger_rows_changed"], i7 = i7_changed_rows()
    f.update(i7)
    if rerun:
        created = rerun_creates()
        c["I8_rerun_created_rows"] = sum(created.values())
        f["i8_rerun_created"] = created
    c["I9_on_hand_differs"] = i9_on_hand_differs()
    c["I9_bad_remaining_quantity"] = i9_bad_remaining_quantity()
    c["I11_posted_for_cancelled"] = i11_posted_for_cancelled()
    if drained:
        c["I10_value_without_quantity"] = i10_value_without_quantity()
        c["I11_cancelled_not_net_zero"] = i11_cancelled_pair_not_zero()
    f.update(
        {
            "inventory_accounts": accounts,
            "expected_cost_posting": expected_posting,
            "value_entries": _one("SELECT count(*) FROM costing_value_entry"),
            "gl_entries": _one("SELECT count(*) FROM ledger_gl_entry"),
            "ledger_total": str(i1_ledger_total()),
            "valuation_source": VALUATION_SOURCE,
            "not_checked": {},
        }
    )
    if not rerun:
        f["not_checked"]["I8"] = "run with rerun=True (check_books --rerun) after both jobs drained"
    return report


def run_for_close(ending_date: date, side=None, meanwhile: Callable[[], object] | None = None) -> Report:
    """The suite as Close Inventory Period runs it (``periods.selectors.close_test``), before anything is closed.

    Pending mode (Post Inventory Cost to G/L need not have drained: unposted entries are a close-test warning). The
    checks that look at single entries (I1 per transaction, I2, I3, I4) are scoped to what the close vouches for: the
    entries dated after the last closed period's end, up to ``ending_date`` (earlier ones were checked when their
    period closed, and I6b keeps their totals). I5 runs at every period end up to ``ending_date``, I6a/I6b over every
    closed period, I7 and I9 over the whole ledger. I8 (it writes) and I10 (needs drained jobs) are left to
    ``check_books``. One pass per check: closing a month of a million-line database stays within seconds.

    ``side`` (from ``core.consistent.reads()``, on the caller's snapshot): the I2/I4 pass over the period's value
    entries and their G/L links, about half of the suite's reads at 1M, goes there, and this connection does the
    rest meanwhile: first ``meanwhile`` (the close test's own reasons), then the other checks.
    """
    side = side or Inline()
    accounts = inventory_accounts()
    expected_posting = expected_cost_posting()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT max(ending_date) FROM periods_inventory_period WHERE closed AND ending_date < %s", [ending_date]
        )
        after = cur.fetchone()[0]
    pending_links = side.submit(gl_link_counts, accounts, after=after, end=ending_date, lost=(expected_posting, False))
    if meanwhile is not None:
        meanwhile()
    report = Report(drained=False)
    c, f = report.counts, report.figures
    f["scope"] = {"after": after.isoformat() if after else None, "end": ending_date.isoformat()}
    c["I1_unbalanced_transactions"] = i1_unbalanced_transactions(after=after, end=ending_date)
    c["I1_ledger_not_zero"] = int(i1_ledger_total() != 0)
    c["I2_posted_differs_from_gl"] = 0  # from the I2/I4 pass, below: the report keeps the suite's order
    c["I3_lost_postings"] = 0  # from the I2/I4 pass too
    ends = _period_ends()
    dates = sorted({d for d in ends if d <= ending_date} | {ending_date})
    snapshots, without = closed_period_snapshots()
    balances = period_end_balances(accounts, dates + list(snapshots))
    i5_count, i5 = i5_inventory_differs_from_valuation(
        accounts, expected_posting=expected_posting, drained=False, dates=dates, balances=balances
    )
    i7_count, i7 = i7_changed_rows()
    i9_on_hand, i9_remaining = i9_on_hand_differs(), i9_bad_remaining_quantity()
    links = pending_links.result()
    c["I2_posted_differs_from_gl"] = links["I2_posted_differs_from_gl"]
    c["I4_posted_twice"] = links["I4_posted_twice"]
    c["I4_too_many_gl_lines"] = links["I4_too_many_gl_lines"]
    c["I3_lost_postings"] = links["I3_lost_postings"]
    c["I5_inventory_differs_from_valuation"] = i5_count
    f.update(i5)
    _i6(report, accounts, balances, snapshots, without)
    report.balances = balances
    f["expected_cost_posting"] = expected_posting
    c["I7_ledger_rows_changed"] = i7_count
    f.update(i7)
    c["I9_on_hand_differs"] = i9_on_hand
    c["I9_bad_remaining_quantity"] = i9_remaining
    return report
