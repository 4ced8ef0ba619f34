"""Adjust Cost - Item Entries: forwards cost changes from cost sources to cost recipients.

Rules: costing reference 4.1 (what flows where), 4.2 (automatic adjustment), 4.3 (average cost per period and calc.
type), 4.6 (which decreases a revaluation reaches), 4.7 (rounding), 4.8 (applications), 4.9 (posting dates).

The approach is "recompute and post the difference", item by item:

* Every item ledger entry is either a cost source (an inbound entry valued by its own value entries: purchases,
  positive adjustments, output) or a cost recipient (an outbound entry, valued by what it is applied to; an inbound
  entry that takes its cost from an outbound entry: transfer receipts and exact-cost returns).
* For FIFO, LIFO, Specific and Standard items a recipient's correct cost follows its application entries
  (memoised recursion, so chains through transfers and returns resolve in any order). A revaluation adds its amount per
  revalued unit to the decreases it reaches (4.6 table: not those posted before it and dated on or before it).
* For Average items the cost of decreases is the average of the period (Day ... Year) per item, or per item and
  location, carried forward period by period; residuals are carried because every period starts from the rounded
  amounts already booked (4.7: 3.33, 3.34, 3.33).
* The difference between the correct and the booked cost of each recipient is posted as an adjustment value entry
  (Adjustment = yes, Applies-to = the adjusted value entry), dated with the adjusted entry's date unless that is in a
  closed inventory period or before Allow Posting From (4.9). A fully applied, completely invoiced inbound entry whose
  value does not come back to exactly zero gets a Rounding entry.

Only items whose "cost is adjusted" is off are processed. Each batch of items is one transaction: it computes without
a lock, then takes the value-entry counter lock (NumberBlock) to write, recomputing under the lock any item that a
posting or another run touched in between (``_adjust_batch``). So postings cannot interleave with its writes, two runs
never adjust one item twice (the second finds the item adjusted), and batches of different items compute side by
side. Running it again creates nothing. In one run the next batch is read while a batch computes and the batch before
is written, each on a connection of its own (``_read_ahead``, ``_pipelined``): Python time bounds a full run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from core.bulk import copy_insert, gc_paused, new_row
from core.money import ZERO, round_amount
from core.sequences import NumberBlock
from costing.models import (
    AverageCostCalcType,
    CostingMethod,
    InventorySetup,
    Item,
    ItemRegister,
    ValueEntry,
    ValueEntryType,
)
from costing.posting import PostingGate, average_cost_period_end, queue_value_entries

log = logging.getLogger(__name__)
SOURCE_CODE = "INVTADJMT"


# ------------------------------------------------------------------------------------------------------ loading


@dataclass(slots=True)
class _Ile:
    """An item ledger entry with the sums of its value entries; built from one row of ``_ENTRIES_SQL``, in its
    column order."""

    entry_no: int
    item: str
    location: str | None
    posting_date: date
    entry_type: str
    quantity: Decimal
    invoiced: Decimal
    positive: bool
    applies_to: int | None
    transferred_from: int | None
    open: bool
    completely_invoiced: bool
    gen_bus: str | None
    # from value entries
    actual: Decimal = ZERO
    expected: Decimal = ZERO
    base: Decimal = ZERO  # everything but revaluations
    rounding: Decimal = ZERO
    valuation_date: date | None = None  # None: the entry has no value entries
    first_ve: int = 0
    last_direct_ve: int | None = None
    last_invoice_date: date | None = None
    single_valuation_date: date | None = None  # the valuation date of all its value entries, where they share one
    split: bool = False  # value entries on several valuation dates, or a revaluation: read group by group
    last_direct_date: date | None = None
    last_direct_document: str = ""
    revaluations: list | tuple = ()  # (ve no, posting date, valuation date, amount, valued qty), by ve no
    by_valuation_date: dict | None = None  # valuation date -> cost, for a split entry

    @property
    def cost(self) -> Decimal:
        return self.actual + self.expected

    def cost_by_valuation_date(self) -> dict:
        """Its cost per valuation date of its value entries (the average cost periods an inbound entry's value
        falls in: a revaluation or an item charge may be valued later than the entry itself)."""
        if self.split:
            return self.by_valuation_date
        if self.single_valuation_date is None:
            return {}
        return {self.single_valuation_date: self.actual + self.expected}


# The entries of a batch of items with their value entries summed, one row each (``_Ile``'s fields in order). The value
# entries are summed in PostgreSQL, which runs beside the Python that computes the previous batch; summing them here
# per (entry, valuation date, revaluation) group and merging the groups in Python was most of a full run's reading
# time, Python time that competes with the computation for one interpreter. Direct cost: the entry's own, not an
# adjustment or an item charge; it gives the entry's valuation date, its last direct value entry and last invoice.
_DIRECT = "entry_type = 'direct_cost' AND NOT adjustment AND NOT item_charge"
_ENTRIES_SQL = f"""
    SELECT e.entry_no, e.item_no, e.location_code, e.posting_date, e.entry_type, e.quantity, e.invoiced_quantity,
           e.positive, e.applies_to_entry, e.transferred_from_entry, e.open, e.completely_invoiced,
           e.gen_bus_posting_group_id,
           coalesce(v.actual, 0), coalesce(v.expected, 0), coalesce(v.base, 0), coalesce(v.rounding, 0),
           CASE WHEN v.entry IS NOT NULL THEN coalesce(v.direct_date, e.posting_date) END,
           coalesce(v.first_ve, 0), v.last_direct_ve, v.last_invoice_date, v.single_date, coalesce(v.split, false)
      FROM costing_item_ledger_entry e
      LEFT JOIN (
           SELECT item_ledger_entry_no AS entry,
                  sum(cost_amount_actual) AS actual, sum(cost_amount_expected) AS expected,
                  sum(cost_amount_actual + cost_amount_expected) FILTER (WHERE entry_type <> 'revaluation') AS base,
                  sum(cost_amount_actual) FILTER (WHERE entry_type = 'rounding') AS rounding,
                  min(valuation_date) FILTER (WHERE {_DIRECT}) AS direct_date,
                  min(entry_no) AS first_ve,
                  max(entry_no) FILTER (WHERE {_DIRECT}) AS last_direct_ve,
                  max(posting_date) FILTER (WHERE {_DIRECT} AND invoiced_quantity <> 0) AS last_invoice_date,
                  CASE WHEN min(valuation_date) = max(valuation_date) THEN min(valuation_date) END AS single_date,
                  min(valuation_date) <> max(valuation_date) OR bool_or(entry_type = 'revaluation') AS split
             FROM costing_value_entry
            WHERE item_no = ANY(%(items)s) AND item_ledger_entry_no IS NOT NULL
            GROUP BY 1) v ON v.entry = e.entry_no
     WHERE e.item_no = ANY(%(items)s)
     ORDER BY e.entry_no
