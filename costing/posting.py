"""Item journal posting: the one service that writes item ledger, value and application entries.

Rules (shared/spec/costing-reference.md): 1 (accounts, via the G/L bridge), 4.1 (cost flows along applications),
4.3 (average cost entry points and valuation dates), 4.4 (expected cost), 4.5 (purchase variance for Standard items),
4.6 (revaluation of the revaluable quantity), 4.8 (application), 6.1 (automatic cost posting).

How a posting runs: ``Posting`` opens a NumberBlock (which locks the inventory ledgers' counters for the whole
posting), loads what the lines touch in a few set-based queries (items, open entries and their costs, average-cost
totals), computes every entry in memory, then writes them with bulk inserts and one UPDATE per table. A bad line
raises InvalidInput / Conflict naming the line and field, and the whole request rolls back.

Signs follow Business Central's item journal: a positive quantity is the ordinary direction (purchase in, sale out),
a negative one a return. Item ledger quantities carry the stock direction (+ in, - out); cost amounts carry the
value direction (+ increases inventory value).
"""

from __future__ import annotations

import calendar
import os
from bisect import insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.bulk import copy_insert, copy_text, gc_paused, load_rows, new_row, send_copy
from core.errors import Conflict, InvalidInput
from core.money import ZERO, dec, round_amount, round_unit_cost
from core.sequences import NumberBlock
from costing.models import (
    AverageCostCalcType,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemRegister,
    Location,
    PostValueEntryToGL,
    ValueEntry,
    ValueEntryType,
    VarianceType,
)
from ledger.models import GenBusinessPostingGroup, GLSetup

INBOUND_TYPES = {ItemLedgerEntryType.PURCHASE, ItemLedgerEntryType.POSITIVE_ADJMT, ItemLedgerEntryType.OUTPUT}
OUTBOUND_TYPES = {ItemLedgerEntryType.SALE, ItemLedgerEntryType.NEGATIVE_ADJMT, ItemLedgerEntryType.CONSUMPTION}
JOURNAL_TYPES = {t.value for t in ItemLedgerEntryType}
# Production (production/services.py): consumption and output lines name a released production order (order_no).
PRODUCTION_TYPES = {ItemLedgerEntryType.CONSUMPTION, ItemLedgerEntryType.OUTPUT}


def _listed(sqltype: str) -> str:
    """``= ANY(...)`` operand for a list parameter (one %s), as a scalar subquery the planner cannot look into.

    psycopg2 writes a list as a literal ARRAY[...]. The planner then estimates every element on its own, and without
    fresh statistics (a bulk load not yet analysed: at 5 % per element, a few hundred items look like the whole table)
    it chose sequential scans of the ledgers, which grow with the ledger. Behind a subquery the list is one unknown
    value, estimated as a few rows: always the index. The lists here are keys of rows posting reads or writes.
    """
    return f"(SELECT %s::{sqltype}[])::{sqltype}[]"


def _array(values) -> str:
    """A list of numbers, booleans, dates or strings as one PostgreSQL array literal (pass it as ``%s::type[]``).

    psycopg2 adapts a Python list element by element, about 1 us each, ten times what ``str`` costs, and writes it as
    ``ARRAY[...]``, whose every element PostgreSQL then parses and casts as an expression of its own: a posting's
    statements name thousands of items and (item, location) pairs, and as ``ARRAY[...]`` those lists cost about a
    tenth of the statements that read the open entries. As one literal, ``array_in`` reads them in one call.
    """
    return (
        "{"
        + ",".join(
            "NULL"
            if v is None
            else "t"
            if v is True
            else "f"
            if v is False
            else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if type(v) is str
            else str(v)
            for v in values
        )
        + "}"
    )


SOURCE_ITEM_JOURNAL = "ITEMJNL"
SOURCE_REVALUATION = "REVALJNL"
SOURCE_ADJUST_COST = "INVTADJMT"


@dataclass
class JournalLine:
    entry_type: str
    posting_date: date
    document_no: str
    item: str
    quantity: Decimal
    location: str = ""
    new_location: str = ""
    invoiced_quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    applies_to_entry: int | None = None
    applies_from_entry: int | None = None
    gen_bus_posting_group: str = ""
    external_document_no: str = ""
    description: str = ""
    order_no: str = ""  # production order of a consumption or output line
    # Set by costing.cancel only: the entry this line cancels (the new entry's corrects_entry).
    corrects_entry: int | None = None


@dataclass
class RevaluationLine:
    item: str
    posting_date: date
    document_no: str
    applies_to_entry: int | None = None
    location: str | None = None
    unit_cost_revalued: Decimal | None = None
    inventory_value_revalued: Decimal | None = None


_threads: dict[tuple[int, str], ThreadPoolExecutor] = {}


def _process_thread(name: str) -> ThreadPoolExecutor:
    """This process's thread ``name``: one per process id, so that a forked worker (gunicorn) starts its own instead
    of inheriting a thread that does not exist in it. One thread: its jobs run in the order they were submitted."""
    key = (os.getpid(), name)
    executor = _threads.get(key)
    if executor is None:
        executor = _threads[key] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"posting-{name}")
    return executor


def _describer() -> ThreadPoolExecutor:
    """The thread that builds answers alongside writes (``Posting._describing``)."""
    return _process_thread("describe")


# Lines a large posting computes between two hand-offs of its new entries to the writer thread
# (``Posting._hand_off``); a posting of fewer than two chunks' lines writes everything at the end.
PIPELINE_CHUNK_LINES = 1000


def _send_copies(raw_connection, copies: list[tuple[str, str]]) -> None:
    for statement, text in copies:
        send_copy(raw_connection, statement, text)


@dataclass
class PostingResult:
    item_ledger_entries: list[ItemLedgerEntry] = field(default_factory=list)
    value_entries: list[ValueEntry] = field(default_factory=list)
    application_entries: list[ItemApplicationEntry] = field(default_factory=list)
    gl_entries: list = field(default_factory=list)
    register: ItemRegister | None = None
    # Automatic cost posting changed the value entries' posted-to-G/L amounts in the database after they were written:
    # those two columns of ``value_entries`` are stale in memory (every other column is what the database holds).
    posted_to_gl: bool = False
    # What the caller's ``describe`` made of this result (Posting's ``describe``): the REST API's answer.
    description: Any = None


def queue_value_entries(first: int, last: int, setup: InventorySetup) -> None:
    """Queue the value entries numbered ``first`` to ``last`` (just written, one gap-free range) for Post Inventory
    Cost to G/L: those with actual cost, or expected cost when that is posted to the G/L.

    The queue rows copy three columns of those entries: one INSERT ... SELECT over that primary-key range instead of
    building, formatting and sending a row per value entry (posting and Adjust Cost both write tens of thousands).
    """
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {PostValueEntryToGL._meta.db_table} (value_entry_no, item_no, posting_date)
            SELECT entry_no, item_no, posting_date FROM {ValueEntry._meta.db_table}
             WHERE entry_no BETWEEN %s AND %s
               AND (cost_amount_actual <> 0 OR (%s AND cost_amount_expected <> 0))
             ORDER BY entry_no
            """,
            [first, last, setup.expected_cost_posting_to_gl],
        )


# ------------------------------------------------------------------------------------------------ dates and periods


def average_cost_period_end(day: date, period: str) -> date:
    """Last date of the average cost period containing ``day`` (4.3). Fiscal years are calendar years here, so week,
    month and quarter periods never straddle a fiscal-year start except weeks crossing 1 January, which are cut."""
    if period == "day":
        return day
    if period == "week":
        end = day + timedelta(days=6 - day.weekday())
        return min(end, date(day.year, 12, 31))
    if period in ("month", "accounting_period"):
        return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    if period == "quarter":
        last_month = ((day.month - 1) // 3 + 1) * 3
        return date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    if period == "year":
        return date(day.year, 12, 31)
    raise ValueError(f"unknown average cost period {period}")


def allow_adjustment_on_posting(mode: str, the_date: date | None, work_date: date) -> bool:
    """Item Jnl.-Post Line.AllowAdjmtOnPosting (4.2): is ``the_date`` within the setting's reach of the work date?"""
    from dateutil.relativedelta import relativedelta

    if mode == "never":
        return False
    if mode == "always" or the_date is None:
        return True
    reach = {
        "day": relativedelta(days=1),
        "week": relativedelta(weeks=1),
        "month": relativedelta(months=1),
        "quarter": relativedelta(months=3),
        "year": relativedelta(years=1),
    }[mode]
    return the_date >= work_date - reach


def last_closed_period_end() -> date | None:
    from periods.models import InventoryPeriod

    return InventoryPeriod.objects.filter(closed=True).aggregate(m=Max("ending_date"))["m"]


class PostingGate:
    """Which posting dates are allowed: Allow Posting From/To of the G/L setup and closed inventory periods."""

    def __init__(self):
        setup = GLSetup.get()
        self.allow_from = setup.allow_posting_from
        self.allow_to = setup.allow_posting_to
        self.closed_until = last_closed_period_end()

    def check(self, posting_date: date, path: str) -> None:
        if self.closed_until and posting_date <= self.closed_until:
            raise Conflict(
                _(
                    "You cannot post before %(date)s because the inventory period ending %(end)s is closed. Reopen the "
                    "period first."
                )
                % {"date": self.closed_until + timedelta(days=1), "end": self.closed_until},
                code="inventory_period_closed",
                errors={path: [_("Dated in a closed inventory period.")]},
            )
        if (self.allow_from and posting_date < self.allow_from) or (self.allow_to and posting_date > self.allow_to):
            raise InvalidInput.field(
                path,
                _("Posting date %(date)s is not within the allowed posting dates (%(start)s to %(end)s).")
                % {"date": posting_date, "start": self.allow_from or "...", "end": self.allow_to or "..."},
            )

    def first_allowed(self, wanted: date) -> date:
        """The date an adjustment or rounding entry takes (4.9): its own date if allowed, else the first allowed."""
        if (self.allow_from is None or self.allow_from <= wanted) and (
            self.closed_until is None or wanted > self.closed_until
        ):
            return wanted
        first = self.allow_from or wanted
        if self.closed_until and first <= self.closed_until:
            first = self.closed_until + timedelta(days=1)
        return first


