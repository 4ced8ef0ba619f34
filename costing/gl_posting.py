"""The bridge from the inventory subledger to the books: value entries to G/L entries.

Rules: costing reference 1.1 (which setup supplies an account), 1.2 (amount to post = cost - cost posted to G/L),
1.3 (account +amount, balancing -amount), 1.4 / 1.5 (the mapping), 1.6 (the created entries and the G/L - item ledger
relation), 5.1 (posting methods, skipped entries) and 5.2 (test report warnings).

Planning and posting are set-based SQL over temporary tables (see "the plan, in SQL" below): a million value entries
are a few dozen statements, not a Python object per entry. ``post_value_entries`` posts given value entries at once
(automatic cost posting, adjustment runs); the batch run (``run_post_inventory_cost_to_gl``) drains the Post Value
Entry to G/L queue in chunks, each chunk one transaction that claims its queue rows with ``FOR UPDATE SKIP LOCKED``,
posts them and deletes them, so a killed run leaves nothing half-posted and two runs never post a value entry twice.
The dry run and the test report (5.2) run the same plan and write nothing.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.money import ZERO
from costing.models import (
    InventoryPostingSetup,
    InventorySetup,
    ItemLedgerEntryType,
    OrderType,
    ValueEntryType,
    VarianceType,
)
from ledger.models import GeneralPostingSetup, GLEntry
from ledger.services import STAGE_TABLE, allowed_posting_range, open_stage, post_staged

PER_ENTRY = "per_entry"
PER_POSTING_GROUP = "per_posting_group"
SOURCE_CODE = "INVTPCOST"

# Account types (BC enum 48) and where each comes from: (setup, field).
INVENTORY = "inventory"
INVENTORY_INTERIM = "inventory_interim"
WIP = "wip_inventory"
MATERIAL_VARIANCE = "material_variance"
CAPACITY_VARIANCE = "capacity_variance"
SUBCONTRACTED_VARIANCE = "subcontracted_variance"
CAP_OVERHEAD_VARIANCE = "cap_overhead_variance"
MFG_OVERHEAD_VARIANCE = "mfg_overhead_variance"
INVENTORY_ADJMT = "inventory_adjmt"
DIRECT_COST_APPLIED = "direct_cost_applied"
OVERHEAD_APPLIED = "overhead_applied"
PURCHASE_VARIANCE = "purchase_variance"
COGS = "cogs"
COGS_INTERIM = "cogs_interim"
INVT_ACCRUAL_INTERIM = "invt_accrual_interim"

ACCOUNT_SOURCE = {
    INVENTORY: ("ips", "inventory_account"),
    INVENTORY_INTERIM: ("ips", "inventory_account_interim"),
    WIP: ("ips", "wip_account"),
    MATERIAL_VARIANCE: ("ips", "material_variance_account"),
    CAPACITY_VARIANCE: ("ips", "capacity_variance_account"),
    SUBCONTRACTED_VARIANCE: ("ips", "subcontracted_variance_account"),
    CAP_OVERHEAD_VARIANCE: ("ips", "cap_overhead_variance_account"),
    MFG_OVERHEAD_VARIANCE: ("ips", "mfg_overhead_variance_account"),
    INVENTORY_ADJMT: ("gps", "inventory_adjmt_account"),
    DIRECT_COST_APPLIED: ("gps", "direct_cost_applied_account"),
    OVERHEAD_APPLIED: ("gps", "overhead_applied_account"),
    PURCHASE_VARIANCE: ("gps", "purchase_variance_account"),
    COGS: ("gps", "cogs_account"),
    COGS_INTERIM: ("gps", "cogs_account_interim"),
    INVT_ACCRUAL_INTERIM: ("gps", "invt_accrual_account_interim"),
}

ACCOUNT_TYPE_LABELS = {
    INVENTORY: "Inventory",
    INVENTORY_INTERIM: "Inventory (Interim)",
    WIP: "WIP Inventory",
    MATERIAL_VARIANCE: "Material Variance",
    CAPACITY_VARIANCE: "Capacity Variance",
    SUBCONTRACTED_VARIANCE: "Subcontracted Variance",
    CAP_OVERHEAD_VARIANCE: "Cap. Overhead Variance",
    MFG_OVERHEAD_VARIANCE: "Mfg. Overhead Variance",
    INVENTORY_ADJMT: "Inventory Adjmt.",
    DIRECT_COST_APPLIED: "Direct Cost Applied",
    OVERHEAD_APPLIED: "Overhead Applied",
    PURCHASE_VARIANCE: "Purchase Variance",
    COGS: "COGS",
    COGS_INTERIM: "COGS (Interim)",
    INVT_ACCRUAL_INTERIM: "Invt. Accrual (Interim)",
}

VARIANCE_ACCOUNTS = {
    "material": MATERIAL_VARIANCE,
    "capacity": CAPACITY_VARIANCE,
    "subcontracted": SUBCONTRACTED_VARIANCE,
    "capacity_overhead": CAP_OVERHEAD_VARIANCE,
    "manufacturing_overhead": MFG_OVERHEAD_VARIANCE,
}

ACTUAL = "actual"
EXPECTED = "expected"


class InvalidCombination(Exception):
    """An item ledger entry type / value entry type / expected cost combination that has no accounts (1.4)."""


def account_types(ve) -> dict[str, tuple[str, str]]:
    """{part: (account type, balancing account type)} for a value entry, exactly table 1.4 / 1.5 of the reference."""
    ile, et, vt = ve.item_ledger_entry_type, ve.entry_type, ve.variance_type
    if not ile:
        if ve.order_type == "production" and et == "direct_cost":
            return {ACTUAL: (WIP, DIRECT_COST_APPLIED)}
        if ve.order_type == "production" and et == "indirect_cost":
            return {ACTUAL: (WIP, OVERHEAD_APPLIED)}
        raise InvalidCombination(ve)
    if ile == "purchase":
        table = {
            "direct_cost": {
                EXPECTED: (INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM),
                ACTUAL: (INVENTORY, DIRECT_COST_APPLIED),
            },
            "indirect_cost": {ACTUAL: (INVENTORY, OVERHEAD_APPLIED)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
        if et == "variance":
            if vt != "purchase":
                raise InvalidCombination(ve)
            return {ACTUAL: (INVENTORY, PURCHASE_VARIANCE)}
    elif ile == "sale":
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, COGS)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile in ("positive_adjmt", "negative_adjmt", "transfer"):
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "revaluation": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile == "consumption":
        table = {
            "direct_cost": {ACTUAL: (INVENTORY, WIP)},
            "revaluation": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile == "output":
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, WIP), ACTUAL: (INVENTORY, WIP)},
            "indirect_cost": {ACTUAL: (INVENTORY, OVERHEAD_APPLIED)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, WIP), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
        if et == "variance":
            if vt not in VARIANCE_ACCOUNTS:
                raise InvalidCombination(ve)
            return {ACTUAL: (INVENTORY, VARIANCE_ACCOUNTS[vt])}
    else:
        raise InvalidCombination(ve)
    if et not in table:
        raise InvalidCombination(ve)
    return table[et]


# ------------------------------------------------------------------------------------------- the plan, in SQL
#
# A call plans and posts a set of value entries (the claimed queue rows of a chunk, or the entries an item posting
# just wrote) with a handful of set-based statements over temporary tables that live until commit:
#
#   gl_claim  the value entries of this call
#   gl_ve     one row each: what is left to post (actual, expected) and a status: post, done (nothing left),
#             expected_cost_off, invalid_combination, date_not_allowed, or skipped (a line below had a problem)
#   gl_line   the G/L lines: value entry x part (actual, expected) x side (account, balancing), with the account
#             resolved from the setups (table 1.1) or the reason it cannot be
#   gl_group  per posting group only: the groups of 5.1, one G/L entry each
#   gl_map, gl_acct   the account mapping as rows, and the setups' accounts unpivoted (a few hundred rows)
#
# The account mapping (1.4 / 1.5) stays the Python function ``account_types``: ``_mapping_rows`` enumerates it into
# rows once, so the SQL plan and every other reader use the same table.

# How many posted lines and G/L entry numbers a report keeps for display (a million-entry run keeps the totals
# per account in full, and the first lines).
LINES_KEPT = 10_000

# The claimed value entries' number range. A chunk's claim is a run of consecutive numbers; joined on the entry number
# alone, the planner merges the claim with the ledger's primary key read from its first entry, so every chunk read
# all the entries before its own (1.2 million at the end of a 1M-line run). With the range it reads only its own.
_CLAIMED_RANGE = "(SELECT min(value_entry_no) FROM gl_claim) AND (SELECT max(value_entry_no) FROM gl_claim)"


@functools.cache
def _mapping_rows() -> tuple[tuple, ...]:
    """(ile type, entry type, variance type, order type, part, side, account type, setup, twin) for every combination
    that ``account_types`` accepts; side 0 is the account, 1 the balancing account. ``twin``: the combination's other
    part has the same account type on the same side (an output's direct cost: WIP balances both), so per posting
    group both lines of one value entry can land in one G/L entry and share one relation row."""
    rows = []
    iles = [""] + [c.value for c in ItemLedgerEntryType]
    for ile, et, vt, ot in itertools.product(iles, ValueEntryType.values, VarianceType.values, OrderType.values):
        probe = SimpleNamespace(item_ledger_entry_type=ile, entry_type=et, variance_type=vt, order_type=ot)
        try:
            types = account_types(probe)
        except InvalidCombination:
            continue
        for part, (account_type, balancing_type) in types.items():
            for side, kind in ((0, account_type), (1, balancing_type)):
                twin = any(other != part and pair[side] == kind for other, pair in types.items())
                rows.append((ile, et, vt, ot, part, side, kind, ACCOUNT_SOURCE[kind][0], twin))
    return tuple(rows)


def _values(rows: Sequence[tuple], width: int) -> tuple[str, list]:
    """A VALUES list of ``rows`` with its parameters."""
    one = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([one] * len(rows)), [value for row in rows for value in row]


def _open_plan_tables() -> None:
    """The plan's temporary tables, empty, and the mapping and the setups' accounts loaded (a few hundred rows)."""
    mapping = _mapping_rows()
    ips_types = [t for t, (where, _f) in ACCOUNT_SOURCE.items() if where == "ips"]
    gps_types = [t for t, (where, _f) in ACCOUNT_SOURCE.items() if where == "gps"]
    ips_case = " ".join(f"WHEN '{t}' THEN s.{ACCOUNT_SOURCE[t][1]}_id" for t in ips_types)
    gps_case = " ".join(f"WHEN '{t}' THEN s.{ACCOUNT_SOURCE[t][1]}_id" for t in gps_types)
    values, params = _values(mapping, 9)
    with connection.cursor() as cur:
        cur.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS gl_claim (value_entry_no bigint PRIMARY KEY) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS gl_map (
                ile varchar, et varchar, vt varchar, ot varchar, part varchar, side int, account_type varchar,
                src varchar, twin bool) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS gl_acct (
                src varchar, k1 varchar, k2 varchar, account_type varchar, account_no varchar, blocked bool,
                PRIMARY KEY (src, k1, k2, account_type)) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS gl_ve (
                entry_no bigint PRIMARY KEY, ile varchar, et varchar, vt varchar, ot varchar, expected_cost bool,
                act numeric, expd numeric, posting_date date, document_no varchar, location varchar, ipg varchar,
                gbus varchar, gprod varchar, item_no varchar, capacity_no varchar, source_no varchar,
                status varchar, posted_before bool, problem varchar, problem_type varchar, problem_src varchar,
                problem_k1 varchar, problem_k2 varchar, problem_account varchar) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS gl_line (
                seq bigint, gkey bigint, entry_no bigint, part varchar, part_order int, side int,
                account_type varchar, src varchar, k1 varchar, k2 varchar, gl_account varchar, amount numeric,
                problem varchar, posting_date date, document_no varchar, location varchar, ipg varchar, gbus varchar,
                gprod varchar, item_no varchar, et varchar, twin bool) ON COMMIT DROP;
            CREATE TEMP TABLE IF NOT EXISTS gl_group (
                gseq bigint, gkey bigint, posting_date date, account_type varchar, location varchar, ipg varchar,
                gbus varchar, gprod varchar, negative bool, gl_account varchar, side int, amount numeric)
                ON COMMIT DROP;
            TRUNCATE gl_claim, gl_map, gl_acct, gl_ve, gl_line, gl_group;
            """
        )
        cur.execute(f"INSERT INTO gl_map VALUES {values}", params)
        cur.execute(
            f"""
            INSERT INTO gl_acct
            SELECT 'ips', coalesce(s.location_id, ''), s.inventory_posting_group_id, t.type,
                   CASE t.type {ips_case} END, false
              FROM costing_inventory_posting_setup s CROSS JOIN unnest(%s::varchar[]) t(type)
            UNION ALL
            SELECT 'gps', coalesce(s.gen_bus_posting_group_id, ''), s.gen_prod_posting_group_id, t.type,
                   CASE t.type {gps_case} END, s.blocked
              FROM ledger_general_posting_setup s CROSS JOIN unnest(%s::varchar[]) t(type)
            """,
            [ips_types, gps_types],
        )


