"""A pure-Python reference model of Costbook's costing and posting, for the T5 state machine (docs/reliability.md).

Scope, on purpose: FIFO, LIFO and Standard items at one (blank) location, automatic cost posting off, expected-cost
posting off or on (a test run each), revaluation of FIFO and LIFO receipts by entry. It models the books *at the
fixpoint* (after Adjust Cost and Post Inventory Cost to G/L have both run):

* FIFO application in Business Central's order: the open inbound entry with the earliest posting date first, entries
  of one date in entry order (a back-dated receipt is sold first); LIFO the other way round, the latest posting date
  (then the latest entry) first; a sale or negative adjustment beyond the stock stays open (negative inventory) and
  the next receipt or return closes it, in the same order; the books are compared when nothing is left open;
* a receipt is a cost source: its cost is quantity x unit cost (expected until invoiced, actual once invoiced; an
  invoice at a changed price replaces the expected cost with quantity x the invoiced unit cost), plus its item charges
  (actual);
* an outbound entry (sale, negative adjustment) costs the sum, over its applications, of the applied quantity x the
  inbound entry's cost per unit, all actual (it is invoiced);
* a revaluation (costing reference 4.6) of an invoiced FIFO or LIFO receipt on a date D revalues its revaluable
  quantity: what remained of it on D, counting only the applications that exist when it is posted and are dated on or
  before D (an application is dated like its outbound entry, or like the receipt where the receipt came later and
  closed it); its amount is that quantity x (the new unit cost - the unit cost on D: the receipt's cost so far per
  unit plus the earlier revaluations). It reaches an outbound entry, which then costs its amount per revalued unit
  more, unless the outbound entry was posted before it and is dated on or before D (4.6's table, scenarios A-F); it
  is actual cost, on Inventory against Inventory Adjmt. 7270;
* a sales return with exact cost reversal (``applies_from_entry``) returns a whole sale at that sale's cost;
* a cancelled document (costing.cancel) gets a correction entry at its entry's cost, both ways round: a receipt
  nothing was taken from goes back out at its whole cost (expected while not invoiced; a Standard item's mirrors what
  was paid and its variance), a sale comes back in as stock at its cost (as a return); neither entry takes anything
  afterwards (no invoice, charge or return);
* a Standard item (costing reference 4.5) is valued at its standard cost: a receipt at quantity x standard cost
  (expected until invoiced, actual once invoiced), whatever it was bought at; the invoiced price less the standard
  is its purchase variance, and an item charge is all variance (its direct cost and a variance entry of the opposite
  amount). Its outbound entries cost the standard, as every inbound entry they can apply to does;
* to the G/L (per account): inventory 2130 carries every actual cost; the balancing account is COGS 7290 for
  sales and returns, Direct Cost Applied 7291 for purchases and their charges and invoices, Inventory Adjmt. 7270 for
  negative adjustments; a Standard item's purchase credits Direct Cost Applied with what was paid (invoiced price and
  charges) and Purchase Variance 7293 takes the difference to the standard; a revaluation's amount goes to
  Inventory Adjmt. 7270, and a cancelled receipt's correction takes it back from there;
* with Expected Cost Posting to G/L, a receipt's expected cost (until it is invoiced) on Inventory (Interim) 2131
  against Invt. Accrual Acc. (Interim) 5530.

The state machine chooses amounts so that every cost per unit is a whole number of cents (charges are a per-unit
amount x the receipt's quantity, returns take back whole sales that applied to a single receipt), so the model is exact
in Decimal with no rounding rule of its own: a difference of one cent is a real finding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
INVENTORY, COGS, DIRECT_COST_APPLIED, INVENTORY_ADJMT = "2130", "7290", "7291", "7270"
PURCHASE_VARIANCE = "7293"
INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM = "2131", "5530"


@dataclass
class Revaluation:
    """A revaluation of a receipt (4.6)."""

    seq: int  # the number of item ledger entries posted before it: an outbound entry with a key below was earlier
    day: date
    quantity: Decimal  # the revalued quantity
    unit_delta: Decimal  # the new unit cost less the unit cost it had on ``day``

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_delta

    def reaches(self, outbound: Entry) -> bool:
        """Scenarios A-F of 4.6: all but a decrease posted before it and dated on or before its date."""
        return outbound.key >= self.seq or outbound.posting_date > self.day


@dataclass
class Entry:
    """An item ledger entry as the model sees it."""

    key: int  # the model's own number, in posting order (= the database's entry order)
    item: str
    kind: str  # purchase | sale | negative_adjmt | return
    posting_date: date
    quantity: Decimal  # with the stock direction: inbound > 0, outbound < 0
    remaining: Decimal = ZERO
    unit_cost: Decimal = ZERO  # purchases: the (expected or invoiced) direct unit cost
    invoiced: bool = True
    charges: Decimal = ZERO
    applications: list[tuple[int, Decimal, date]] = field(default_factory=list)  # outbound: (inbound key, qty, date)
    returns_sale: int | None = None  # return: the sale it reverses
    returned: bool = False  # sale: already returned
    standard_cost: Decimal | None = None  # purchase of a Standard item: its standard cost
    corrects: int | None = None  # correction: the entry it cancels
    cancelled: bool = False  # has a correction
    invoice_day: date | None = None  # purchase: the day it was invoiced
    revaluations: list[Revaluation] = field(default_factory=list)  # purchase: its revaluations, in posting order

    @property
    def inbound(self) -> bool:
        return self.quantity > 0


class Model:
    def __init__(self):
        self.entries: list[Entry] = []
        self.items: list[str] = []
        self.standard_costs: dict[str, Decimal] = {}  # the Standard items and their standard cost
        self.lifo_items: set[str] = set()
        self.expected_cost_posting = False  # the setup's Expected Cost Posting to G/L

    # ----------------------------------------------------------------------------------------------- postings

    def on_hand(self, item: str) -> Decimal:
        return sum((e.quantity for e in self.entries if e.item == item), ZERO)

    def receipt(self, item: str, day: date, quantity: Decimal, unit_cost: Decimal, *, invoiced: bool) -> Entry:
        entry = Entry(len(self.entries), item, "purchase", day, quantity, quantity, unit_cost, invoiced)
        entry.standard_cost = self.standard_costs.get(item)
        entry.invoice_day = day if invoiced else None
        self.entries.append(entry)
        self._close_open_outbound(entry)
        return entry

    def _application_order(self, item: str) -> list[Entry]:
        """The item's entries in application order: posting date, then entry; the latest first for LIFO."""
        mine = [e for e in self.entries if e.item == item]
        return sorted(mine, key=lambda e: (e.posting_date, e.key), reverse=item in self.lifo_items)

    def _close_open_outbound(self, inbound: Entry) -> None:
        """Stock arriving (a receipt, a return) closes the item's open outbound entries (negative inventory) in
        application order, as far as it goes."""
        for outbound in self._application_order(inbound.item):
            if inbound.remaining == 0:
                break
            if outbound.inbound or outbound.remaining >= 0:
                continue
            take = min(inbound.remaining, -outbound.remaining)
            inbound.remaining -= take
            outbound.remaining += take
            outbound.applications.append((inbound.key, take, max(inbound.posting_date, outbound.posting_date)))

    def cancel(self, key: int, day: date) -> Entry:
        """Cancel a receipt nothing was taken from, or a sale applied in full: a correction entry the other way."""
        original = self.entries[key]
        assert not original.cancelled and original.corrects is None
        if original.inbound:
            assert original.kind == "purchase" and original.remaining == original.quantity
            original.remaining = ZERO
            entry = Entry(len(self.entries), original.item, "correction", day, -original.quantity)
        else:
            assert original.kind == "sale" and original.remaining == 0 and not original.returned
            entry = Entry(len(self.entries), original.item, "correction", day, -original.quantity, -original.quantity)
        original.cancelled = True
        entry.corrects = key
        self.entries.append(entry)
        if entry.inbound:
            self._close_open_outbound(entry)
        return entry

    def open_outbound(self) -> bool:
        """Is any outbound entry still waiting for stock? Its cost is then not final (its open part keeps the item's
        unit cost of the moment of posting), so the model has no figure to compare."""
        return any(e.remaining < 0 for e in self.entries)

    def invoice(self, key: int, unit_cost: Decimal, day: date) -> None:
        entry = self.entries[key]
        assert entry.kind == "purchase" and not entry.invoiced
        entry.unit_cost, entry.invoiced, entry.invoice_day = unit_cost, True, day

    def charge(self, key: int, amount: Decimal) -> None:
        self.entries[key].charges += amount

    def outbound(self, item: str, day: date, quantity: Decimal, kind: str) -> Entry:
        """A sale or negative adjustment of ``quantity`` (> 0): FIFO by posting date, then entry; LIFO in the reverse
        order. What the open inbound entries do not cover stays open (negative inventory) until stock arrives."""
        entry = Entry(len(self.entries), item, kind, day, -quantity)
        need = quantity
        for inbound in self._application_order(item):
            if need == 0:
                break
            if not inbound.inbound or inbound.remaining <= 0:
                continue
            take = min(need, inbound.remaining)
            inbound.remaining -= take
            entry.applications.append((inbound.key, take, day))
            need -= take
        entry.remaining = -need
        self.entries.append(entry)
        return entry

    def sales_return(self, sale_key: int, day: date) -> Entry:
        sale = self.entries[sale_key]
        assert sale.kind == "sale" and not sale.returned
        sale.returned = True
        entry = Entry(len(self.entries), sale.item, "return", day, -sale.quantity, -sale.quantity)
        entry.returns_sale = sale_key
        self.entries.append(entry)
        self._close_open_outbound(entry)
        return entry

    def revaluable_quantity(self, key: int, day: date) -> Decimal:
        """What remained of a receipt on ``day``, counting the applications that exist now and are dated on or before
        it (a decrease posted later, even back-dated, does not lower it)."""
        receipt = self.entries[key]
        used = sum(
            (q for e in self.entries for k, q, on in e.applications if k == key and on <= day),
            ZERO,
        )
        return receipt.quantity - used

    def revalue(self, key: int, day: date, unit_cost: Decimal) -> Decimal:
        """Revalue an invoiced FIFO/LIFO receipt to ``unit_cost`` on ``day`` (on or after its own dates and its earlier
        revaluations'); the amount posted (0: nothing is posted)."""
        receipt = self.entries[key]
        assert receipt.kind == "purchase" and receipt.invoiced and receipt.standard_cost is None
        assert not receipt.cancelled and all(r.day <= day for r in receipt.revaluations)
        quantity = self.revaluable_quantity(key, day)
        assert quantity > 0
        before = self._base_unit(receipt) + sum((r.unit_delta for r in receipt.revaluations), ZERO)
        revaluation = Revaluation(len(self.entries), day, quantity, unit_cost - before)
        if revaluation.amount:
            receipt.revaluations.append(revaluation)
        return revaluation.amount

    # ----------------------------------------------------------------------------------------------- costs

    @staticmethod
    def _base_unit(receipt: Entry) -> Decimal:
        """A FIFO/LIFO receipt's cost per unit without its revaluations (expected or actual)."""
        return (receipt.quantity * receipt.unit_cost + receipt.charges) / receipt.quantity

    def _unit_cost(self, inbound: Entry, outbound: Entry) -> Decimal:
        """What a unit of ``inbound`` costs ``outbound``: the revaluations that reach it included."""
        if inbound.kind == "purchase" and inbound.standard_cost is None:
            reached = (r.unit_delta for r in inbound.revaluations if r.reaches(outbound))
            return self._base_unit(inbound) + sum(reached, ZERO)
        actual, expected = self.cost(inbound)
        return (actual + expected) / inbound.quantity

    def cost(self, entry: Entry) -> tuple[Decimal, Decimal]:
        """(actual, expected) cost of an entry at the fixpoint, with the value direction (outbound negative)."""
        if entry.kind == "purchase" and entry.standard_cost is not None:
            standard = entry.quantity * entry.standard_cost
            return (standard, ZERO) if entry.invoiced else (ZERO, standard)
        if entry.kind == "purchase":
            direct = entry.quantity * entry.unit_cost
            revalued = sum((r.amount for r in entry.revaluations), ZERO)
            return (direct + entry.charges + revalued, ZERO) if entry.invoiced else (entry.charges, direct)
        if entry.kind == "return":
            actual, expected = self.cost(self.entries[entry.returns_sale])
            return -actual, -expected
        if entry.kind == "correction":
            actual, expected = self.cost(self.entries[entry.corrects])
            return -actual, -expected
        total = ZERO
        for key, quantity, _on in entry.applications:
            total += quantity * self._unit_cost(self.entries[key], entry)
        return -total, ZERO

    # ----------------------------------------------------------------------------------------------- figures

    def valuation(self) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
        """Per item: (quantity on hand, actual cost, expected cost)."""
        out: dict[str, list[Decimal]] = {item: [ZERO, ZERO, ZERO] for item in self.items}
        for entry in self.entries:
            actual, expected = self.cost(entry)
            row = out[entry.item]
            row[0] += entry.quantity
            row[1] += actual
            row[2] += expected
        return {item: tuple(v) for item, v in out.items()}

    def gl_balances(self) -> dict[str, Decimal]:
        """Balance per G/L account that the model's entries move. Expected cost (receipts not invoiced; outbound
        entries are always invoiced here) is posted only with Expected Cost Posting to G/L: to Inventory (Interim)
        against Invt. Accrual Acc. (Interim), and reversed there when the receipt is invoiced."""
        balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
        balancing = {"purchase": DIRECT_COST_APPLIED, "sale": COGS, "return": COGS, "negative_adjmt": INVENTORY_ADJMT}
        for entry in self.entries:
            actual, expected = self.cost(entry)
            # A correction books what its entry booked, the other way round (sign -1).
            source, sign = (self.entries[entry.corrects], -1) if entry.kind == "correction" else (entry, 1)
            if self.expected_cost_posting and expected:
                assert source.kind == "purchase", "only receipts carry expected cost in the model"
                balances[INVENTORY_INTERIM] += expected
                balances[INVT_ACCRUAL_INTERIM] -= expected
            balances[INVENTORY] += actual
            if source.kind == "purchase" and source.standard_cost is not None:
                paid = (source.quantity * source.unit_cost if source.invoiced else ZERO) + source.charges
                balances[DIRECT_COST_APPLIED] -= sign * paid
                balances[PURCHASE_VARIANCE] += sign * paid - actual
                continue
            revalued = sign * sum((r.amount for r in source.revaluations), ZERO)
            balances[INVENTORY_ADJMT] -= revalued
            balances[balancing[source.kind]] -= actual - revalued
        return dict(balances)