# ------------------------------------------------------------------------------------------------------ the posting


def _application_order(tracked: _Entry) -> tuple[date, int]:
    """The order in which open entries are applied to, as Business Central's application key (item, open, positive,
    location, posting date): the earliest posting date first (FIFO, Standard, Average; the latest first for LIFO),
    entries of one date in entry order. A back-dated receipt is therefore sold before a receipt posted earlier with
    a later date."""
    row = tracked.row
    return row.posting_date, row.entry_no


class _Entry:
    """In-memory view of an item ledger entry during a posting: the row plus its running cost."""

    __slots__ = (
        "row",
        "actual",
        "expected",
        "direct_expected",
        "revaluation_unit",
        "revaluation_total",
        "valuation_date",
        "last_direct_valuation",
        "is_new",
        "dirty",
        "written",
    )

    def __init__(
        self,
        row: ItemLedgerEntry,
        actual=ZERO,
        expected=ZERO,
        direct_expected=ZERO,
        revaluation_unit=ZERO,
        valuation_date=None,
        last_direct_valuation=None,
        is_new=False,
    ):
        self.row = row
        self.actual = actual
        self.expected = expected
        self.direct_expected = direct_expected
        # A revaluation changes the value of the quantity it revalued, not of the whole entry: its amount per revalued
        # unit is added to the unit cost of everything applied afterwards (4.3 valuation-date example: 14 - 4 = 10).
        self.revaluation_unit = revaluation_unit
        self.revaluation_total = ZERO
        self.valuation_date = valuation_date or row.posting_date
        self.last_direct_valuation = last_direct_valuation or row.posting_date
        self.is_new = is_new
        self.dirty = False
        # A new entry already sent to the database by a hand-off (Posting._hand_off): like an entry that was there
        # before the posting, a later change to it is written by Posting._update_existing_entries.
        self.written = False

    @property
    def cost(self) -> Decimal:
        return self.actual + self.expected

    @property
    def unit_cost(self) -> Decimal:
        return (self.cost - self.revaluation_total) / self.row.quantity + self.revaluation_unit