"""


def _load(item_nos: Sequence[str]):
    """All entries, value-entry sums and applications of these items: three set-based queries, the second only for
    the few entries whose value entries fall on several valuation dates or include a revaluation."""
    items = list(item_nos)
    with connection.cursor() as cur:
        cur.execute(_ENTRIES_SQL, {"items": items})
        entries = {row[0]: _Ile(*row) for row in cur.fetchall()}
        split = [no for no, e in entries.items() if e.split]
        if split:
            # Each revaluation in a group of its own (it reaches the decreases of 4.6's table from its own date).
            cur.execute(
                """
                SELECT item_ledger_entry_no, valuation_date, CASE WHEN entry_type = 'revaluation' THEN entry_no END,
                       sum(cost_amount_actual + cost_amount_expected), max(posting_date), max(valued_quantity)
                  FROM costing_value_entry
                 WHERE item_ledger_entry_no = ANY(%s)
                 GROUP BY 1, 2, 3
                 ORDER BY 1, 3
                """,
                [split],
            )
            for no, valuation_date, revaluation, amount, posting_date, valued in cur.fetchall():
                e = entries[no]
                if e.by_valuation_date is None:
                    e.by_valuation_date, e.revaluations = {}, []
                e.by_valuation_date[valuation_date] = e.by_valuation_date.get(valuation_date, ZERO) + amount
                if revaluation is not None:
                    e.revaluations.append((revaluation, posting_date, valuation_date, amount, valued))
        # Applications by inbound entry (index iae_inbound), for the entries just loaded: no join over the table.
        cur.execute(
            """
            SELECT a.inbound_item_entry_no, a.outbound_item_entry_no, abs(a.quantity), a.cost_application,
                   a.item_ledger_entry_no = a.inbound_item_entry_no AND NOT a.cost_application
              FROM costing_item_application_entry a
             WHERE a.inbound_item_entry_no = ANY(%s) AND a.outbound_item_entry_no IS NOT NULL
             ORDER BY a.entry_no
            """,
            [list(entries)],
        )
        applications = cur.fetchall()
    return entries, applications


# --------------------------------------------------------------------------------------------------- computing


@dataclass
class Adjustment:
    entry_no: int  # the item ledger entry adjusted
    actual: Decimal
    expected: Decimal
    rounding: bool = False


class _ItemCosts:
    """The correct cost of each cost recipient of one item."""

    def __init__(self, item: Item, entries: dict[int, _Ile], applications, setup: InventorySetup):
        self.item = item
        self.entries = entries
        self.setup = setup
        # Quantity applications summed per (outbound, inbound) pair, in application order.
        self.sources: dict[int, dict[int, Decimal]] = defaultdict(dict)  # outbound -> {inbound: qty}
        self.outflows: dict[int, dict[int, Decimal]] = defaultdict(dict)  # inbound -> {outbound: qty}
        self.cost_source: dict[int, int] = {}  # inbound recipient -> outbound it takes its cost from
        # Outbound entries that stock arriving later closed (negative inventory): their valuation date may move.
        closed_later: list[int] = []
        for inbound, outbound, quantity, cost_application, closing in applications:
            if closing:
                closed_later.append(outbound)
            if cost_application:
                self.cost_source[inbound] = outbound
            else:
                self.sources[outbound][inbound] = self.sources[outbound].get(inbound, ZERO) + quantity
                self.outflows[inbound][outbound] = self.outflows[inbound].get(outbound, ZERO) + quantity
        self.cost_takers: dict[int, list[int]] = defaultdict(list)  # outbound -> inbound recipients of its cost
        for inbound, outbound in self.cost_source.items():
            self.cost_takers[outbound].append(inbound)
        self._valuation_dates_through_applications(closed_later)
        # In the final pass, each application's cost rounded to cents: the outbound cost is their sum and the
        # rounding check of an inbound entry subtracts exactly these parts (Business Central rounds per application).
        self.parts: dict[tuple[int, int], Decimal] = {}
        self.target: dict[int, Decimal] = {}
        self._visiting: set[int] = set()
        # Cycles (negative inventory closed by stock whose cost came from the very entries it closes, e.g. transfers
        # back and forth) are solved by iterating to the fixpoint: a cycle member reads last round's estimate.
        self._previous: dict[int, Decimal] = {}
        self._cycle = False
        # The last pass rounds every recipient's cost to cents before anything downstream uses it, so an entry
        # applied to a transfer receipt or a return carries exactly the cost booked on it.
        self._round = False
        # Average items: the entries whose cost the averaging itself sets (``_average_key``), as against the costs
        # read through applications and memoised in ``target``.
        self._averaged: set[int] = set()
        self._reads: dict[int, Decimal] = {}  # what a pass of the averaging read through applications

    def _valuation_dates_through_applications(self, closed_later: list[int]) -> None:
        """An outbound entry is valued on the latest valuation date of the inbound entries it is applied to, and an
        entry that takes its cost from an outbound one (a transfer's receipt, an exact-cost return) no earlier than
        that entry (costing reference 4.3). Posting dates an outbound entry so when it applies; but an entry posted
        into negative inventory applies later, when stock arrives, and Business Central then moves its valuation
        date to the receipt's (``GetValuationDate``) and on to the entries linked to it (``UpdateLinkedValuationDate``:
        the entries that take its cost, the outbound entries applied to those). Value entries never change here, so
        the move is made in the computation: an Average item's decrease falls in the average cost period of the
        stock that covered it, not in an earlier period without stock (where it took the item's unit cost of the
        moment), and its adjustment entries carry the moved date. Only ``closed_later`` (outbound entries with an
        application an inbound entry made) and what hangs on them can move, so the rest of the item is not visited.
        """
        entries = self.entries
        work = list(closed_later)
        while work:
            outbound = entries.get(work.pop())
            if outbound is None or outbound.valuation_date is None:
                continue
            latest = max(
                (entries[n].valuation_date for n in self.sources.get(outbound.entry_no, ()) if n in entries),
                default=None,
                key=lambda d: d or date.min,
            )
            if latest is None or latest <= outbound.valuation_date:
                continue
            outbound.valuation_date = latest
            for taker_no in self.cost_takers.get(outbound.entry_no, ()):
                taker = entries.get(taker_no)
                if taker is not None and taker.valuation_date is not None and taker.valuation_date < latest:
                    taker.valuation_date = latest
                    work.extend(self.outflows.get(taker_no, ()))

    # -- FIFO / LIFO / Specific / Standard, and fixed applications of average items

    def unit_cost_for(self, inbound_no: int, outbound: _Ile | None) -> Decimal:
        inbound = self.entries[inbound_no]
        if inbound_no in self.cost_source:
            base_unit = self.cost_of(inbound_no) / inbound.quantity
            base_unit -= sum((amount / qty for _n, _p, _v, amount, qty in inbound.revaluations if qty), ZERO)
        else:
            base_unit = (inbound.base - inbound.rounding) / inbound.quantity
        unit = base_unit
        for ve_no, posting_date, _valuation, amount, qty in inbound.revaluations:
            if not qty:
                continue
            reached = outbound is None or outbound.first_ve > ve_no or outbound.posting_date > posting_date
            if reached:
                unit += amount / qty
        return unit

    def cost_of(self, entry_no: int) -> Decimal:
        """Correct total cost (signed, unrounded) of an entry."""
        if entry_no in self.target:
            return self.target[entry_no]
        e = self.entries[entry_no]
        if entry_no in self._visiting:
            self._cycle = True
            return self._previous.get(entry_no, e.cost - e.rounding)
        self._visiting.add(entry_no)
        try:
            if e.positive:
                source = self.cost_source.get(entry_no)
                if source is None:
                    value = e.cost - e.rounding
                else:
                    src = self.entries[source]
                    value = self.cost_of(source) * e.quantity / src.quantity
                    value += sum((amount for _n, _p, _v, amount, _q in e.revaluations), ZERO)
            elif self.item.costing_method == CostingMethod.AVERAGE and not e.applies_to:
                value = self.target.get(entry_no, e.cost)
            else:
                applied = ZERO
                value = ZERO
                for inbound_no, quantity in self.sources.get(entry_no, {}).items():
                    part = quantity * self.unit_cost_for(inbound_no, e)
                    if self._round:
                        part = round_amount(part)
                        self.parts[(entry_no, inbound_no)] = part
                    value -= part
                    applied += quantity
                unapplied = -e.quantity - applied
                if unapplied > 0:
                    # Negative inventory still open: the unapplied part keeps the cost it was booked at.
                    value += e.cost * unapplied / -e.quantity
            if self._round:
                value = round_amount(value)
            self.target[entry_no] = value
            return value
        finally:
            self._visiting.discard(entry_no)

    # -- Average

    def average(self) -> None:
        by_location = self.setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT
        period = self.setup.average_cost_period
        keys = sorted({e.location if by_location else None for e in self.entries.values()}, key=lambda k: k or "")
        states: list[dict[int, Decimal]] = []
        for _pass in range(10):
            # Each pass starts from the costs the previous one averaged (decreases, transfers between keys), not from
            # what it read through them: an exact-cost return or a fixed application read in the previous pass took
            # the cost its source had then (before the pass averaged it, the booked cost), so it is read again.
            self.target = self._averaged_only()
            self._reads = {}
            for key in keys:
                self._average_key(key, by_location, period)
            if self._reads_stable():
                break
            # A return valued in its sale's period feeds the average that values the sale: rounded to cents, the two
            # can alternate between two states a cent apart, with no fixpoint. Stop at the first repeated state.
            state = self._averaged_only()
            if state in states[-2:]:
                break
            states.append(state)

    def _averaged_only(self) -> dict[int, Decimal]:
        return {no: cost for no, cost in self.target.items() if no in self._averaged}

    def _reads_stable(self) -> bool:
        """Would another pass read what this one read? Then it would compute the same costs (the averaging reads
        nothing else that changes), so this pass is the fixpoint. Reading the few costs the averaging reads through
        applications costs less than a whole pass over the item's entries; an item without such reads is done in
        one pass."""
        if not self._reads:
            return True
        memo = self.target
        self.target = self._averaged_only()
        try:
            return all(self.cost_of(no) == cost for no, cost in self._reads.items())
        finally:
            self.target = memo

    def _average_key(self, key, by_location: bool, period: str) -> None:
        members = [e for e in self.entries.values() if (e.location if by_location else None) == key]
        ends: dict[date, date] = {}

        def pend(d: date) -> date:
            end = ends.get(d)
            if end is None:
                end = ends[d] = average_cost_period_end(d, period)
            return end

        inflow: dict[date, list] = defaultdict(lambda: [ZERO, ZERO])  # period -> [qty, value], of cost sources
        # Costs read through applications (exact-cost returns, transfer receipts from another key, fixed
        # applications), read when their period comes: an earlier period's decrease they take their cost from is
        # then already averaged in this pass.
        applied_in: dict[date, list[_Ile]] = defaultdict(list)
        fixed: dict[date, list[_Ile]] = defaultdict(list)
        decreases: dict[date, list[_Ile]] = defaultdict(list)
        transfers_out: dict[date, list[_Ile]] = defaultdict(list)
        for e in members:
            is_transfer = e.entry_type == "transfer"
            if e.positive:
                if is_transfer and not by_location:
                    continue  # both legs of a transfer inside one average key cancel out
                if e.entry_no in self.cost_source:
                    applied_in[pend(e.valuation_date)].append(e)
                else:
                    own = inflow[pend(e.valuation_date)]
                    own[0] += e.quantity
                    for valuation_date, amount in e.cost_by_valuation_date().items():
                        inflow[pend(valuation_date)][1] += amount
                    own[1] -= e.rounding
            elif e.applies_to:
                fixed[pend(e.valuation_date)].append(e)
            elif is_transfer and not by_location:
                transfers_out[pend(e.valuation_date)].append(e)
            else:
                decreases[pend(e.valuation_date)].append(e)
        periods = sorted(set(inflow) | set(applied_in) | set(fixed) | set(decreases) | set(transfers_out))
        quantity, value = ZERO, ZERO
        last_average = self.item.unit_cost
        last_decrease: int | None = None
        reads = self._reads
        for p in periods:
            if p in inflow:
                quantity += inflow[p][0]
                value += inflow[p][1]
            for e in (*applied_in.get(p, ()), *fixed.get(p, ())):
                cost = reads[e.entry_no] = self.cost_of(e.entry_no)
                quantity += e.quantity
                value += cost
            average = value / quantity if quantity > 0 else last_average
            last_average = average
            booked = ZERO
            taken = ZERO
            for e in sorted(decreases.get(p, ()), key=lambda x: x.entry_no):
                taken += -e.quantity
                cumulative = round_amount(average * taken)
                cost = -(cumulative - booked)
                booked = cumulative
                self.target[e.entry_no] = cost
                self._averaged.add(e.entry_no)
                last_decrease = e.entry_no
            for e in transfers_out.get(p, ()):
                cost = -round_amount(average * -e.quantity)
                self.target[e.entry_no] = cost
                self._averaged.add(e.entry_no)
                for n in self.cost_takers.get(e.entry_no, ()):
                    self.target[n] = -cost * self.entries[n].quantity / -e.quantity
                    self._averaged.add(n)
            quantity -= sum((-e.quantity for e in decreases.get(p, ())), ZERO)
            value -= booked
            if quantity == 0 and value and last_decrease is not None:
                # No stock left but value left: decreases valued during negative inventory (at the last known
                # average) took too little or too much. The most recent decrease absorbs the residual so that no
                # stock means no value, as for the other costing methods' rounding entries.
                self.target[last_decrease] -= value
                value = ZERO

    # -- the adjustments

    def adjustments(self) -> list[Adjustment]:
        if self.item.costing_method == CostingMethod.AVERAGE:
            self.average()
        recipients = [e for e in self.entries.values() if (not e.positive) or e.entry_no in self.cost_source]
        average_targets = dict(self.target)
        # The final, rounded pass first: without a cycle it reads no estimate (``_previous`` is read only on a cycle,
        # and the traversal, hence whether it meets one, does not depend on the values), so it is the result. Only
        # an item whose applications form a cycle needs the unrounded passes to the fixpoint, and the rounded pass
        # again after them. This halves the recursion (a full run at 1,000,000 lines: 1.8 to 0.9 million cost_of calls).
        if not self._final_pass(recipients, average_targets):
            self._fixpoint(recipients, average_targets)
            self._final_pass(recipients, average_targets)
        return self._differences(recipients)

    def _final_pass(self, recipients: list[_Ile], average_targets: dict[int, Decimal]) -> bool:
        """Every recipient's cost rounded to cents, from the last estimates; False if it met a cycle."""
        self.target = {k: round_amount(v) for k, v in average_targets.items()}
        self.parts = {}
        self._round = True
        self._cycle = False
        for e in recipients:
            self.cost_of(e.entry_no)
        return not self._cycle

    def _fixpoint(self, recipients: list[_Ile], average_targets: dict[int, Decimal]) -> None:
        """Unrounded passes until the estimates of the cycle's members stop moving; they end in ``_previous``."""
        self._round = False
        self.parts = {}
        self.target = dict(average_targets)
        self._cycle = False
        for _round in range(200):
            for e in recipients:
                self.cost_of(e.entry_no)
            if not self._cycle:
                break
            change = max((abs(v - self._previous.get(k, ZERO)) for k, v in self.target.items()), default=ZERO)
            if change < Decimal("0.0000001"):
                break
            self._previous = self.target
            self.target = dict(average_targets)
            self._cycle = False
        self._previous = self.target

    def _differences(self, recipients: list[_Ile]) -> list[Adjustment]:
        """What to post: each recipient's rounded cost against its booked cost, split into actual and expected as
        invoiced, then the rounding entries."""
        result = []
        for e in recipients:
            target = round_amount(self.target[e.entry_no])
            if e.invoiced == e.quantity:
                actual_target, expected_target = target, ZERO
            elif e.invoiced == 0:
                actual_target, expected_target = ZERO, target
            else:
                actual_target = round_amount(target * e.invoiced / e.quantity)
                expected_target = target - actual_target
            delta_actual = actual_target - e.actual
            delta_expected = expected_target - e.expected
            if delta_actual or delta_expected:
                result.append(Adjustment(e.entry_no, delta_actual, delta_expected))
                e.actual += delta_actual
                e.expected += delta_expected
        if self.item.costing_method != CostingMethod.AVERAGE:
            result.extend(self._rounding())
        return result

    def _rounding(self) -> list[Adjustment]:
        """4.7: a fully applied, completely invoiced inbound entry must come back to exactly zero value."""
        result = []
        for e in self.entries.values():
            if not e.positive or e.open or not e.completely_invoiced:
                continue
            outflows = self.outflows.get(e.entry_no)
            if not outflows:
                continue
            value = e.cost
            for outbound_no, quantity in outflows.items():
                part = self.parts.get((outbound_no, e.entry_no))
                if part is None:
                    out = self.entries[outbound_no]
                    part = -round_amount(self.target.get(outbound_no, out.cost)) * quantity / -out.quantity
                value -= part
            residual = round_amount(value)
            if residual:
                result.append(Adjustment(e.entry_no, -residual, ZERO, rounding=True))
                e.actual -= residual
        return result