def _plan_sql(*, method: str, expected_posting: bool, allowed: tuple[date | None, date | None]) -> None:
    """Fill gl_ve and gl_line for the value entries in gl_claim (rules 1.1 to 1.5, 5.1's skip reasons).

    The lines are numbered in G/L entry order as they are written (``seq``: value entry, part, side, as the
    reference lists them) and, per posting group, carry ``gkey``, a 64-bit hash of their group's columns (5.1). A
    value entry with a problem keeps its first problem on its gl_ve row and loses its lines; only then are the other
    lines renumbered."""
    start, end = allowed
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO gl_ve
            SELECT v.entry_no, v.item_ledger_entry_type, v.entry_type, v.variance_type, v.order_type,
                   v.expected_cost, v.cost_amount_actual - coalesce(g.cost_posted_to_gl, 0),
                   CASE WHEN %(exp)s THEN v.cost_amount_expected - coalesce(g.expected_cost_posted_to_gl, 0)
                        ELSE 0 END,
                   v.posting_date, v.document_no, v.location_code, v.inventory_posting_group_id,
                   v.gen_bus_posting_group_id, v.gen_prod_posting_group_id, v.item_no, v.capacity_no, v.source_no,
                   CASE
                     WHEN v.expected_cost AND NOT %(exp)s AND coalesce(g.expected_cost_posted_to_gl, 0) = 0
                          AND v.cost_amount_actual = coalesce(g.cost_posted_to_gl, 0)
                       THEN CASE WHEN v.cost_amount_expected <> 0 THEN 'expected_cost_off' ELSE 'done' END
                     WHEN v.cost_amount_actual = coalesce(g.cost_posted_to_gl, 0)
                          AND (NOT %(exp)s OR v.cost_amount_expected = coalesce(g.expected_cost_posted_to_gl, 0))
                       THEN 'done'
                     WHEN NOT EXISTS (SELECT 1 FROM gl_map m WHERE m.ile = v.item_ledger_entry_type
                                        AND m.et = v.entry_type AND m.vt = v.variance_type AND m.ot = v.order_type)
                       THEN 'invalid_combination'
                     WHEN v.posting_date < %(start)s OR v.posting_date > %(end)s THEN 'date_not_allowed'
                     ELSE 'post'
                   END,
                   g.value_entry_no IS NOT NULL
              FROM costing_value_entry v JOIN gl_claim c ON c.value_entry_no = v.entry_no
              LEFT JOIN costing_value_entry_gl_posting g
                     ON g.value_entry_no = v.entry_no AND g.value_entry_no BETWEEN {_CLAIMED_RANGE}
             WHERE v.entry_no BETWEEN {_CLAIMED_RANGE}
            """,
            {"exp": expected_posting, "start": start, "end": end},
        )
        cur.execute("ANALYZE gl_ve")
        # Per entry the lines become G/L entries in this order, so they are numbered 1..n (a sort). Per posting group
        # only the order matters (the groups are numbered by their first line), and entry no. x 4 + part x 2 + side
        # gives it without one.
        if method == PER_POSTING_GROUP:
            seq, gkey = "c.entry_no * 4 + c.part_order * 2 + c.side", _GKEY
        else:
            seq, gkey = "row_number() OVER (ORDER BY c.entry_no, c.part_order, c.side)", "NULL::bigint"
        # Lines: a part with an amount but no row in the mapping is a line with problem invalid_part; a line whose
        # account cannot be resolved says why, in the order the checks of 1.1 apply. The mapping joins on five
        # text columns; the planner picks a merge join that sorts the chunk's lines by them, where a hash of the
        # mapping's few hundred rows serves (10.6 s against 8.8 s of a 1M run's statement time).
        cur.execute("SET LOCAL enable_mergejoin = off")
        cur.execute(
            f"""
            INSERT INTO gl_line (seq, gkey, entry_no, part, part_order, side, account_type, src, k1, k2, gl_account,
                                 amount, problem, posting_date, document_no, location, ipg, gbus, gprod, item_no, et,
                                 twin)
            SELECT {seq}, {gkey}, c.*
              FROM (
            SELECT v.entry_no, p.part, p.ord AS part_order, coalesce(m.side, -1) AS side, m.account_type, m.src,
                   k.k1, k.k2, s.account_no AS gl_account,
                   CASE p.part WHEN 'actual' THEN v.act ELSE v.expd END * CASE m.side WHEN 1 THEN -1 ELSE 1 END
                       AS amount,
                   CASE WHEN m.part IS NULL THEN 'invalid_part'
                        WHEN s.src IS NULL THEN 'missing_setup'
                        WHEN s.blocked THEN 'setup_blocked'
                        WHEN s.account_no IS NULL THEN 'missing_account'
                        WHEN a.blocked THEN 'blocked_account'
                        WHEN a.account_type <> 'posting' THEN 'heading_account'
                   END AS problem,
                   v.posting_date, v.document_no, coalesce(v.location, '') AS location, coalesce(v.ipg, '') AS ipg,
                   coalesce(v.gbus, '') AS gbus, coalesce(v.gprod, '') AS gprod,
                   coalesce(nullif(v.item_no, ''), v.capacity_no) AS item_no, v.et, coalesce(m.twin, false)
              FROM gl_ve v
             CROSS JOIN (VALUES ('actual', 0), ('expected', 1)) p(part, ord)
              LEFT JOIN gl_map m ON m.ile = v.ile AND m.et = v.et AND m.vt = v.vt AND m.ot = v.ot AND m.part = p.part
              LEFT JOIN costing_item si
                     ON m.account_type = 'wip_inventory' AND v.source_no <> ''
                    AND v.source_no IS DISTINCT FROM v.item_no AND si.no = v.source_no
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN m.src = 'ips' THEN coalesce(v.location, '') ELSE coalesce(v.gbus, '') END AS k1,
                          CASE WHEN m.src = 'ips' THEN coalesce(si.inventory_posting_group_id, v.ipg)
                               ELSE v.gprod END AS k2) k
              LEFT JOIN gl_acct s ON s.src = m.src AND s.k1 = k.k1 AND s.k2 = k.k2 AND s.account_type = m.account_type
              LEFT JOIN ledger_gl_account a ON a.no = s.account_no
             WHERE v.status = 'post' AND CASE p.part WHEN 'actual' THEN v.act ELSE v.expd END <> 0) c
            """,
        )
        cur.execute("SET LOCAL enable_mergejoin TO DEFAULT")
        cur.execute(
            """
            UPDATE gl_ve v SET status = 'skipped', problem = l.problem, problem_type = l.account_type,
                   problem_src = l.src, problem_k1 = l.k1, problem_k2 = l.k2, problem_account = l.gl_account
              FROM (SELECT DISTINCT ON (entry_no) * FROM gl_line WHERE problem IS NOT NULL
                     ORDER BY entry_no, part_order, side) l
             WHERE v.entry_no = l.entry_no
            """
        )
        skipped = cur.rowcount
        if skipped:
            cur.execute("DELETE FROM gl_line WHERE entry_no IN (SELECT entry_no FROM gl_ve WHERE status = 'skipped')")
        if skipped and method == PER_ENTRY:
            cur.execute(
                "UPDATE gl_line l SET seq = n.seq FROM (SELECT seq AS old, row_number() OVER (ORDER BY seq) AS seq "
                "FROM gl_line) n WHERE l.seq = n.old"
            )


def _skipped() -> list[Skipped]:
    """The skipped value entries of the plan, each with its first problem, as a message."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT entry_no, status, ile, et, expected_cost, posting_date,
                   problem, problem_type, problem_src, problem_k1, problem_k2, problem_account
              FROM gl_ve WHERE status NOT IN ('post', 'done') ORDER BY entry_no
            """
        )
        rows = cur.fetchall()
    return [_skip_reason(*row) for row in rows]


def _skip_reason(entry_no, status, ile, et, expected_cost, posting_date, problem, account_type, src, k1, k2, account):
    if status == "expected_cost_off":
        return Skipped(
            entry_no, _("Expected cost is not posted to the G/L (expected cost posting to G/L is off)."), status
        )
    if status == "invalid_combination":
        return Skipped(
            entry_no,
            _(
                "The combination item ledger entry type %(ile)s, entry type "
                "%(et)s and expected cost %(exp)s is not allowed."
            )
            % {"ile": ile or "''", "et": et, "exp": expected_cost},
            status,
        )
    if status == "date_not_allowed":
        return Skipped(
            entry_no,
            _("Posting date %(date)s is not within the allowed posting dates.") % {"date": posting_date},
            status,
        )
    if problem == "invalid_part":
        return Skipped(entry_no, _("Entry type %(et)s cannot carry expected cost.") % {"et": et}, "invalid_combination")
    if problem == "missing_setup" and src == "ips":
        message = _("Inventory Posting Setup is missing for location %(loc)s and inventory posting group %(grp)s.") % {
            "loc": k1 or "''",
            "grp": k2,
        }
    elif problem == "missing_setup":
        message = _(
            "General Posting Setup is missing for gen. bus. posting group %(bus)s and "
            "gen. prod. posting group %(prod)s."
        ) % {"bus": k1 or "''", "prod": k2}
    elif problem == "setup_blocked":
        message = _("General Posting Setup %(bus)s / %(prod)s is blocked.") % {"bus": k1 or "''", "prod": k2}
    elif problem == "missing_account":
        model = InventoryPostingSetup if src == "ips" else GeneralPostingSetup
        name = _("Inventory Posting Setup") if src == "ips" else _("General Posting Setup")
        message = _("%(field)s is missing in %(setup)s, %(key)s.") % {
            "field": model._meta.get_field(ACCOUNT_SOURCE[account_type][1]).verbose_name,
            "setup": name,
            "key": f"{k1} {k2}".strip(),
        }
    elif problem == "blocked_account":
        message = _("G/L account %(no)s is blocked.") % {"no": account}
    else:
        message = _("G/L account %(no)s is not a posting account.") % {"no": account}
    return Skipped(entry_no, message, problem)


def _group_lines() -> None:
    """Per posting group (5.1): one G/L entry per posting date, account type, location, posting groups, sign and
    account, numbered by date and first line (``gseq``). Lines find their group by ``gkey``, a 64-bit hash of those
    columns, so the joins are on one bigint; the groups are grouped by the columns themselves as well, and a hash
    shared by two different groups stops the run (with ~10^4 groups a chunk, about one chance in 10^11)."""
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO gl_group
            SELECT row_number() OVER (ORDER BY posting_date, min(seq)), gkey, {_GROUP_COLUMNS}, sum(amount)
              FROM gl_line GROUP BY gkey, {_GROUP_COLUMNS}
            """
        )
        cur.execute("SELECT count(*) <> count(DISTINCT gkey) FROM gl_group")
        if cur.fetchone()[0]:
            raise RuntimeError("two posting groups share a hash key; rerun with a smaller chunk")
        cur.execute("ANALYZE gl_group")