class Posting:
    """One posting transaction. Use as ``with Posting(user=...) as p: p.post_lines(lines)``."""

    def __init__(
        self,
        *,
        user=None,
        source_code: str = SOURCE_ITEM_JOURNAL,
        work_date: date | None = None,
        describe: Callable[[PostingResult], Any] | None = None,
    ):
        self.user = user
        self.describe = describe
        self.source_code = source_code
        self.work_date = work_date or date.today()
        self.result = PostingResult()
        self.items: dict[str, Item] = {}
        self.entries: dict[int, _Entry] = {}
        self.open_inbound: dict[tuple, list[_Entry]] = {}
        self.open_outbound: dict[tuple, list[_Entry]] = {}
        self.loaded_items: set[str] = set()  # every location's open entries loaded
        self.loaded_pairs: set[tuple] = set()  # (item, location) whose open entries are loaded
        self.averages_loaded: set[str] = set()
        self.avg: dict[tuple, list[Decimal]] = {}
        self.entry_points: set[tuple] = set()
        self.touched_items: set[str] = set()
        self.item_changes: dict[str, dict] = defaultdict(dict)
        # Earliest date per item that the automatic cost adjustment rule (4.2) is checked against.
        self.adjustment_dates: dict[str, date] = {}
        # Entries that applies-to / applies-from lines name and that are already cancelled (costing.cancel).
        self.cancelled: set[int] = set()
        self._atomic = None
        # The new entries already handed to the writer thread (item ledger, value, application: how many of each)
        # and that thread's pending COPYs (Posting._hand_off).
        self._handed = (0, 0, 0)
        self._writes: list[Future] = []

    # ---------------------------------------------------------------------------------------------- lifecycle

    def __enter__(self):
        # The cyclic garbage collector is paused until __exit__ (core.bulk.gc_paused says why).
        self._gc = gc_paused()
        self._gc.__enter__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            with connection.cursor() as cur:
                # Posting runs short, index-driven statements. Without fresh statistics (a bulk load not yet
                # analysed) their estimated cost crosses jit_above_cost as the ledger grows, and compiling them
                # took ~0.3 s per statement on a 200,000-line ledger: far more than running them.
                cur.execute("SET LOCAL jit = off")
            self.setup = InventorySetup.get()
            self.numbers = NumberBlock(["item_ledger_entry", "value_entry", "item_application_entry", "item_register"])
            # Read the closed periods only once the ledger counters are locked: a period close holds those locks
            # (periods.services.close_period), so a posting that waited for it sees the period closed.
            self.gate = PostingGate()
            self.register = ItemRegister(
                no=self.numbers.next("item_register"), source_code=self.source_code, user=self.user
            )
            self.result.register = self.register
        except BaseException as exc:
            try:
                self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            finally:
                self._resume_gc()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            try:
                if exc_type is None:
                    self._flush()
            except BaseException as flush_exc:
                self._drain_writes(failing=True)
                self._atomic.__exit__(type(flush_exc), flush_exc, flush_exc.__traceback__)
                raise
            # A line failed after earlier chunks were handed off: the writer must be off the connection before
            # the transaction is rolled back.
            self._drain_writes(failing=True)
            return self._atomic.__exit__(exc_type, exc, tb)
        finally:
            self._resume_gc()

    def _resume_gc(self) -> None:
        self._gc.__exit__(None, None, None)

    # ----------------------------------------------------------------------------------------------- loading

    def _load_items(self, numbers: Iterable[str]) -> None:
        wanted = set(numbers) - set(self.items)
        if wanted:
            # Thousands of items per batch: instances built without Model.__init__ (core.bulk.load_rows).
            for item in load_rows(Item, f"no = ANY({_listed('varchar')})", [_array(sorted(wanted))]):
                self.items[item.no] = item

    def _load_state(self, item_nos: set[str]) -> None:
        """Open entries of these items (every location) with their costs, and average-cost totals."""
        new = item_nos - self.loaded_items
        if not new:
            return
        self.loaded_items |= new
        items = f"item_no = ANY({_listed('varchar')})"
        rows = load_rows(
            ItemLedgerEntry,
            [f"{items} AND open AND positive", f"{items} AND open AND NOT positive"],
            [_array(sorted(new))] * 2,
            order_by="entry_no",
        )
        self._track(rows)
        self._load_averages(new)

    def _load_pairs(self, pairs: set[tuple], needs: dict[tuple, Decimal]) -> None:
        """Open entries of these (item, location) pairs only, with their costs, and the items' average-cost totals:
        a journal line applies only at its own location (a transfer at both of its), so the open entries of an
        item's other locations are not read, nor their cost sums.

        Of the open inbound entries, only those the lines can reach: in application order (``_application_order``:
        posting date and entry no., latest first for LIFO), the entries until their remaining quantity covers
        ``needs[pair]``, the quantities the pair's outbound lines take out, added up. No outbound line of the
        posting can take more than its own quantity from the entries already there, and an inbound line or one
        that names its entry takes nothing from the others, so the ones past that are never applied to; the open
        entries grow with the ledger (85,000 at 1,000,000 lines) and reading all of them with their cost sums
        was a third of a posting. An entry a line names (applies-to) is read on its own (``_entry``).
        """
        new = {(item, location) for item, location in pairs if item not in self.loaded_items} - self.loaded_pairs
        if new:
            self.loaded_pairs |= new
            table = ItemLedgerEntry._meta.db_table
            keys = sorted(new, key=lambda p: (p[0], p[1] or ""))
            pairs_of = (
                f"item_no = ANY({_listed('varchar')}) AND EXISTS ("
                "SELECT 1 FROM unnest(%s::varchar[], %s::varchar[]) k(item_no, location_code) "
                f"WHERE k.item_no = {table}.item_no AND k.location_code = coalesce({table}.location_code, ''))"
            )
            item_nos = _array(sorted({p[0] for p in keys}))
            key_items = _array(p[0] for p in keys)
            key_locations = _array(p[1] or "" for p in keys)
            params = [item_nos, key_items, key_locations]
            # Each open inbound entry with the remaining quantity before it in application order, per pair; the
            # window runs over the few columns it needs and the whole rows are read by entry no. for the ones kept
            # only (about a fifth of the open entries of the lines' items): sorting every open entry's whole row
            # for the window took 40 of the statement's 117 ms on a 150,000-line ledger.
            reachable = (
                f"""(SELECT * FROM {table} WHERE entry_no = ANY(ARRAY(
                       SELECT r.entry_no
                         FROM (SELECT t.entry_no, k.need,
                                      sum(t.remaining_quantity) OVER (PARTITION BY t.item_no, t.location_code
                                          ORDER BY CASE WHEN NOT k.lifo THEN t.posting_date END,
                                                   CASE WHEN k.lifo THEN t.posting_date END DESC,
                                                   CASE WHEN k.lifo THEN -t.entry_no ELSE t.entry_no END)
                                      - t.remaining_quantity AS before
                                 FROM {table} t
                                 JOIN unnest(%s::varchar[], %s::varchar[], %s::numeric[], %s::bool[])
                                      k(item_no, location_code, need, lifo)
                                   ON k.item_no = t.item_no AND k.location_code = coalesce(t.location_code, '')
                                WHERE t.item_no = ANY({_listed("varchar")}) AND t.open AND t.positive) r
                        WHERE r.before < r.need))) AS {table}""",
                "true",
            )
            inbound_params = [
                key_items,
                key_locations,
                _array(needs.get(p, ZERO) for p in keys),
                _array(self.items[p[0]].costing_method == CostingMethod.LIFO for p in keys),
                item_nos,
            ]
            # Open inbound and open outbound entries through their partial indexes (ile_open_inbound/outbound), which
            # hold the open entries only: the item index would visit the item's whole history, which grows.
            rows = load_rows(
                ItemLedgerEntry,
                [reachable, f"{pairs_of} AND open AND NOT positive"],
                inbound_params + params,
                order_by="entry_no",
            )
            self._track(rows)
        self._load_averages({item for item, _location in pairs})

    def _load_averages(self, item_nos: set[str]) -> None:
        average_items = [
            no for no in item_nos - self.averages_loaded if self.items[no].costing_method == CostingMethod.AVERAGE
        ]
        self.averages_loaded |= item_nos
        if average_items:
            # The running totals the ledgers' triggers keep (AvgCostTotal): one row per item and location, instead
            # of summing each Average item's whole history on every posting.
            by_location = self.setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT item_no, location_code, quantity, cost FROM costing_avg_cost_total "
                    f"WHERE item_no = ANY({_listed('varchar')})",
                    [_array(sorted(average_items))],
                )
                totals = cur.fetchall()
            for item_no, location_code, quantity, cost in totals:
                key = (item_no, (location_code or None) if by_location else None)
                bucket = self.avg.setdefault(key, [ZERO, ZERO])
                bucket[0] += quantity
                bucket[1] += cost

    def _track(self, rows: Sequence[ItemLedgerEntry]) -> None:
        """Wrap loaded entries with their cost sums and latest valuation dates (one aggregate query)."""
        rows = [r for r in rows if r.entry_no not in self.entries]
        if not rows:
            return
        # Raw SQL with an array parameter: the ORM's IN list costs more than the query for tens of thousands of ids.
        with connection.cursor() as cur:
            cur.execute(
                f"""
                SELECT item_ledger_entry_no,
                       sum(cost_amount_actual),
                       sum(cost_amount_expected),
                       sum(cost_amount_expected) FILTER (WHERE entry_type = 'direct_cost'),
                       sum(cost_amount_actual + cost_amount_expected) FILTER (WHERE entry_type = 'revaluation'),
                       sum((cost_amount_actual + cost_amount_expected) / valued_quantity)
                           FILTER (WHERE entry_type = 'revaluation' AND valued_quantity <> 0),
                       max(valuation_date),
                       max(valuation_date)
                           FILTER (WHERE entry_type = 'direct_cost' AND NOT item_charge AND NOT adjustment)
                  FROM costing_value_entry
                 WHERE item_ledger_entry_no = ANY({_listed("bigint")})
                 GROUP BY item_ledger_entry_no
                """,
                [_array(r.entry_no for r in rows)],
            )
            costs = {c[0]: c for c in cur.fetchall()}
        none = (None,) * 8
        for row in rows:
            _no, a, e, de, rt, ru, vd, dvd = costs.get(row.entry_no, none)
            tracked = _Entry(row, a or ZERO, e or ZERO, de or ZERO, ru or ZERO, vd, dvd)
            tracked.revaluation_total = rt or ZERO
            self.entries[row.entry_no] = tracked
            if row.open:
                key = (row.item_id, row.location_id)
                self._open(self.open_inbound if row.positive else self.open_outbound, key, tracked)

    @staticmethod
    def _open(buckets: dict[tuple, list[_Entry]], key: tuple, tracked: _Entry) -> None:
        """Keep an open entry in its (item, location) bucket in application order, whatever came first: entries
        loaded one location, a referenced entry or the whole item at a time, and new entries, which are last by
        number but not by date when back-dated."""
        bucket = buckets.setdefault(key, [])
        if bucket and _application_order(bucket[-1]) > _application_order(tracked):
            insort(bucket, tracked, key=_application_order)
        else:
            bucket.append(tracked)

    def _load_cancelled(self, entry_nos: list[int]) -> None:
        self.cancelled.update(corrections_of(entry_nos))

    def _check_not_cancelled(self, target: _Entry, line, path: str) -> None:
        """Nothing applies to a cancelled entry or to a cancellation, except the cancellation to its own entry: the
        pair nets to zero for good (costing.cancel)."""
        row = target.row
        own = getattr(line, "corrects_entry", None) == row.entry_no
        if not own and (row.entry_no in self.cancelled or row.corrects_entry is not None):
            raise Conflict(
                _("Item ledger entry %(no)s is cancelled or is a cancellation; nothing can apply to it.")
                % {"no": row.entry_no},
                code="entry_cancelled",
                errors={path: [_("Entry is cancelled.")]},
            )

    def _refuse_cancelled(self, entry: _Entry) -> None:
        """An invoice or an item charge for a cancelled entry or a cancellation: a cancelled document stays cancelled
        (invariant I11: nothing is posted for a cancelled source after its cancellation but Adjust Cost's share)."""
        self._load_cancelled([entry.row.entry_no])
        self._check_not_cancelled(entry, None, "entry_no")

    def _entry(self, entry_no: int, path: str) -> _Entry:
        tracked = self.entries.get(entry_no)
        if tracked is None:
            row = ItemLedgerEntry.objects.filter(entry_no=entry_no).first()
            if row is None:
                raise InvalidInput.field(path, _("Item ledger entry %(no)s does not exist.") % {"no": entry_no})
            self._load_items([row.item_id])
            self._load_state({row.item_id})
            self._track([row])
            tracked = self.entries[entry_no]
        return tracked

    # ------------------------------------------------------------------------------------------ validation

    def _validate_line(self, line: JournalLine, path: str, locations: set[str], groups: set[str]) -> Item:
        if line.entry_type not in JOURNAL_TYPES:
            raise InvalidInput.field(f"{path}.entry_type", _("Unknown entry type %(t)s.") % {"t": line.entry_type})
        item = self.items.get(line.item)
        if item is None:
            raise InvalidInput.field(f"{path}.item", _("Item %(no)s does not exist.") % {"no": line.item})
        if item.blocked:
            raise InvalidInput.field(f"{path}.item", _("Item %(no)s is blocked.") % {"no": line.item})
        if not line.document_no:
            raise InvalidInput.field(f"{path}.document_no", _("A document no. is required."))
        for name in ("location", "new_location"):
            code = getattr(line, name)
            if code and code not in locations:
                raise InvalidInput.field(f"{path}.{name}", _("Location %(code)s does not exist.") % {"code": code})
        if line.gen_bus_posting_group and line.gen_bus_posting_group not in groups:
            raise InvalidInput.field(
                f"{path}.gen_bus_posting_group",
                _("Gen. business posting group %(code)s does not exist.") % {"code": line.gen_bus_posting_group},
            )
        if line.quantity == 0:
            raise InvalidInput.field(f"{path}.quantity", _("Quantity must not be zero."))
        invoiced = line.quantity if line.invoiced_quantity is None else line.invoiced_quantity
        if invoiced != 0 and (invoiced > 0) != (line.quantity > 0):
            raise InvalidInput.field(
                f"{path}.invoiced_quantity", _("Invoiced quantity must have the same sign as the quantity.")
            )
        if abs(invoiced) > abs(line.quantity):
            raise InvalidInput.field(f"{path}.invoiced_quantity", _("Invoiced quantity must not exceed the quantity."))
        if line.unit_cost is not None and line.unit_cost < 0:
            raise InvalidInput.field(f"{path}.unit_cost", _("Unit cost must not be negative."))
        if line.entry_type == ItemLedgerEntryType.TRANSFER:
            if not line.new_location and line.new_location != "":
                raise InvalidInput.field(f"{path}.new_location", _("A transfer needs a new location."))
            if line.new_location == line.location:
                raise InvalidInput.field(
                    f"{path}.new_location", _("A transfer needs a new location different from the location.")
                )
            if line.quantity < 0:
                raise InvalidInput.field(f"{path}.quantity", _("A transfer quantity must be positive."))
            if invoiced != line.quantity:
                raise InvalidInput.field(f"{path}.invoiced_quantity", _("Transfers are always fully valued."))
            if line.applies_from_entry:
                raise InvalidInput.field(f"{path}.applies_from_entry", _("A transfer cannot apply from an entry."))
        if line.applies_to_entry and line.applies_from_entry:
            raise InvalidInput.field(
                f"{path}.applies_from_entry", _("Use either applies-to entry or applies-from entry, not both.")
            )
        if line.entry_type in PRODUCTION_TYPES or line.order_no:
            # Production hook: the order must be released; output is posted at expected cost.
            from production.services import check_journal_line

            check_journal_line(line, item, path)
        self.gate.check(line.posting_date, f"{path}.posting_date")
        return item

    # -------------------------------------------------------------------------------------------- the lines

    def post_lines(self, lines: Sequence[JournalLine]) -> PostingResult:
        if not lines:
            raise InvalidInput.field("lines", _("There is nothing to post."))
        self._load_items({line.item for line in lines})
        location_codes = {c for line in lines for c in (line.location, line.new_location) if c}
        locations = set(Location.objects.filter(code__in=location_codes).values_list("code", flat=True))
        group_codes = {line.gen_bus_posting_group for line in lines if line.gen_bus_posting_group}
        groups = set(GenBusinessPostingGroup.objects.filter(code__in=group_codes).values_list("code", flat=True))
        for index, line in enumerate(lines):
            self._validate_line(line, f"lines[{index}]", locations, groups)
        # What the lines can take from the open inbound entries already there, per (item, location): only a line
        # that takes stock out (a sale, a negative adjustment, a purchase return, a transfer's from-location) and
        # names no entry to apply to does (a fixed application takes from its entry alone, read on its own below).
        # A line that brings stock in only closes open outbound entries, which are read whatever the need.
        # (Validation has run: a transfer's quantity is positive, and its new location only receives.)
        needs: dict[tuple, Decimal] = defaultdict(Decimal)
        for line in lines:
            quantity = dec(line.quantity)
            pair = (line.item, line.location or None)
            takes_out = line.entry_type == ItemLedgerEntryType.TRANSFER or (quantity > 0) != (
                line.entry_type in INBOUND_TYPES
            )
            needs[pair] += abs(quantity) if takes_out and not line.applies_to_entry else ZERO
            if line.entry_type == ItemLedgerEntryType.TRANSFER:
                needs[(line.item, line.new_location or None)] += ZERO
        self._load_pairs(set(needs), needs)
        referenced = [n for line in lines for n in (line.applies_to_entry, line.applies_from_entry) if n]
        missing = [n for n in referenced if n not in self.entries]
        if missing:
            self._track(list(ItemLedgerEntry.objects.filter(entry_no__in=missing)))
        if referenced:
            self._load_cancelled(referenced)
        # Production lines are stamped with their order from the database as they are written (_flush), so they
        # are written at the end, with everything else.
        pipelined = len(lines) >= 2 * PIPELINE_CHUNK_LINES and not any(
            line.entry_type in PRODUCTION_TYPES for line in lines
        )
        if not pipelined:
            for index, line in enumerate(lines):
                self._post_line(line, f"lines[{index}]")
            return self.result
        with connection.execute_wrapper(self._after_writes):
            for index, line in enumerate(lines):
                self._post_line(line, f"lines[{index}]")
                if (index + 1) % PIPELINE_CHUNK_LINES == 0 and index + 1 < len(lines):
                    self._hand_off()
        return self.result

    # ------------------------------------------------------------------------------- writing while computing

    def _hand_off(self) -> None:
        """Send the entries the lines so far made to the database on the writer thread, while this one goes on with
        the next lines.

        A posting's Python (the lines' costs and applications) and PostgreSQL's work on its entries (COPY parsing,
        index entries, the ledgers' triggers) each took about half of a large posting, one after the other: handed
        off a chunk at a time, PostgreSQL inserts one chunk while Python computes the next. The COPY text is made
        here, so it holds the rows as they are now; an entry a later line changes (its remaining quantity, open,
        invoiced) is then written again by ``_update_existing_entries``, like an entry that was there before the
        posting. Same transaction, same connection: the writer uses this thread's psycopg2 connection, and any
        statement this thread runs meanwhile waits for the writer first (``_after_writes``). Rows that name others
        are written after them (item ledger, then value and application entries), chunk after chunk, as the
        ledgers' reference checks require (ledger_refs_checked.sql). The writer is one thread per process
        (``_process_thread``): a posting hands off only while it holds the ledger counters' locks, so no other
        posting's COPYs are queued there at the same time.
        """
        ile_from, ve_from, apps_from = self._handed
        result = self.result
        ile = result.item_ledger_entries[ile_from:]
        ve = result.value_entries[ve_from:]
        apps = result.application_entries[apps_from:]
        self._handed = (ile_from + len(ile), ve_from + len(ve), apps_from + len(apps))
        for row in ile:
            tracked = self.entries[row.entry_no]
            tracked.written = True
            tracked.dirty = False
        copies = [
            copy_text(model, rows)
            for model, rows in ((ItemLedgerEntry, ile), (ValueEntry, ve), (ItemApplicationEntry, apps))
            if rows
        ]
        if copies:
            connection.ensure_connection()
            self._writes.append(_process_thread("write").submit(_send_copies, connection.connection, copies))

    def _after_writes(self, execute, sql, params, many, context):
        """``execute_wrapper`` while chunks are handed off: a statement of this thread runs after the writer's."""
        self._drain_writes()
        return execute(sql, params, many, context)

    def _drain_writes(self, *, failing: bool = False) -> None:
        """Wait for the writer's COPYs; the first that failed fails the posting, as a Django database error, unless
        the posting is ``failing`` already (then the writer only has to be off the connection)."""
        writes, self._writes = self._writes, []
        if writes:
            wait(writes)
            if failing:
                return
            with connection.wrap_database_errors:
                for pending in writes:
                    pending.result()

    def _post_line(self, line: JournalLine, path: str) -> None:
        item = self.items[line.item]
        self.touched_items.add(item.no)
        quantity = dec(line.quantity)
        invoiced = quantity if line.invoiced_quantity is None else dec(line.invoiced_quantity)
        location = line.location or None
        if line.entry_type == ItemLedgerEntryType.TRANSFER:
            self._post_transfer(line, item, quantity, location, line.new_location or None, path)
            return
        sign = 1 if line.entry_type in INBOUND_TYPES else -1
        if sign * quantity > 0:
            self._post_inbound(line, item, sign * quantity, sign * invoiced, location, path)
        else:
            self._post_outbound(line, item, sign * quantity, sign * invoiced, location, path)

    # ------------------------------------------------------------------------------------------------ inbound

    def _new_entry(self, line, item, entry_type, quantity, invoiced, location, **extra) -> _Entry:
        row = new_row(
            ItemLedgerEntry,
            entry_no=self.numbers.next("item_ledger_entry"),
            item_id=item.no,
            posting_date=line.posting_date,
            entry_type=entry_type,
            document_no=line.document_no,
            external_document_no=getattr(line, "external_document_no", ""),
            description=getattr(line, "description", "") or item.description[:100],
            location_id=location,
            quantity=quantity,
            remaining_quantity=quantity,
            invoiced_quantity=invoiced,
            open=True,
            positive=quantity > 0,
            completely_invoiced=invoiced == quantity,
            applies_to_entry=getattr(line, "applies_to_entry", None),
            corrects_entry=getattr(line, "corrects_entry", None),
            gen_bus_posting_group_id=getattr(line, "gen_bus_posting_group", "") or None,
            register_id=self.register.no,
            # Production hook: consumption and output entries carry their order (one line per order).
            order_type="production" if getattr(line, "order_no", "") else "",
            order_no=getattr(line, "order_no", ""),
            order_line_no=1 if getattr(line, "order_no", "") else 0,
            **extra,
        )
        tracked = _Entry(row, is_new=True)
        self.entries[row.entry_no] = tracked
        self.result.item_ledger_entries.append(row)
        return tracked

    def _value_entry(
        self,
        entry: _Entry | None,
        *,
        entry_type,
        posting_date,
        document_no,
        valued_quantity,
        invoiced_quantity=ZERO,
        ile_quantity=ZERO,
        actual=ZERO,
        expected=ZERO,
        expected_cost=False,
        valuation_date=None,
        variance_type="",
        adjustment=False,
        item_charge=False,
        applies_to=None,
        item=None,
        gen_bus=None,
        source_code=None,
        **extra,
    ) -> ValueEntry:
        row = entry.row if entry else None
        item = item or self.items[row.item_id]
        cost_per_unit = round_unit_cost((actual + expected) / valued_quantity) if valued_quantity else ZERO
        ve = new_row(
            ValueEntry,
            entry_no=self.numbers.next("value_entry"),
            item_ledger_entry_id=row.entry_no if row else None,
            item_id=item.no,
            item_ledger_entry_type=row.entry_type if row else "",
            entry_type=entry_type,
            variance_type=variance_type,
            posting_date=posting_date,
            valuation_date=valuation_date or posting_date,
            document_no=document_no,
            external_document_no=row.external_document_no if row else "",
            description=row.description if row else "",
            adjustment=adjustment,
            expected_cost=expected_cost,
            item_charge=item_charge,
            item_ledger_entry_quantity=ile_quantity,
            valued_quantity=valued_quantity,
            invoiced_quantity=invoiced_quantity,
            cost_per_unit=abs(cost_per_unit),
            cost_amount_actual=actual,
            cost_amount_expected=expected,
            applies_to_entry=applies_to,
            valued_by_average_cost=item.costing_method == CostingMethod.AVERAGE
            and row is not None
            and not row.positive,
            location_id=row.location_id if row else extra.pop("location_id", None),
            inventory_posting_group_id=item.inventory_posting_group_id,
            gen_bus_posting_group_id=gen_bus
            if gen_bus is not None
            else (row.gen_bus_posting_group_id if row else None),
            gen_prod_posting_group_id=item.gen_prod_posting_group_id,
            source_code=source_code or self.source_code,
            order_type=row.order_type if row else extra.pop("order_type", ""),
            order_no=row.order_no if row else extra.pop("order_no", ""),
            register_id=self.register.no,
            **extra,
        )
        if entry is not None:
            entry.actual += actual
            entry.expected += expected
            if entry_type == ValueEntryType.DIRECT_COST:
                entry.direct_expected += expected
            if entry_type == ValueEntryType.REVALUATION and valued_quantity:
                entry.revaluation_total += actual + expected
                entry.revaluation_unit += (actual + expected) / valued_quantity
            if ve.valuation_date > entry.valuation_date:
                entry.valuation_date = ve.valuation_date
        self.result.value_entries.append(ve)
        self._note_average(item, ve)
        # 4.2: the date checked is the valuation date for Average items, else the posting date of the item ledger
        # entry valued (an item charge on a January receipt counts as January, as the reference's example needs).
        rule_date = (
            ve.valuation_date
            if item.costing_method == CostingMethod.AVERAGE
            else (row.posting_date if row else posting_date)
        )
        known = self.adjustment_dates.get(item.no)
        if known is None or rule_date < known:
            self.adjustment_dates[item.no] = rule_date
        return ve

    def _note_average(self, item: Item, ve: ValueEntry) -> None:
        if item.costing_method != CostingMethod.AVERAGE:
            return
        key = self._avg_key(item, ve.location_id)
        totals = self.avg.setdefault(key, [ZERO, ZERO])
        totals[1] += ve.cost_amount_actual + ve.cost_amount_expected
        totals[0] += ve.item_ledger_entry_quantity
        location = key[1]
        self.entry_points.add(
            (item.no, location, average_cost_period_end(ve.valuation_date, self.setup.average_cost_period))
        )

    def _avg_key(self, item: Item, location):
        by_location = self.setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT
        return (item.no, location if by_location else None)

    def _average_unit_cost(self, item: Item, location) -> Decimal:
        quantity, value = self.avg.get(self._avg_key(item, location), [ZERO, ZERO])
        if quantity > 0:
            return value / quantity
        return item.unit_cost

    def _direct_unit_cost(self, line, item: Item) -> Decimal:
        if item.costing_method == CostingMethod.STANDARD and line.entry_type != ItemLedgerEntryType.PURCHASE:
            return item.standard_cost
        if line.unit_cost is not None:
            return dec(line.unit_cost)
        if item.costing_method == CostingMethod.STANDARD:
            return item.standard_cost
        return item.unit_cost

    def _indirect_unit_cost(self, line, item: Item, direct_unit: Decimal) -> Decimal:
        """Indirect cost % and overhead rate apply to purchases (and production output), not to adjustments."""
        if line.entry_type != ItemLedgerEntryType.PURCHASE:
            return ZERO
        return direct_unit * item.indirect_cost_percent / 100 + item.overhead_rate

    def _post_inbound(self, line, item, quantity, invoiced, location, path) -> _Entry:
        source = None
        if line.applies_from_entry:
            source = self._entry(line.applies_from_entry, f"{path}.applies_from_entry")
            srow = source.row
            if srow.item_id != item.no:
                raise InvalidInput.field(
                    f"{path}.applies_from_entry", _("Entry %(no)s belongs to another item.") % {"no": srow.entry_no}
                )
            if srow.positive:
                raise InvalidInput.field(
                    f"{path}.applies_from_entry", _("Entry %(no)s is not an outbound entry.") % {"no": srow.entry_no}
                )
            self._check_not_cancelled(source, line, f"{path}.applies_from_entry")
            # Each line on its own, as Business Central's item journal: the two corrective postings of a fixed
            # application that applies cost only both take their cost from one outbound entry (docs/inventory-periods).
            if quantity > -srow.quantity:
                raise InvalidInput.field(
                    f"{path}.quantity",
                    _("The return exceeds the %(q)s units of entry %(no)s.")
                    % {"q": -srow.quantity, "no": srow.entry_no},
                )
        entry = self._new_entry(line, item, line.entry_type, quantity, invoiced, location)
        if source is not None:
            unit = source.unit_cost
            direct_unit, indirect_unit, standard_unit = unit, ZERO, None
        else:
            direct_unit = self._direct_unit_cost(line, item)
            indirect_unit = self._indirect_unit_cost(line, item, direct_unit)
            standard_unit = item.standard_cost if item.costing_method == CostingMethod.STANDARD else None
        if line.entry_type == ItemLedgerEntryType.PURCHASE and source is None:
            self.item_changes[item.no]["last_direct_cost"] = round_unit_cost(direct_unit)
        self._value_inbound(entry, line, quantity, invoiced, direct_unit, indirect_unit, standard_unit)
        self._application(entry, entry, None, quantity, line.posting_date)
        if source is not None:
            self._application(entry, entry, source, quantity, line.posting_date, cost_application=True)
        self._apply_inbound_to_outbound(entry, line, item, path)
        return entry

    def _value_inbound(self, entry, line, quantity, invoiced, direct_unit, indirect_unit, standard_unit):
        """Receipt (expected), invoice (actual) or both; plus indirect cost and, for Standard, purchase variance."""
        date_ = line.posting_date
        if invoiced != quantity:
            unit = standard_unit if standard_unit is not None else direct_unit + indirect_unit
            self._value_entry(
                entry,
                entry_type=ValueEntryType.DIRECT_COST,
                posting_date=date_,
                document_no=line.document_no,
                valued_quantity=quantity,
                ile_quantity=quantity,
                expected=round_amount(quantity * unit),
                expected_cost=True,
            )
            if invoiced:
                self._invoice_inbound(
                    entry, invoiced, direct_unit, date_, line.document_no, indirect_unit, standard_unit
                )
            return
        direct = round_amount(quantity * direct_unit)
        self._value_entry(
            entry,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=date_,
            document_no=line.document_no,
            valued_quantity=quantity,
            ile_quantity=quantity,
            invoiced_quantity=quantity,
            actual=direct,
        )
        self._indirect_and_variance(entry, quantity, direct, indirect_unit, standard_unit, date_, line.document_no)

    def _indirect_and_variance(
        self, entry, invoiced, direct, indirect_unit, standard_unit, date_, document_no, valuation_date=None
    ):
        indirect = round_amount(invoiced * indirect_unit)
        if indirect:
            self._value_entry(
                entry,
                entry_type=ValueEntryType.INDIRECT_COST,
                posting_date=date_,
                document_no=document_no,
                valued_quantity=invoiced,
                invoiced_quantity=invoiced,
                actual=indirect,
                valuation_date=valuation_date,
            )
        if standard_unit is not None:
            variance = round_amount(invoiced * standard_unit) - direct - indirect
            if variance:
                self._value_entry(
                    entry,
                    entry_type=ValueEntryType.VARIANCE,
                    variance_type=VarianceType.PURCHASE,
                    posting_date=date_,
                    document_no=document_no,
                    valued_quantity=invoiced,
                    invoiced_quantity=invoiced,
                    actual=variance,
                    valuation_date=valuation_date,
                )

    def _invoice_inbound(self, entry, invoiced, direct_unit, date_, document_no, indirect_unit, standard_unit):
        row = entry.row
        # A line received and partly invoiced at once already carries its invoiced quantity on the new entry.
        not_invoiced = row.quantity if entry.is_new else row.quantity - row.invoiced_quantity
        reversal = -round_amount(entry.direct_expected * invoiced / not_invoiced) if not_invoiced else ZERO
        direct = round_amount(invoiced * direct_unit)
        valuation = entry.last_direct_valuation
        self._value_entry(
            entry,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=date_,
            document_no=document_no,
            valued_quantity=invoiced,
            invoiced_quantity=invoiced,
            actual=direct,
            expected=reversal,
            valuation_date=valuation,
        )
        self._indirect_and_variance(
            entry, invoiced, direct, indirect_unit, standard_unit, date_, document_no, valuation
        )

    def _apply_inbound_to_outbound(self, entry: _Entry, line, item: Item, path: str) -> None:
        """An inbound entry closes open outbound entries (negative inventory) at its location, or the one it is
        fixed-applied to. The outbound cost is corrected later by Adjust Cost (the inbound is marked to adjust)."""
        row = entry.row
        key = (row.item_id, row.location_id)
        if line.applies_to_entry:
            target = self._entry(line.applies_to_entry, f"{path}.applies_to_entry")
            self._check_not_cancelled(target, line, f"{path}.applies_to_entry")
            self._check_fixed_target(target, row, positive_target=False, path=f"{path}.applies_to_entry")
            candidates = [target]
        else:
            candidates = list(self.open_outbound.get(key, []))
            if item.costing_method == CostingMethod.LIFO:
                candidates.reverse()
        for outbound in candidates:
            if row.remaining_quantity == 0:
                break
            take = min(row.remaining_quantity, -outbound.row.remaining_quantity)
            if take <= 0:
                continue
            self._consume(entry, outbound, take)
            # Dated when both entries exist, as Business Central dates it: a back-dated receipt that closes a later
            # shipment's negative quantity was not yet used on the days in between (the Inventory Valuation report
            # and the revaluable quantity read remaining quantities as of a date through these dates).
            self._application(entry, entry, outbound, take, max(row.posting_date, outbound.row.posting_date))
            row.applied_entry_to_adjust = True
        if row.remaining_quantity > 0:
            self._open(self.open_inbound, key, entry)
        else:
            row.open = False

    def _check_fixed_target(self, target: _Entry, row: ItemLedgerEntry, *, positive_target: bool, path: str):
        t = target.row
        if t.item_id != row.item_id:
            raise InvalidInput.field(path, _("Entry %(no)s belongs to another item.") % {"no": t.entry_no})
        if t.positive != positive_target:
            kind = _("an inbound") if positive_target else _("an outbound")
            raise InvalidInput.field(path, _("Entry %(no)s is not %(kind)s entry.") % {"no": t.entry_no, "kind": kind})
        if t.location_id != row.location_id:
            raise InvalidInput.field(
                path,
                _("Entry %(no)s is at location %(loc)s, not %(this)s.")
                % {"no": t.entry_no, "loc": t.location_id or "-", "this": row.location_id or "-"},
            )
        if not t.open:
            raise Conflict(
                _("Item ledger entry %(no)s is already closed; there is nothing left to apply to.")
                % {"no": t.entry_no},
                code="entry_closed",
                errors={path: [_("Entry is closed.")]},
            )
        if abs(t.remaining_quantity) < abs(row.quantity):
            raise Conflict(
                _("Item ledger entry %(no)s has only %(q)s remaining, less than %(need)s.")
                % {"no": t.entry_no, "q": abs(t.remaining_quantity), "need": abs(row.quantity)},
                code="insufficient_remaining_quantity",
                errors={path: [_("Not enough remaining.")]},
            )

    def _consume(self, inbound: _Entry, outbound: _Entry, quantity: Decimal) -> None:
        for tracked, delta, bucket in (
            (inbound, -quantity, self.open_inbound),
            (outbound, quantity, self.open_outbound),
        ):
            row = tracked.row
            row.remaining_quantity += delta
            tracked.dirty = True
            if row.remaining_quantity == 0:
                row.open = False
                key = (row.item_id, row.location_id)
                if tracked in bucket.get(key, ()):
                    bucket[key].remove(tracked)

    def _application(
        self,
        entry: _Entry,
        inbound: _Entry,
        outbound: _Entry | None,
        quantity: Decimal,
        posting_date,
        *,
        cost_application=False,
    ) -> None:
        """Quantity sign follows the entry that created the application (negative for an outbound entry)."""
        signed = quantity if entry.row.positive else -quantity
        self.result.application_entries.append(
            new_row(
                ItemApplicationEntry,
                entry_no=self.numbers.next("item_application_entry"),
                item_ledger_entry_id=entry.row.entry_no,
                inbound_item_entry_id=inbound.row.entry_no,
                outbound_item_entry_id=outbound.row.entry_no if outbound else None,
                quantity=signed,
                posting_date=posting_date,
                cost_application=cost_application,
            )
        )

    # ----------------------------------------------------------------------------------------------- outbound

    def _post_outbound(self, line, item, quantity, invoiced, location, path, entry_type=None) -> _Entry:
        if line.applies_from_entry:
            raise InvalidInput.field(
                f"{path}.applies_from_entry", _("Only an inbound line can take its cost from an outbound entry.")
            )
        if item.costing_method == CostingMethod.SPECIFIC and not line.applies_to_entry:
            raise InvalidInput.field(
                f"{path}.applies_to_entry",
                _("Item %(no)s uses Specific costing: an outbound line must apply to an entry.") % {"no": item.no},
            )
        entry = self._new_entry(line, item, entry_type or line.entry_type, quantity, invoiced, location)
        cost, valuation = self._apply_outbound(entry, line, item, path)
        corrects = getattr(line, "corrects_entry", None)
        if corrects:
            self._value_correction(entry, corrects, line, quantity, invoiced, valuation)
            return entry
        self._value_outbound(entry, line.posting_date, line.document_no, quantity, invoiced, cost, valuation)
        return entry

    def _value_correction(self, entry, corrects: int, line, quantity, invoiced, valuation) -> None:
        """The cancellation of an inbound entry (costing.cancel) mirrors its value entries: the same cost, split as the
        entry's was, into direct and indirect cost, revaluation and (Standard items) purchase variance, actual and
        expected, so that the G/L accounts they went to (Direct Cost Applied, Overhead Applied, Inventory Adjmt.,
        Purchase Variance, the interim accounts) are reversed, not only the inventory. Rounding counts as direct cost
        here (an entry nothing was taken from has none). Nothing
        can change the entry's cost afterwards (it is fully applied to this one and closed to invoices, charges and
        revaluation), so Adjust Cost, which costs a fixed application exactly, finds nothing to adjust."""
        with connection.cursor() as cur:
            cur.execute(
                "SELECT CASE WHEN entry_type IN ('indirect_cost', 'revaluation', 'variance') THEN entry_type"
                " ELSE 'direct_cost' END,"
                " max(variance_type), sum(cost_amount_actual), sum(cost_amount_expected) FROM costing_value_entry"
                " WHERE item_ledger_entry_no = %s GROUP BY 1 ORDER BY 1",
                [corrects],
            )
            parts = cur.fetchall()
        entry.last_direct_valuation = valuation
        first = True
        for kind, variance_type, actual, expected in parts:
            amounts = [(ZERO, expected)] if expected else []
            if actual or (first and not expected):
                amounts.append((actual, ZERO))
            for part_actual, part_expected in amounts:
                self._value_entry(
                    entry,
                    entry_type=kind,
                    variance_type=variance_type if kind == ValueEntryType.VARIANCE else "",
                    posting_date=line.posting_date,
                    document_no=line.document_no,
                    valued_quantity=quantity,
                    ile_quantity=quantity if first else ZERO,
                    invoiced_quantity=ZERO if part_expected or invoiced != quantity else quantity,
                    actual=-part_actual,
                    expected=-part_expected,
                    expected_cost=bool(part_expected),
                    valuation_date=valuation,
                )
                first = False

    def _apply_outbound(self, entry: _Entry, line, item: Item, path: str) -> tuple[Decimal, date]:
        """Apply to open inbound entries (fixed, FIFO/Standard/Average earliest, LIFO latest) and return the cost
        (negative) and valuation date. Average items are valued at the average unit cost; an unapplied remainder
        (negative inventory) at the item's unit cost until Adjust Cost corrects it."""
        row = entry.row
        key = (row.item_id, row.location_id)
        need = -row.quantity
        exact = ZERO
        valuation = row.posting_date
        if line.applies_to_entry:
            target = self._entry(line.applies_to_entry, f"{path}.applies_to_entry")
            self._check_not_cancelled(target, line, f"{path}.applies_to_entry")
            self._check_fixed_target(target, row, positive_target=True, path=f"{path}.applies_to_entry")
            candidates = [target]
        else:
            candidates = list(self.open_inbound.get(key, []))
            if item.costing_method == CostingMethod.LIFO:
                candidates.reverse()
        for inbound in candidates:
            if need == 0:
                break
            take = min(need, inbound.row.remaining_quantity)
            if take <= 0:
                continue
            exact += take * inbound.unit_cost
            if inbound.valuation_date > valuation:
                valuation = inbound.valuation_date
            self._consume(inbound, entry, take)
            self._application(entry, inbound, entry, take, row.posting_date)
            need -= take
        if item.costing_method == CostingMethod.AVERAGE:
            cost = -round_amount(-row.quantity * self._average_unit_cost(item, row.location_id))
        else:
            cost = -round_amount(exact + need * item.unit_cost)
        if row.remaining_quantity != 0:
            self._open(self.open_outbound, key, entry)
        else:
            row.open = False
        entry.dirty = False
        return cost, valuation

    def _value_outbound(self, entry, date_, document_no, quantity, invoiced, cost, valuation):
        entry.last_direct_valuation = valuation
        if invoiced == quantity:
            self._value_entry(
                entry,
                entry_type=ValueEntryType.DIRECT_COST,
                posting_date=date_,
                document_no=document_no,
                valued_quantity=quantity,
                ile_quantity=quantity,
                invoiced_quantity=quantity,
                actual=cost,
                valuation_date=valuation,
            )
            return
        self._value_entry(
            entry,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=date_,
            document_no=document_no,
            valued_quantity=quantity,
            ile_quantity=quantity,
            expected=cost,
            expected_cost=True,
            valuation_date=valuation,
        )
        if invoiced:
            self._invoice_outbound(entry, invoiced, date_, document_no, is_new=True)

    def _invoice_outbound(self, entry, invoiced, date_, document_no, is_new=False):
        row = entry.row
        not_invoiced = row.quantity if is_new else row.quantity - row.invoiced_quantity
        part = round_amount(entry.direct_expected * invoiced / not_invoiced)
        self._value_entry(
            entry,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=date_,
            document_no=document_no,
            valued_quantity=invoiced,
            invoiced_quantity=invoiced,
            actual=part,
            expected=-part,
            valuation_date=entry.last_direct_valuation,
        )

    # ----------------------------------------------------------------------------------------------- transfer

    def _post_transfer(self, line, item, quantity, from_location, to_location, path) -> None:
        if item.costing_method == CostingMethod.SPECIFIC and not line.applies_to_entry:
            raise InvalidInput.field(
                f"{path}.applies_to_entry",
                _("Item %(no)s uses Specific costing: a transfer must apply to an entry.") % {"no": item.no},
            )
        out = self._new_entry(line, item, ItemLedgerEntryType.TRANSFER, -quantity, -quantity, from_location)
        cost, valuation = self._apply_outbound(out, line, item, path)
        self._value_entry(
            out,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=line.posting_date,
            document_no=line.document_no,
            valued_quantity=-quantity,
            ile_quantity=-quantity,
            invoiced_quantity=-quantity,
            actual=cost,
            valuation_date=valuation,
            gen_bus=None,
        )
        inbound_line = JournalLine(
            entry_type=ItemLedgerEntryType.TRANSFER,
            posting_date=line.posting_date,
            document_no=line.document_no,
            item=item.no,
            quantity=quantity,
            external_document_no=line.external_document_no,
            description=line.description,
        )
        into = self._new_entry(
            inbound_line,
            item,
            ItemLedgerEntryType.TRANSFER,
            quantity,
            quantity,
            to_location,
            transferred_from_entry=out.row.entry_no,
        )
        self._value_entry(
            into,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=line.posting_date,
            document_no=line.document_no,
            valued_quantity=quantity,
            ile_quantity=quantity,
            invoiced_quantity=quantity,
            actual=-cost,
            valuation_date=valuation,
            gen_bus=None,
        )
        self._application(into, into, None, quantity, line.posting_date)
        self._application(into, into, out, quantity, line.posting_date, cost_application=True)
        self._apply_inbound_to_outbound(into, inbound_line, item, path)

    # ------------------------------------------------------------------------------ invoices, charges, revaluation

    def invoice(self, entry_no: int, *, posting_date: date, document_no: str, quantity=None, unit_cost=None):
        """Invoice a receipt or shipment posted with expected cost (all or part of what is not yet invoiced)."""
        entry = self._entry(entry_no, "entry_no")
        self._refuse_cancelled(entry)
        row = entry.row
        self._load_items([row.item_id])
        self._load_state({row.item_id})
        item = self.items[row.item_id]
        self.touched_items.add(item.no)
        if not document_no:
            raise InvalidInput.field("document_no", _("A document no. is required."))
        self.gate.check(posting_date, "posting_date")
        if row.entry_type == ItemLedgerEntryType.TRANSFER:
            raise InvalidInput.field("entry_no", _("Transfers are not invoiced."))
        left = row.quantity - row.invoiced_quantity
        if left == 0:
            raise Conflict(
                _("Item ledger entry %(no)s is completely invoiced.") % {"no": row.entry_no}, code="completely_invoiced"
            )
        invoiced = left if quantity is None else dec(quantity) * (1 if row.positive else -1)
        if quantity is not None and dec(quantity) <= 0:
            raise InvalidInput.field("quantity", _("Quantity to invoice must be positive."))
        if abs(invoiced) > abs(left):
            raise InvalidInput.field("quantity", _("Only %(q)s remain to be invoiced.") % {"q": abs(left)})
        if row.positive:
            source_line = JournalLine(
                entry_type=row.entry_type,
                posting_date=posting_date,
                document_no=document_no,
                item=item.no,
                quantity=row.quantity,
                unit_cost=unit_cost,
            )
            if unit_cost is not None and dec(unit_cost) < 0:
                raise InvalidInput.field("unit_cost", _("Unit cost must not be negative."))
            if unit_cost is None:
                expected_unit = entry.direct_expected / left if left else ZERO
                direct_unit = expected_unit
                indirect_unit = ZERO
            else:
                direct_unit = self._direct_unit_cost(source_line, item)
                indirect_unit = self._indirect_unit_cost(source_line, item, direct_unit)
            standard_unit = item.standard_cost if item.costing_method == CostingMethod.STANDARD else None
            if unit_cost is None and standard_unit is not None:
                direct_unit = standard_unit
            if row.entry_type == ItemLedgerEntryType.PURCHASE and unit_cost is not None:
                self.item_changes[item.no]["last_direct_cost"] = round_unit_cost(direct_unit)
            self._invoice_inbound(entry, invoiced, direct_unit, posting_date, document_no, indirect_unit, standard_unit)
            row.applied_entry_to_adjust = True
        else:
            if unit_cost is not None:
                raise InvalidInput.field("unit_cost", _("An outbound entry takes its cost from its application."))
            self._invoice_outbound(entry, invoiced, posting_date, document_no)
        row.invoiced_quantity += invoiced
        row.completely_invoiced = row.invoiced_quantity == row.quantity
        entry.dirty = True
        return self.result

    def item_charge(self, entry_no: int, *, posting_date: date, document_no: str, amount) -> PostingResult:
        """An item charge (freight, duty) on an inbound entry: a direct cost value entry with no invoiced quantity."""
        entry = self._entry(entry_no, "entry_no")
        self._refuse_cancelled(entry)
        row = entry.row
        item = self.items[row.item_id]
        self.touched_items.add(item.no)
        if not document_no:
            raise InvalidInput.field("document_no", _("A document no. is required."))
        if not row.positive:
            raise InvalidInput.field("entry_no", _("Item charges are assigned to inbound entries only."))
        amount = dec(amount)
        if amount == 0:
            raise InvalidInput.field("amount", _("The amount must not be zero."))
        self.gate.check(posting_date, "posting_date")
        self._value_entry(
            entry,
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=posting_date,
            document_no=document_no,
            valued_quantity=row.quantity,
            actual=amount,
            item_charge=True,
            valuation_date=entry.last_direct_valuation,
        )
        if item.costing_method == CostingMethod.STANDARD:
            self._value_entry(
                entry,
                entry_type=ValueEntryType.VARIANCE,
                variance_type=VarianceType.PURCHASE,
                posting_date=posting_date,
                document_no=document_no,
                valued_quantity=row.quantity,
                actual=-amount,
                valuation_date=entry.last_direct_valuation,
            )
        row.applied_entry_to_adjust = True
        entry.dirty = True
        return self.result

    def revalue(self, lines: Sequence[RevaluationLine]) -> PostingResult:
        if not lines:
            raise InvalidInput.field("lines", _("There is nothing to post."))
        self._load_items({line.item for line in lines})
        for index, line in enumerate(lines):
            self._revalue_line(line, f"lines[{index}]")
        return self.result

    def _revalue_line(self, line: RevaluationLine, path: str) -> None:
        item = self.items.get(line.item)
        if item is None:
            raise InvalidInput.field(f"{path}.item", _("Item %(no)s does not exist.") % {"no": line.item})
        if not line.document_no:
            raise InvalidInput.field(f"{path}.document_no", _("A document no. is required."))
        if (line.unit_cost_revalued is None) == (line.inventory_value_revalued is None):
            raise InvalidInput.field(
                f"{path}.unit_cost_revalued", _("Give either the revalued unit cost or the revalued inventory value.")
            )
        new_value = line.inventory_value_revalued
        if line.unit_cost_revalued is not None and dec(line.unit_cost_revalued) < 0:
            raise InvalidInput.field(f"{path}.unit_cost_revalued", _("Unit cost must not be negative."))
        if new_value is not None and dec(new_value) < 0:
            raise InvalidInput.field(f"{path}.inventory_value_revalued", _("Inventory value must not be negative."))
        self.gate.check(line.posting_date, f"{path}.posting_date")
        self.touched_items.add(item.no)
        self._load_state({item.no})
        if line.applies_to_entry is not None:
            self._load_cancelled([line.applies_to_entry])
            if line.applies_to_entry in self.cancelled:
                raise Conflict(
                    _("Item ledger entry %(no)s is cancelled; a cancelled receipt is not revalued.")
                    % {"no": line.applies_to_entry},
                    code="entry_cancelled",
                    errors={f"{path}.applies_to_entry": [_("Entry is cancelled.")]},
                )
        candidates = revaluable_entries(item, line.posting_date, line.location, line.applies_to_entry)
        if line.applies_to_entry is not None and not candidates:
            raise Conflict(
                _("Entry %(no)s has no revaluable quantity on %(date)s.")
                % {"no": line.applies_to_entry, "date": line.posting_date},
                code="nothing_to_revalue",
                errors={f"{path}.applies_to_entry": [_("Nothing to revalue.")]},
            )
        if not candidates:
            raise Conflict(
                _("Item %(no)s has no revaluable quantity on %(date)s.") % {"no": item.no, "date": line.posting_date},
                code="nothing_to_revalue",
            )
        tracked = []
        for entry_no, quantity, value in candidates:
            entry = self._entry(entry_no, f"{path}.applies_to_entry")
            tracked.append((entry, quantity, value))
        total_quantity = sum((q for _e, q, _v in tracked), ZERO)
        if line.unit_cost_revalued is not None:
            unit = dec(line.unit_cost_revalued)
            targets = [round_amount(q * unit) for _e, q, _v in tracked]
        else:
            from core.money import allocate

            targets = allocate(dec(new_value), [q for _e, q, _v in tracked])
            unit = dec(new_value) / total_quantity
        for (entry, quantity, value), target in zip(tracked, targets, strict=True):
            delta = target - value
            if delta == 0:
                continue
            row = entry.row
            self._value_entry(
                entry,
                entry_type=ValueEntryType.REVALUATION,
                posting_date=line.posting_date,
                document_no=line.document_no,
                valued_quantity=quantity,
                actual=delta,
                valuation_date=max(line.posting_date, entry.last_direct_valuation),
                source_code=SOURCE_REVALUATION,
            )
            row.applied_entry_to_adjust = True
            entry.dirty = True
        if item.costing_method == CostingMethod.STANDARD:
            self.item_changes[item.no]["standard_cost"] = round_unit_cost(unit)
            self.item_changes[item.no]["unit_cost"] = round_unit_cost(unit)

    # ---------------------------------------------------------------------------------------------- writing

    def _flush(self) -> None:
        self._drain_writes()
        ile = self.result.item_ledger_entries
        ve = self.result.value_entries
        apps = self.result.application_entries
        if not (ile or ve):
            raise InvalidInput.field("lines", _("There is nothing to post."))
        ile_from, ve_from, apps_from = self._handed
        reg = self.register
        reg.from_entry_no = ile[0].entry_no if ile else None
        reg.to_entry_no = ile[-1].entry_no if ile else None
        reg.from_value_entry_no = ve[0].entry_no if ve else None
        reg.to_value_entry_no = ve[-1].entry_no if ve else None
        reg.save(force_insert=True)
        self.numbers.save()
        copy_insert(ItemLedgerEntry, ile[ile_from:])
        # Production hook: consumption/output value entries name the produced item (source no.) for the WIP account.
        from production.services import stamp_order_fields

        stamp_order_fields(ve[ve_from:])
        with self._describing():
            copy_insert(ValueEntry, ve[ve_from:])
            copy_insert(ItemApplicationEntry, apps[apps_from:])
            self._update_existing_entries()
            self._update_entry_points()
            self._update_items()
            self._post_or_queue(ve)
            self._automatic_adjustment()

    @contextmanager
    def _describing(self) -> Iterator[None]:
        """Run ``describe`` (the API's answer) on a second thread while the block writes, when nothing the block does
        changes the result: PostgreSQL writes the entries (COPY, the updates, the G/L queue: about half a 500-line
        posting) with the GIL released, and the answer is built from the entries in memory meanwhile instead of
        after. With automatic cost posting (the posted-to-G/L amounts change, G/L entries are made) or automatic
        cost adjustment (adjustment value entries are added), ``describe`` runs after the block, on this thread.

        The thread starts after the item ledger entries' COPY: the COPY's text is made in Python about as fast as
        PostgreSQL takes it, so a second thread there only takes turns with it (measured: no gain), while from
        the value entries' COPY on, this thread mostly waits for PostgreSQL (about 10 ms less per 500-line request
        on the 1M ledger, docs/performance.md).

        So ``describe`` must not use the database (another thread has another connection, outside this
        transaction) nor the active language (thread-local): it formats what the result holds."""
        if self.describe is None:
            yield
            return
        alongside = not self.setup.automatic_cost_posting and self.setup.automatic_cost_adjustment == "never"
        if not alongside:
            yield
            self.result.description = self.describe(self.result)
            return
        pending = _describer().submit(self.describe, self.result)
        try:
            yield
        finally:
            # Also when the block failed: the thread must be done with the result before it is dropped.
            wait([pending])
        self.result.description = pending.result()

    def _automatic_adjustment(self) -> None:
        """Automatic cost adjustment (4.2) for the items this posting touched, inside the same transaction."""
        mode = self.setup.automatic_cost_adjustment
        if mode == "never" or not self.touched_items:
            return
        from costing.adjustment import adjust_in_posting

        too_old = sorted(
            no
            for no in self.touched_items
            if not allow_adjustment_on_posting(mode, self.adjustment_dates.get(no), self.work_date)
        )
        if too_old:
            Item.objects.filter(no__in=too_old).update(allow_online_adjustment=False)
        allowed = sorted(self.touched_items - set(too_old))
        if not allowed:
            return
        report = adjust_in_posting(allowed, setup=self.setup, user=self.user)
        self.result.value_entries.extend(report.value_entries)
        self.result.gl_entries.extend(report.gl_entries)

    def _update_existing_entries(self) -> None:
        changed = [t.row for t in self.entries.values() if t.dirty and (t.written or not t.is_new)]
        if not changed:
            return
        numbers = _array(r.entry_no for r in changed)
        with connection.cursor() as cur:
            # The key list again behind _listed: the join alone was planned as a hash join over a sequential scan
            # of the whole ledger once a posting changed a few thousand entries.
            cur.execute(
                f"""
                UPDATE costing_item_ledger_entry e
                   SET remaining_quantity = v.remaining, open = v.open, invoiced_quantity = v.invoiced,
                       completely_invoiced = v.complete, applied_entry_to_adjust = v.to_adjust
                  FROM (SELECT unnest(%s::bigint[]) AS no, unnest(%s::numeric[]) AS remaining,
                               unnest(%s::boolean[]) AS open, unnest(%s::numeric[]) AS invoiced,
                               unnest(%s::boolean[]) AS complete, unnest(%s::boolean[]) AS to_adjust) v
                 WHERE e.entry_no = v.no AND e.entry_no = ANY({_listed("bigint")})
                """,
                [
                    numbers,
                    _array(r.remaining_quantity for r in changed),
                    _array(r.open for r in changed),
                    _array(r.invoiced_quantity for r in changed),
                    _array(r.completely_invoiced for r in changed),
                    _array(r.applied_entry_to_adjust for r in changed),
                    numbers,
                ],
            )

    def _update_entry_points(self) -> None:
        """Mark the average-cost periods touched (and every later one of the item) as not adjusted (4.3)."""
        if not self.entry_points:
            return
        points = sorted(self.entry_points, key=lambda p: (p[0], p[1] or "", p[2]))
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO costing_avg_cost_adjmt_entry_point
                       (item_no, location_code, valuation_date, cost_is_adjusted)
                SELECT unnest(%s::varchar[]), unnest(%s::varchar[]), unnest(%s::date[]), false
                ON CONFLICT (item_no, location_code, valuation_date) DO UPDATE SET cost_is_adjusted = false
                 WHERE costing_avg_cost_adjmt_entry_point.cost_is_adjusted
                """,
                [_array(p[0] for p in points), _array(p[1] for p in points), _array(p[2] for p in points)],
            )
            cur.execute(
                f"""
                UPDATE costing_avg_cost_adjmt_entry_point e SET cost_is_adjusted = false
                  FROM (SELECT unnest(%s::varchar[]) AS item_no, unnest(%s::date[]) AS first_date) v
                 WHERE e.item_no = v.item_no AND e.valuation_date > v.first_date AND e.cost_is_adjusted
                   AND e.item_no = ANY({_listed("varchar")})
                """,
                [_array(p[0] for p in points), _array(p[2] for p in points), _array(sorted({p[0] for p in points}))],
            )

    def _update_items(self) -> None:
        """Items touched lose "cost is adjusted"; average items get their current average unit cost."""
        # Average totals per item (summed over its locations), grouped once: not a scan of every key per item.
        per_item: dict[str, list[Decimal]] = {}
        for key, (q, v) in self.avg.items():
            totals = per_item.setdefault(key[0], [ZERO, ZERO])
            totals[0] += q
            totals[1] += v
        for item_no in self.touched_items:
            item = self.items[item_no]
            changes = self.item_changes[item_no]
            changes["cost_is_adjusted"] = False
            if item.costing_method == CostingMethod.AVERAGE:
                totals = per_item.get(item_no, [ZERO, ZERO])
                if totals[0] > 0 and totals[1] >= 0:
                    changes["unit_cost"] = round_unit_cost(totals[1] / totals[0])
            elif (
                item.costing_method != CostingMethod.STANDARD and "last_direct_cost" in changes and item.unit_cost == 0
            ):
                changes["unit_cost"] = changes["last_direct_cost"]
        # Only values that differ from the item as read in this posting (after the ledger counters were locked, so no
        # posting or cost adjustment changed it since): "cost is adjusted" is already off for most items, and an
        # UPDATE of an unchanged row still writes a new row version and its index entries.
        rows = []
        for item_no, changes in sorted(self.item_changes.items()):
            item = self.items[item_no]
            changed = {name: value for name, value in changes.items() if getattr(item, name) != value}
            for name, value in changed.items():
                setattr(item, name, value)
            if changed:
                rows.append((item_no, changed))
        if not rows:
            return
        # One UPDATE for every item, after locking the rows in key order: a column an item does not change is passed
        # as NULL and kept (every column changed here is NOT NULL).
        columns = sorted({name for _no, changes in rows for name in changes})
        numbers = _array(n for n, _c in rows)
        fields = [Item._meta.get_field(name) for name in columns]
        sets = ", ".join(f"{f.column} = coalesce(v.c{i}, i.{f.column})" for i, f in enumerate(fields))
        arrays = ", ".join(f"unnest(%s::{f.db_type(connection)}[]) AS c{i}" for i, f in enumerate(fields))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT 1 FROM costing_item WHERE no = ANY({_listed('varchar')}) ORDER BY no FOR NO KEY UPDATE",
                [numbers],
            )
            cur.execute(
                f"UPDATE costing_item i SET {sets} FROM (SELECT unnest(%s::varchar[]) AS no, {arrays}) v "
                f"WHERE i.no = v.no AND i.no = ANY({_listed('varchar')})",
                [numbers] + [_array(changes.get(name) for _n, changes in rows) for name in columns] + [numbers],
            )

    def _post_or_queue(self, value_entries: list[ValueEntry]) -> None:
        """Automatic cost posting posts the new value entries at once through the G/L bridge; otherwise they wait
        in the Post Value Entry to G/L queue (actual cost, or expected cost when expected-cost posting is on)."""
        from costing import gl_posting

        if self.setup.automatic_cost_posting:
            report = gl_posting.post_value_entries(
                value_entries,
                method=gl_posting.PER_ENTRY,
                user=self.user,
                setup=self.setup,
                from_item_posting=True,
            )
            self.result.gl_entries = report.gl_entries
            self.result.posted_to_gl = True
            return
        if not value_entries:
            return
        queue_value_entries(value_entries[0].entry_no, value_entries[-1].entry_no, self.setup)


def corrections_of(entry_nos: Sequence[int]) -> dict[int, int]:
    """The correction of each of these entries that is cancelled (costing.cancel): {entry no.: correction no.}."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT corrects_entry, entry_no FROM costing_item_ledger_entry WHERE corrects_entry = ANY(%s)",
            [list(entry_nos)],
        )
        return dict(cur.fetchall())