# ------------------------------------------------------------------------------------------------------ running


@dataclass
class AdjustReport:
    items_adjusted: list[str] = field(default_factory=list)
    value_entries: list[ValueEntry] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    gl_entries: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "items_adjusted": len(self.items_adjusted),
            "adjustment_value_entries": len(self.value_entries),
            "adjusted_amount": str(
                sum((v.cost_amount_actual + v.cost_amount_expected for v in self.value_entries), ZERO)
            ),
            "gl_entries": len(self.gl_entries),
            "errors": [{"item": item, "error": error} for item, error in sorted(self.errors.items())],
        }


def items_to_adjust(items: Sequence[str] | None = None, *, online: bool = False) -> list[str]:
    qs = Item.objects.filter(cost_is_adjusted=False, excluded_from_cost_adjustment=False)
    if online:
        qs = qs.filter(allow_online_adjustment=True)
    if items:
        qs = qs.filter(no__in=items)
    return list(qs.order_by("no").values_list("no", flat=True))


def adjust_cost(
    items: Sequence[str] | None = None,
    *,
    post_to_gl: bool | None = None,
    user=None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
    online: bool = False,
) -> AdjustReport:
    """Adjust Cost - Item Entries for the given items (default: every item whose cost is not adjusted).

    Commits per batch of items, so a failure loses one batch, not the run. An item whose computation fails is
    reported with its error and left unadjusted; the others go on.
    """
    setup = InventorySetup.get()
    if post_to_gl is None:
        post_to_gl = setup.automatic_cost_posting
    todo = items_to_adjust(items, online=online)
    report = AdjustReport()
    done = 0

    def advanced(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(min(done, len(todo)), len(todo))

    def adjust_items(level_items: list[str]) -> None:
        batches = [level_items[start : start + batch_size] for start in range(0, len(level_items), batch_size)]
        if len(batches) > 1 and not connection.in_atomic_block:
            _pipelined(batches, setup, post_to_gl, user, report, advanced)
            return
        for batch, read in _read_ahead(batches):
            with gc_paused(), transaction.atomic():
                _adjust_batch(batch, setup, post_to_gl, user, report, read)
            advanced(len(batch))

    # Production hook (production/services.py): items level by level (components first); after each level the
    # finished orders of the next level get their output cost (order level, 4.1) before their items are adjusted.
    from production.services import adjust_by_level

    adjust_by_level(todo, adjust_items, only=items, setup=setup, post_to_gl=post_to_gl, user=user, report=report)
    return report


def adjust_in_posting(item_nos: Sequence[str], *, setup: InventorySetup, user=None) -> AdjustReport:
    """Automatic cost adjustment at posting, inside the posting's transaction (4.2)."""
    report = AdjustReport()
    todo = items_to_adjust(item_nos, online=True)
    if todo:
        _adjust_batch(todo, setup, setup.automatic_cost_posting, user, report)
    return report


def _adjust_batch(
    item_nos: list[str], setup: InventorySetup, post_to_gl: bool, user, report: AdjustReport, read: _Read | None = None
) -> None:
    """Compute first, then lock and write: the counter lock is held only for the write, not for the computation.

    The computation reads without the lock (``read``: the batch's rows, read ahead by ``_read_ahead`` or here), so
    postings (and other Adjust Cost batches on other items) go on while it runs; that is what lets item batches run
    side by side on several workers. Under the lock the batch checks what changed since it read: the ledgers'
    counters (every posting advances the value entry and item ledger entry counters before it commits, and numbers
    entries above the committed values) and the items' own rows. An item with entries numbered past the mark, or
    whose row changed, is computed again under the lock; an item another run has adjusted meanwhile is left to it.
    So the result is exactly what computing under the lock would have given.
    """
    if read is None:
        read = _read(item_nos)
    if read.items:
        _write_batch(read, _plan(read, setup), setup, post_to_gl, user, report)


def _write_batch(
    read: _Read, planned: dict[str, tuple | str], setup: InventorySetup, post_to_gl: bool, user, report: AdjustReport
) -> None:
    """The locked part of a batch (``_adjust_batch``): check what changed since ``read``, compute that again, write."""
    if not read.items:
        return
    items = read.items
    _load_last_direct(planned)  # before the lock: value entries do not change once written
    numbers = NumberBlock(["item_register", "value_entry"])  # the lock: no posting commits from here on
    fresh = _unadjusted_items(list(items))
    stale = {no for no in fresh if _item_key(fresh[no]) != _item_key(items[no])}
    if _committed_counters() != read.mark:
        stale |= _items_posted_since(read.mark, list(fresh))
    planned = {no: plan for no, plan in planned.items() if no in fresh}
    if stale:
        replanned = _plan(_read(sorted(stale)), setup)
        _load_last_direct(replanned)
        planned.update(replanned)
    gate = PostingGate()
    register = None
    created: list[ValueEntry] = []
    done: list[str] = []
    for item_no in sorted(planned):
        plan = planned[item_no]
        if isinstance(plan, str):
            report.errors[item_no] = plan
            continue
        costs, adjustments = plan
        item = fresh[item_no]
        if adjustments and register is None:
            register = ItemRegister(no=numbers.next("item_register"), source_code=SOURCE_CODE, user=user)
        for adj in adjustments:
            created.append(_value_entry(adj, costs.entries[adj.entry_no], item, numbers, register, gate))
        done.append(item_no)
    if register is not None:
        register.from_value_entry_no = created[0].entry_no
        register.to_value_entry_no = created[-1].entry_no
        register.save(force_insert=True)
    numbers.save()
    # Production hook: an adjusted consumption or output entry's value entry keeps its order and produced item.
    from production.services import stamp_order_fields

    stamp_order_fields(created)
    # COPY, as posting writes its entries (core.bulk): a full run writes hundreds of thousands of adjustment entries.
    copy_insert(ValueEntry, created)
    _mark_adjusted(done, fresh)
    report.items_adjusted.extend(done)
    report.value_entries.extend(created)
    if created:
        if post_to_gl:
            from costing import gl_posting

            posted = gl_posting.post_value_entries(created, method=gl_posting.PER_ENTRY, user=user, setup=setup)
            report.gl_entries.extend(posted.gl_entries)
        else:
            queue_value_entries(created[0].entry_no, created[-1].entry_no, setup)


def _pipelined(
    batches: list[list[str]],
    setup: InventorySetup,
    post_to_gl: bool,
    user,
    report: AdjustReport,
    advanced: Callable[[int], None],
) -> None:
    """Batches in three stages at once, each on a connection of its own: the next batch's rows are read
    (``_read_ahead``), this batch is computed (here), the previous batch is written (a thread of its own).

    Computing is Python's time, reading and writing mostly PostgreSQL's (COPY, the index and summary upkeep, the
    updates of ``_mark_adjusted``): on two cores the write of one batch runs while the next is computed instead of
    after it. Each write is its own transaction, as in the sequential path, and checks under the counter lock what
    committed since its batch was read (the batch before it included, which only touched other items). Writes stay
    in order, and the progress is reported after each has committed. Outside a transaction only, as ``_read_ahead``.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def write(read: _Read, planned: dict[str, tuple | str]) -> None:
        with transaction.atomic():
            _write_batch(read, planned, setup, post_to_gl, user, report)

    def settle(pending) -> None:
        future, count = pending
        future.result()  # a failed write stops the run here, with the batches before it committed
        advanced(count)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="adjust-write") as pool:
        pending = None
        try:
            with gc_paused():
                for batch, read in _read_ahead(batches):
                    planned = _plan(read, setup) if read.items else {}
                    if pending is not None:
                        settle(pending)
                    pending = (pool.submit(write, read, planned), len(batch))
                settle(pending)
        finally:
            # After the write in flight, if the loop stopped early: the thread's connection only.
            pool.submit(connections.close_all).result()


def _unadjusted_items(item_nos: Sequence[str]) -> dict[str, Item]:
    return {i.no: i for i in Item.objects.filter(no__in=item_nos, cost_is_adjusted=False)}


def _item_key(item: Item) -> tuple:
    """What of an item's own row the computation and the entries it writes depend on."""
    return (
        item.costing_method,
        item.unit_cost,
        item.inventory_posting_group_id,
        item.gen_prod_posting_group_id,
        item.excluded_from_cost_adjustment,
    )


def _committed_counters() -> tuple:
    """The last committed numbers of the inventory ledgers. A posting numbers its entries past these, so an entry
    numbered past a mark read before a computation was not seen by it."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(max(last) FILTER (WHERE name = 'value_entry'), 0), "
            "coalesce(max(last) FILTER (WHERE name = 'item_ledger_entry'), 0) "
            "FROM core_counter WHERE name IN ('value_entry', 'item_ledger_entry')"
        )
        return tuple(cur.fetchone())


def _items_posted_since(mark: tuple, item_nos: list[str]) -> set[str]:
    """Items of ``item_nos`` with a value entry or an item ledger entry numbered past ``mark`` (committed since). A
    new application entry always comes with a new item ledger entry of the same item, a revaluation, invoice or item
    charge with a new value entry; both scans are primary-key ranges over the entries posted since the mark."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT item_no FROM costing_value_entry WHERE entry_no > %s AND item_no = ANY(%s)
            UNION
            SELECT item_no FROM costing_item_ledger_entry WHERE entry_no > %s AND item_no = ANY(%s)
            """,
            [mark[0], item_nos, mark[1], item_nos],
        )
        return {no for (no,) in cur.fetchall()}


@dataclass
class _Read:
    """What a batch computes from, read without the counter lock: the counters' committed values before the read
    (``mark``), the batch's unadjusted items, their entries and applications."""

    mark: tuple
    items: dict[str, Item]
    entries: dict[int, _Ile]
    applications: list


def _read(item_nos: Sequence[str]) -> _Read:
    mark = _committed_counters()
    items = _unadjusted_items(item_nos)
    if not items:
        return _Read(mark, items, {}, [])
    with transaction.atomic(), connection.cursor() as cur:
        # The batch's entries come back sorted and grouped: in memory, not in temporary files (the default work_mem
        # spilled about 10 MB per batch to disk at 1,000,000 lines).
        cur.execute("SET LOCAL work_mem = '64MB'")
        entries, applications = _load(list(items))
    return _Read(mark, items, entries, applications)


def _read_ahead(batches: list[list[str]]):
    """Yield each batch with its rows, the next batch's rows being read meanwhile on a connection of their own.

    Reading a batch is mostly PostgreSQL's time, computing it mostly Python's: on two cores the two overlap. Only
    outside a transaction (a caller's open transaction holds rows another connection could not see, so inside one
    each batch reads its own rows, in its own transaction, as before).
    """
    if len(batches) < 2 or connection.in_atomic_block:
        for batch in batches:
            yield batch, None
        return
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def read_and_release(batch):
        try:
            return _read(batch)
        finally:
            connections.close_all()  # this thread's connection only (connections are per thread)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="adjust-read") as pool:
        ahead = pool.submit(read_and_release, batches[0])
        for n, batch in enumerate(batches):
            read = ahead.result()
            if n + 1 < len(batches):
                ahead = pool.submit(read_and_release, batches[n + 1])
            yield batch, read


def _plan(read: _Read, setup: InventorySetup) -> dict[str, tuple | str]:
    """Each item's computed costs and adjustments, or the error that stopped its computation (one failing item must
    not stop the others)."""
    items, entries, applications = read.items, read.entries, read.applications
    per_item: dict[str, dict[int, _Ile]] = defaultdict(dict)
    for e in entries.values():
        per_item[e.item][e.entry_no] = e
    item_of = {no: e.item for no, e in entries.items()}
    apps_per_item: dict[str, list] = defaultdict(list)
    for app in applications:
        apps_per_item[item_of[app[0]]].append(app)
    planned: dict[str, tuple | str] = {}
    for item_no in sorted(items):
        try:
            costs = _ItemCosts(items[item_no], per_item.get(item_no, {}), apps_per_item.get(item_no, []), setup)
            adjustments = costs.adjustments()
            planned[item_no] = (costs, adjustments)
        except Exception as exc:  # noqa: BLE001 - one failing item must not stop the others
            log.exception("cost adjustment failed for item %s", item_no)
            planned[item_no] = f"{type(exc).__name__}: {exc}"
    return planned


def _load_last_direct(planned: dict[str, tuple | str]) -> None:
    """The posting date and document no. of each adjusted entry's last direct cost value entry, which date and name
    its adjustment entries (``_value_entry``). Read for the entries that get an adjustment only, after the
    computation: reading them with every entry of the batch was a primary-key probe per item ledger entry, a million
    scattered reads of the value entries in a full run at 1,000,000 lines for some 180,000 adjustments. Read by the
    write (``_write_batch``), on the writer's connection in a pipelined run, not by the computation."""
    entries: list[_Ile] = []
    for plan in planned.values():
        if not isinstance(plan, str):  # an item whose computation failed has its error instead
            costs, adjustments = plan
            entries.extend(costs.entries[adj.entry_no] for adj in adjustments)
    wanted = {e.last_direct_ve for e in entries if e.last_direct_ve}
    if not wanted:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT entry_no, posting_date, document_no FROM costing_value_entry WHERE entry_no = ANY(%s)",
            [sorted(wanted)],
        )
        direct = {ve_no: (posting_date, document_no) for ve_no, posting_date, document_no in cur.fetchall()}
    for e in entries:
        if e.last_direct_ve in direct:
            e.last_direct_date, e.last_direct_document = direct[e.last_direct_ve]