# The posting group of a line (5.1), and its hash: the row's own hash (PostgreSQL 14+), which hashes each column by
# its type, rather than a hash of the columns joined as text (which formats the date and the boolean first).
_GROUP_COLUMNS = "posting_date, account_type, location, ipg, gbus, gprod, amount < 0, gl_account, side"
_GKEY = (
    "hash_record_extended(ROW(c.posting_date, c.account_type, c.location, c.ipg, c.gbus, c.gprod, c.amount < 0, "
    "c.gl_account, c.side), 0)"
)


# ------------------------------------------------------------------------------------------------------ posting


@dataclass
class PlannedLine:
    value_entry_no: int
    part: str
    account_type: str
    gl_account: str
    amount: Decimal
    posting_date: date
    document_no: str


@dataclass
class Skipped:
    value_entry_no: int
    reason: str
    code: str


@dataclass
class Report:
    """What a run posted (or would post): totals per account in full, the first ``LINES_KEPT`` lines and G/L entry
    numbers for display, every skipped entry with its reason."""

    method: str
    posted: bool
    lines: list[PlannedLine] = field(default_factory=list)
    lines_total: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # G/L entry objects: filled by ``post_value_entries`` (the few entries of one posting), not by batch runs.
    gl_entries: list = field(default_factory=list)
    gl_entry_numbers: list[int] = field(default_factory=list)
    gl_entry_count: int = 0
    posted_value_entries: int = 0
    register_no: int | None = None
    totals: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    def by_account(self) -> list[dict]:
        return [
            {"gl_account": acc, "account_type": typ, "amount": amount}
            for (acc, typ), amount in sorted(self.totals.items())
        ]

    def as_dict(self) -> dict:
        return {
            "posting_method": self.method,
            "posted": self.posted,
            "posted_value_entries": self.posted_value_entries,
            "gl_entries": self.gl_entry_numbers,
            "gl_entries_count": self.gl_entry_count,
            "register_no": self.register_no,
            "lines": [
                {
                    "value_entry_no": ln.value_entry_no,
                    "part": ln.part,
                    "account_type": ln.account_type,
                    "gl_account": ln.gl_account,
                    "amount": str(ln.amount),
                    "posting_date": ln.posting_date.isoformat(),
                    "document_no": ln.document_no,
                }
                for ln in self.lines
            ],
            "lines_total": self.lines_total,
            "debit": str(self.debit),
            "credit": str(self.credit),
            "lines_truncated": self.lines_total > len(self.lines),
            "by_account": [{**row, "amount": str(row["amount"])} for row in self.by_account()],
            "skipped": [{"value_entry_no": s.value_entry_no, "reason": s.reason, "code": s.code} for s in self.skipped],
        }