def revaluable_entries(item: Item, on: date, location: str | None, entry_no: int | None):
    """(entry_no, revaluable quantity, its current value) of an item's inbound entries on a date (4.6).

    The revaluable quantity is what remained on the revaluation date of entries posted on or before it that are
    completely invoiced (Standard items: invoiced or not). Applications posted later, even if back-dated, do not count
    against it: the remaining quantity is rebuilt from applications with a posting date on or before the date. One
    query for the item.

    A cancelled entry is not revalued (costing.cancel: it and its correction net to zero for good, invariant I11),
    even on a date before its correction. Stock that a cancelled sale brought back (the sale's correction, an inbound
    entry) is stock like any other and is revalued: the revaluation is the stock's, not the cancelled sale's.
    """
    standard = item.costing_method == CostingMethod.STANDARD
    params = {"item": item.no, "on": on, "location": location, "entry": entry_no, "standard": standard}
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH inbound AS (
                SELECT e.entry_no, e.quantity
                  FROM costing_item_ledger_entry e
                 WHERE e.item_no = %(item)s AND e.positive AND e.posting_date <= %(on)s
                   AND (%(standard)s OR e.completely_invoiced)
                   AND (%(location)s::varchar IS NULL OR e.location_code IS NOT DISTINCT FROM nullif(%(location)s, ''))
                   AND (%(entry)s::bigint IS NULL OR e.entry_no = %(entry)s)
                   AND NOT EXISTS (SELECT 1 FROM costing_item_ledger_entry c WHERE c.corrects_entry = e.entry_no)
            ), used AS (
                SELECT a.inbound_item_entry_no AS entry_no, sum(abs(a.quantity)) AS q
                  FROM costing_item_application_entry a JOIN inbound i ON i.entry_no = a.inbound_item_entry_no
                 WHERE a.outbound_item_entry_no IS NOT NULL AND NOT a.cost_application AND a.posting_date <= %(on)s
                 GROUP BY 1
            ), value AS (
                SELECT v.item_ledger_entry_no AS entry_no,
                       sum(v.cost_amount_actual + v.cost_amount_expected)
                           FILTER (WHERE v.entry_type <> 'revaluation') AS base,
                       sum((v.cost_amount_actual + v.cost_amount_expected) / nullif(v.valued_quantity, 0))
                           FILTER (WHERE v.entry_type = 'revaluation' AND v.valuation_date <= %(on)s) AS reval_unit
                  FROM costing_value_entry v JOIN inbound i ON i.entry_no = v.item_ledger_entry_no
                 GROUP BY 1
            )
            SELECT i.entry_no, i.quantity - coalesce(u.q, 0) AS remaining,
                   coalesce(v.base, 0) / i.quantity + coalesce(v.reval_unit, 0) AS unit
              FROM inbound i LEFT JOIN used u USING (entry_no) LEFT JOIN value v USING (entry_no)
             WHERE i.quantity - coalesce(u.q, 0) > 0
             ORDER BY i.entry_no
            """,
            params,
        )
        rows = cur.fetchall()
    return [(no, remaining, round_amount(unit * remaining)) for no, remaining, unit in rows]


# ---------------------------------------------------------------------------------------------- public services


def post_item_journal(
    lines: Sequence[JournalLine],
    *,
    user=None,
    work_date: date | None = None,
    describe: Callable[[PostingResult], Any] | None = None,
) -> PostingResult:
    """Post journal lines in one transaction. ``describe(result)``, if given, is stored as ``result.description``:
    the REST API builds its answer there, alongside the writes (``Posting._describing``)."""
    with Posting(user=user, work_date=work_date, describe=describe) as posting:
        posting.post_lines(lines)
    return posting.result


def invoice_item_ledger_entry(
    entry_no: int, *, posting_date: date, document_no: str, quantity=None, unit_cost=None, user=None
) -> PostingResult:
    with Posting(user=user) as posting:
        posting.invoice(
            entry_no, posting_date=posting_date, document_no=document_no, quantity=quantity, unit_cost=unit_cost
        )
    return posting.result


def post_item_charge(entry_no: int, *, posting_date: date, document_no: str, amount, user=None) -> PostingResult:
    with Posting(user=user) as posting:
        posting.item_charge(entry_no, posting_date=posting_date, document_no=document_no, amount=amount)
    return posting.result


def post_revaluation_journal(lines: Sequence[RevaluationLine], *, user=None) -> PostingResult:
    with Posting(user=user, source_code=SOURCE_REVALUATION) as posting:
        posting.revalue(lines)
    return posting.result