def _value_entry(
    adj: Adjustment, e: _Ile, item: Item, numbers: NumberBlock, register: ItemRegister, gate: PostingGate
) -> ValueEntry:
    if adj.rounding:
        wanted = e.last_invoice_date or e.last_direct_date or e.posting_date
        entry_type, valued = ValueEntryType.ROUNDING, Decimal(1)
    else:
        wanted = e.last_direct_date or e.posting_date
        entry_type, valued = ValueEntryType.DIRECT_COST, e.quantity
    total = adj.actual + adj.expected
    return new_row(
        ValueEntry,
        entry_no=numbers.next("value_entry"),
        item_ledger_entry_id=e.entry_no,
        item_id=item.no,
        item_ledger_entry_type=e.entry_type,
        entry_type=entry_type,
        posting_date=gate.first_allowed(wanted),
        valuation_date=e.valuation_date or e.posting_date,
        document_no=e.last_direct_document or "ADJUST",
        adjustment=True,
        expected_cost=adj.actual == 0 and adj.expected != 0,
        valued_quantity=valued,
        cost_per_unit=abs(round_amount(total / valued)) if valued else ZERO,
        cost_amount_actual=adj.actual,
        cost_amount_expected=adj.expected,
        applies_to_entry=e.last_direct_ve,
        valued_by_average_cost=item.costing_method == CostingMethod.AVERAGE and not e.positive,
        location_id=e.location,
        inventory_posting_group_id=item.inventory_posting_group_id,
        gen_bus_posting_group_id=e.gen_bus,
        gen_prod_posting_group_id=item.gen_prod_posting_group_id,
        source_code=SOURCE_CODE,
        register_id=register.no,
    )


def _mark_adjusted(item_nos: list[str], items: dict[str, Item]) -> None:
    if not item_nos:
        return
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE costing_avg_cost_adjmt_entry_point SET cost_is_adjusted = true "
            "WHERE item_no = ANY(%s) AND NOT cost_is_adjusted",
            [item_nos],
        )
        cur.execute(
            "UPDATE costing_item_ledger_entry SET applied_entry_to_adjust = false "
            "WHERE item_no = ANY(%s) AND applied_entry_to_adjust",
            [item_nos],
        )
        cur.execute(
            """
            UPDATE costing_item i SET cost_is_adjusted = true, allow_online_adjustment = true,
                   last_adjusted_at = now(),
                   unit_cost = CASE WHEN i.costing_method = 'average' AND t.q > 0 AND t.v >= 0
                                    THEN round(t.v / t.q, 5) ELSE i.unit_cost END
              FROM (SELECT it.no, coalesce(sum(t.quantity), 0) AS q, coalesce(sum(t.cost), 0) AS v
                      FROM costing_item it LEFT JOIN costing_avg_cost_total t ON t.item_no = it.no
                     WHERE it.no = ANY(%s) GROUP BY it.no) t
             WHERE i.no = t.no
            """,
            [item_nos],
        )