def _plan(
    numbers_sql: str,
    params: Sequence | Callable[[int], Sequence],
    *,
    method: str,
    expected_posting: bool,
    allowed,
    state: _RunState | None = None,
) -> int:
    """Claim value entries (``numbers_sql`` selects their numbers) into a fresh plan and plan them; how many.

    With a run's ``state``, ``params`` is a function of the run's claim mark (``_RunState.claimed_to``), and the claim
    runs while no other chunk of the run claims: each claim takes the next entries above the mark, so which entries
    share a chunk, and with them the posting groups' G/L entries, does not depend on how the chunk workers' timing
    interleaves (concurrent claims skipped each other's locked rows and interleaved their chunks)."""
    _open_plan_tables()
    with connection.cursor() as cur:
        # Sorts and hashes over a chunk's lines stay in memory (the default 4 MB spills them to disk).
        cur.execute("SET LOCAL work_mem = '256MB'")
        # ANALYZE of the temporary tables below samples a few thousand rows, enough for join planning.
        cur.execute("SET LOCAL default_statistics_target = 10")
        if state is None:
            cur.execute(f"INSERT INTO gl_claim {numbers_sql}", params)
            claimed = cur.rowcount
        else:
            with state.claiming:
                cur.execute(f"INSERT INTO gl_claim {numbers_sql}", params(state.claimed_to))
                claimed = cur.rowcount
                if claimed:
                    cur.execute("SELECT max(value_entry_no) FROM gl_claim")
                    state.claimed_to = cur.fetchone()[0]
        # Temporary tables have no statistics until analysed; without them the planner guesses nested loops.
        cur.execute("ANALYZE gl_claim, gl_map, gl_acct")
    if claimed:
        _plan_sql(method=method, expected_posting=expected_posting, allowed=allowed)
        if method == PER_POSTING_GROUP:
            _group_lines()
    return claimed


def _collect(report: Report) -> list[Skipped]:
    """Add the plan's totals, first lines and skipped entries to the report; the skipped entries of this plan."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT gl_account, account_type, sum(amount), count(*), "
            "coalesce(sum(amount) FILTER (WHERE amount > 0), 0), coalesce(sum(amount) FILTER (WHERE amount < 0), 0) "
            "FROM gl_line GROUP BY 1, 2"
        )
        for account, account_type, amount, count, debit, credit in cur.fetchall():
            report.totals[(account, account_type)] += amount
            report.lines_total += count
            report.debit += debit
            report.credit += credit
        cur.execute(
            "SELECT count(*) FILTER (WHERE status = 'post'), count(*) FILTER (WHERE status <> ALL(%s)) FROM gl_ve",
            [["post", "done"]],
        )
        posting, skipping = cur.fetchone()
        report.posted_value_entries += posting
        room = LINES_KEPT - len(report.lines)
        if room > 0:
            cur.execute(
                "SELECT entry_no, part, account_type, gl_account, amount, posting_date, document_no "
                "FROM gl_line ORDER BY seq LIMIT %s",
                [room],
            )
            report.lines.extend(PlannedLine(*row) for row in cur.fetchall())
    skipped = _skipped() if skipping else []
    report.skipped.extend(skipped)
    return skipped


def _write(*, method: str, document_no: str | None, user, register, report: Report):
    """Post the planned lines through the ledger, link every G/L entry to its value entries, mark them posted and
    take the finished ones off the queue. Returns the run's register (opened by the first chunk that posts)."""
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM gl_line)")
        has_lines = cur.fetchone()[0]
    # Mark the value entries posted and take them off the queue first: only what needs G/L entry numbers runs
    # while the G/L counter is locked (from post_staged to commit), so other postings wait less. Marking posted is a
    # narrow row per value entry (ValueEntryGLPosting), added to if the entry had something posted before (the plan
    # saw its row: ``posted_before``). A plain INSERT, not ON CONFLICT, which costs twice as much per row; no other
    # transaction can post the same entries meanwhile (they are new in this one, or their queue rows are claimed),
    # and if one did, the primary key would refuse the second row rather than lose an amount.
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO costing_value_entry_gl_posting (value_entry_no, cost_posted_to_gl, expected_cost_posted_to_gl)
            SELECT entry_no, act, expd FROM gl_ve WHERE status = 'post' AND NOT posted_before ORDER BY entry_no
            """
        )
        cur.execute(
            """
            UPDATE costing_value_entry_gl_posting g
               SET cost_posted_to_gl = g.cost_posted_to_gl + p.act,
                   expected_cost_posted_to_gl = g.expected_cost_posted_to_gl + p.expd
              FROM gl_ve p
             WHERE p.status = 'post' AND p.posted_before AND g.value_entry_no = p.entry_no
            """
        )
        cur.execute(
            "DELETE FROM costing_post_value_entry_to_gl "
            "WHERE value_entry_no IN (SELECT entry_no FROM gl_ve WHERE status IN ('post', 'done')) "
            f"AND value_entry_no BETWEEN {_CLAIMED_RANGE}"
        )
    if has_lines:
        open_stage()
        with connection.cursor() as cur:
            if method == PER_ENTRY:
                labels = [(c.value, str(c.label)) for c in ValueEntryType]
                case = " ".join(["WHEN %s THEN %s"] * len(labels))
                cur.execute(
                    f"""
                    INSERT INTO {STAGE_TABLE}
                    SELECT seq, dense_rank() OVER (ORDER BY entry_no), gl_account, amount, posting_date, document_no,
                           left((CASE et {case} ELSE et END) || ' ' || coalesce(item_no, '') || ' on '
                                || to_char(posting_date, 'YYYY-MM-DD'), 200)
                      FROM gl_line
                    """,
                    [v for pair in labels for v in pair],
                )
            else:
                labels = list(ACCOUNT_TYPE_LABELS.items())
                case = " ".join(["WHEN %s THEN %s"] * len(labels))
                cur.execute(
                    f"""
                    INSERT INTO {STAGE_TABLE}
                    SELECT gseq, dense_rank() OVER (ORDER BY posting_date), gl_account, amount, posting_date, %s,
                           left((CASE account_type {case} END) || ', ' || location || ',' || ipg || ',' || gbus
                                || ',' || gprod, 200)
                      FROM gl_group
                    """,
                    [document_no or ""] + [v for pair in labels for v in pair],
                )
        # ``register`` may be a callable: a parallel run's shared register, read once this chunk holds the G/L
        # counter (so the chunk that opened it has committed).
        posted = post_staged(source_code=SOURCE_CODE, user=user, register=register)
        register = posted.register
        with connection.cursor() as cur:
            if method == PER_ENTRY:
                cur.execute(
                    "INSERT INTO costing_gl_item_ledger_relation (gl_entry_no, value_entry_no, gl_register_no, amount) "
                    "SELECT %s + seq - 1, entry_no, %s, amount FROM gl_line",
                    [posted.first_entry_no, register.no],
                )
            else:
                # A G/L entry's shares are its lines' amounts: one row per line, but for a value entry whose two
                # lines (twins, see _mapping_rows) went into the same G/L entry, one row with their sum (the
                # relation's key is the pair). Only twins are grouped: the rest need no aggregate.
                cur.execute(
                    "INSERT INTO costing_gl_item_ledger_relation (gl_entry_no, value_entry_no, gl_register_no, amount) "
                    "SELECT %(first)s + g.gseq - 1, l.entry_no, %(reg)s, l.amount "
                    "  FROM gl_line l JOIN gl_group g USING (gkey) WHERE NOT l.twin "
                    "UNION ALL "
                    "SELECT %(first)s + g.gseq - 1, l.entry_no, %(reg)s, sum(l.amount) "
                    "  FROM gl_line l JOIN gl_group g USING (gkey) WHERE l.twin GROUP BY g.gseq, l.entry_no",
                    {"first": posted.first_entry_no, "reg": register.no},
                )
        report.register_no = register.no
        report.gl_entry_count += posted.entries
        room = LINES_KEPT - len(report.gl_entry_numbers)
        if room > 0:
            first = posted.first_entry_no
            report.gl_entry_numbers.extend(range(first, first + min(room, posted.entries)))
    elif callable(register):
        register = register()
    return register


def post_value_entries(
    value_entries: Sequence,
    *,
    method: str = PER_ENTRY,
    document_no: str | None = None,
    user=None,
    setup: InventorySetup | None = None,
    from_item_posting: bool = False,
) -> Report:
    """Post these value entries (objects or numbers) now: automatic cost posting, adjustment runs, the
    reconciliation's "post what is waiting". Runs in the caller's transaction; no posting-date check (the posting
    that wrote them checked its dates).

    From item posting a missing or blocked account is an error, as in Business Central: the item posting fails
    rather than leave the books out of step silently.
    """
    setup = setup or InventorySetup.get()
    numbers = [getattr(v, "entry_no", v) for v in value_entries]
    report = Report(method=method, posted=True)
    with transaction.atomic():
        _plan(
            "SELECT DISTINCT unnest(%s::bigint[])",
            [numbers],
            method=method,
            expected_posting=setup.expected_cost_posting_to_gl,
            allowed=(None, None),
        )
        skipped = _collect(report)
        if from_item_posting:
            problems = [s for s in skipped if s.code != "expected_cost_off"]
            if problems:
                first = problems[0]
                raise InvalidInput.field(
                    "lines",
                    _("Automatic cost posting failed for value entry %(no)s: %(reason)s")
                    % {"no": first.value_entry_no, "reason": first.reason},
                )
        _write(method=method, document_no=document_no, user=user, register=None, report=report)
    if report.gl_entry_count:
        first = report.gl_entry_numbers[0]
        report.gl_entries = list(
            GLEntry.objects.filter(entry_no__range=(first, first + report.gl_entry_count - 1)).order_by("entry_no")
        )
    return report


def check_options(method: str, document_no: str | None) -> None:
    if method not in (PER_ENTRY, PER_POSTING_GROUP):
        raise InvalidInput.field("posting_method", _("Posting method must be per_entry or per_posting_group."))
    if method == PER_POSTING_GROUP and not document_no:
        raise InvalidInput.field("document_no", _("Enter a document no. when posting per posting group."))
    if method == PER_ENTRY and document_no:
        raise InvalidInput.field(
            "document_no",
            _(
                "Do not enter a document no. when posting per entry: each G/L "
                "entry takes the document no. of its value entry."
            ),
        )


# Chunks posted at once by a large run, each in its own connection and database transaction: planning a chunk and
# marking its value entries posted run side by side; only the inserts that need G/L entry numbers take turns (the G/L
# counter is locked from the first number to commit). Runs smaller than this many chunks, and runs inside an outer
# transaction (whose uncommitted rows other connections cannot see), post one chunk at a time.
PARALLEL_CHUNKS = 2


class _RunState:
    """What the chunk workers of one run share: the run's G/L register, progress, and the first error."""

    def __init__(self, total: int, progress):
        self.lock = threading.Lock()
        self.register = None
        self.done = 0
        self.total = total
        self.progress = progress
        self.stop = False
        # The highest value entry no. any chunk of this run has claimed. Claims are in entry order and the rows below
        # it are posted, skipped (they stay queued: this run must not claim them again) or held by the other
        # chunk in flight, so the next claim starts above it rather than walk the queue's index from its start
        # through the committed chunks' deleted rows (quadratic in the run's length: 4.4 s of a 1M run).
        self.claimed_to = 0
        # Held by the chunk that is claiming (``_plan``): claims run one at a time, in entry order.
        self.claiming = threading.Lock()

    def current_register(self):
        with self.lock:
            return self.register

    def advance(self, claimed: int) -> None:
        with self.lock:
            self.done += claimed
            done = self.done
        if self.progress:
            self.progress(min(done, self.total), self.total)


def _drain(state: _RunState, report: Report, *, claim_sql: str, params: list, post: bool, method: str, document_no,
           user, expected_posting: bool, allowed, chunk_size: int) -> Report:  # fmt: skip
    """Post (or, with ``post=False``, plan) chunks until the queue has nothing left for this run."""
    while not state.stop:
        with transaction.atomic():
            claimed = _plan(
                claim_sql, lambda mark: [*params, mark, chunk_size], method=method,
                expected_posting=expected_posting, allowed=allowed, state=state,
            )  # fmt: skip
            if not claimed:
                break
            _collect(report)
            if post:
                register = _write(
                    method=method, document_no=document_no, user=user, register=state.current_register, report=report
                )
                with state.lock:
                    state.register = register
        state.advance(claimed)
    return report


def _merge(reports: list[Report], *, method: str, post: bool, register) -> Report:
    """One report from the chunk workers' reports, in value entry order."""
    merged = Report(method=method, posted=post)
    for part in reports:
        merged.lines.extend(part.lines)
        merged.lines_total += part.lines_total
        merged.gl_entry_numbers.extend(part.gl_entry_numbers)
        merged.gl_entry_count += part.gl_entry_count
        merged.posted_value_entries += part.posted_value_entries
        merged.debit += part.debit
        merged.credit += part.credit
        for key, amount in part.totals.items():
            merged.totals[key] += amount
    merged.lines = sorted(merged.lines, key=lambda ln: ln.value_entry_no)[:LINES_KEPT]
    merged.gl_entry_numbers = sorted(merged.gl_entry_numbers)[:LINES_KEPT]
    # A value entry another worker had skipped can be claimed and skipped again: report it once.
    merged.skipped = sorted({s.value_entry_no: s for part in reports for s in part.skipped}.values(),
                            key=lambda s: s.value_entry_no)  # fmt: skip
    merged.register_no = register.no if register is not None else None
    return merged


def run_post_inventory_cost_to_gl(
    *,
    method: str = PER_ENTRY,
    document_no: str | None = None,
    post: bool = True,
    items: Sequence[str] | None = None,
    posting_date_to: date | None = None,
    user=None,
    chunk_size: int = 50_000,
    progress: Callable[[int, int], None] | None = None,
    parallel: int = PARALLEL_CHUNKS,
) -> Report:
    """Post Inventory Cost to G/L (report 1002) over the queue.

    Each chunk is one transaction: claim queue rows (``FOR UPDATE SKIP LOCKED``, in entry order), plan them in SQL,
    post, delete the posted rows; a killed run leaves nothing half-posted and two runs never post a value entry
    twice. Skipped entries stay queued and are not claimed again by this run. With ``post=False`` nothing is written
    and nothing is locked: the report says what would be posted. Per posting group, each chunk's groups become G/L
    entries in the run's one register. A large run posts ``parallel`` chunks at once (``PARALLEL_CHUNKS``).
    """
    check_options(method, document_no)
    setup = InventorySetup.get()
    allowed = allowed_posting_range()
    where, params = ["TRUE"], []
    if items:
        where.append("q.item_no = ANY(%s)")
        params.append(list(items))
    if posting_date_to:
        where.append("q.posting_date <= %s")
        params.append(posting_date_to)
    condition = " AND ".join(where)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM costing_post_value_entry_to_gl q WHERE {condition}", params)
        total = cur.fetchone()[0]
    if post:
        claim_sql = f"""SELECT q.value_entry_no FROM costing_post_value_entry_to_gl q
                         WHERE {condition} AND q.value_entry_no > %s
                         ORDER BY q.value_entry_no LIMIT %s FOR UPDATE SKIP LOCKED"""
    else:
        claim_sql = f"""SELECT q.value_entry_no FROM costing_post_value_entry_to_gl q
                         WHERE {condition} AND q.value_entry_no > %s ORDER BY q.value_entry_no LIMIT %s"""
    state = _RunState(total, progress)
    options = {
        "claim_sql": claim_sql,
        "params": params,
        "post": post,
        "method": method,
        "document_no": document_no,
        "user": user,
        "expected_posting": setup.expected_cost_posting_to_gl,
        "allowed": allowed,
        "chunk_size": chunk_size,
    }
    workers = parallel if post and not connection.in_atomic_block and total >= parallel * chunk_size else 1
    if workers <= 1:
        report = _drain(state, Report(method=method, posted=post), **options)
        report.register_no = state.register.no if state.register is not None else None
        return report

    def worker() -> Report:
        try:
            return _drain(state, Report(method=method, posted=post), **options)
        except BaseException:
            state.stop = True
            raise
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="post-gl") as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        reports = [future.result() for future in futures]
    return _merge(reports, method=method, post=post, register=state.register)


def test_report(*, method: str = PER_ENTRY, document_no: str | None = None, items=None) -> dict:
    """Post Invt. Cost to G/L - Test (5.2): the prospective lines and every warning, without posting."""
    report = run_post_inventory_cost_to_gl(method=method, document_no=document_no, post=False, items=items)
    body = report.as_dict()
    body["warnings"] = [
        {"value_entry_no": s.value_entry_no, "code": s.code, "message": s.reason} for s in report.skipped
    ]
    return body
