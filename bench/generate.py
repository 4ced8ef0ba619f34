"""Post N realistic item journal lines through the posting services, in batches, and print the throughput.

    python bench/generate.py --lines 1000000 [--items 10000] [--batch 5000] [--seed 1] [--force]

Works in the database DATABASE_URL names. It sets up its own company there (the demo company's chart of accounts,
locations, posting groups and setups from costing/demo.py, plus ``--items`` items over the five costing methods) and
refuses a database that holds anything else (accounts, items or entries that are not the benchmark's) unless
``--force``. Running it again adds more lines to the same benchmark company.

The lines: a year of posting dates, about 5 % of them back-dated by up to a month (so out of order), two locations.
Each line picks an item and a location; when the stock there is low the line is a purchase (about 3 % of receipts are
not invoiced yet), otherwise mostly a sale (about 3 % shipped, not invoiced), with transfers to the other location,
positive and negative adjustments, purchases, sales returns at the cost of an earlier sale (applies-from entry) and,
for Specific items, purchase returns fixed-applied to their receipt. Specific items always name the receipt they ship
from. Stock is tracked in memory, so inventory stays positive. Between batches a few receipts are invoiced at a
slightly different price, an item charge (freight) is posted on a recent receipt, and every 10th batch revalues an item.

The generator (``Generator``) is also what bench/bench_posting.py posts.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BN"  # item numbers and document numbers of the benchmark company start with this
LOCATIONS = ("EAST", "WEST")
# (costing method, share of the items); inventory posting group and gen. prod. posting group cycle over the three.
METHOD_MIX = (("fifo", 35), ("average", 25), ("standard", 15), ("lifo", 15), ("specific", 10))
GROUPS = (("RESALE", "RETAIL"), ("RAW MAT", "RAW MAT"), ("FINISHED", "MANUFACT"))
CENT = Decimal("0.01")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------- the company


def foreign_data() -> list[str]:
    """What in this database is not the benchmark company's (empty when it is safe to post here)."""
    from costing import demo
    from costing.models import Item, ItemLedgerEntry
    from ledger.models import GLAccount, GLEntry

    found = []
    if Item.objects.exclude(no__startswith=PREFIX).exists():
        found.append("items that are not the benchmark's")
    if ItemLedgerEntry.objects.exclude(document_no__startswith=PREFIX).exists():
        found.append("item ledger entries that are not the benchmark's")
    if GLEntry.objects.exists():
        found.append("G/L entries")
    if GLAccount.objects.exists() and not demo.setup_exists():
        found.append("a chart of accounts that is not the demo company's")
    return found


def ensure_company(item_count: int, seed: int) -> list[BenchItem]:
    """The demo setups (once) and ``item_count`` benchmark items; returns the items as the generator sees them."""
    from django.db import transaction

    from costing import demo
    from costing.models import Item

    with transaction.atomic():
        if not demo.setup_exists():
            demo.build_setup()
        missing = demo.check_setup_complete()
        if missing:
            raise SystemExit(f"The posting setups are incomplete: {', '.join(missing[:5])}")
        items = make_items(item_count, seed)
        existing = set(Item.objects.filter(no__startswith=PREFIX).values_list("no", flat=True))
        # Thousands of plain setup rows: one bulk insert rather than a service call (and its checks) per item; the
        # groups they name were just checked to exist.
        Item.objects.bulk_create(
            [
                Item(
                    no=i.no,
                    description=f"Benchmark item {i.no}",
                    costing_method=i.method,
                    unit_cost=i.cost,
                    standard_cost=i.cost if i.method == "standard" else Decimal("0"),
                    last_direct_cost=i.cost,
                    indirect_cost_percent=Decimal(i.indirect_percent),
                    overhead_rate=Decimal("0"),
                    inventory_posting_group_id=i.inventory_group,
                    gen_prod_posting_group_id=i.product_group,
                )
                for i in items
                if i.no not in existing
            ],
            batch_size=5000,
        )
        # Items of an earlier run keep the costing method they were created with.
        rows = Item.objects.filter(no__in=[i.no for i in items]).values_list("no", "costing_method")
        methods = dict(rows)
    for i in items:
        i.method = methods[i.no]
    return items


@dataclass
class BenchItem:
    no: str
    method: str
    cost: Decimal
    indirect_percent: int
    inventory_group: str
    product_group: str


def make_items(count: int, seed: int) -> list[BenchItem]:
    rng = random.Random(seed)
    weights = [share for _m, share in METHOD_MIX]
    methods = [m for m, _s in METHOD_MIX]
    items = []
    for n in range(1, count + 1):
        inventory_group, product_group = GROUPS[n % len(GROUPS)]
        items.append(
            BenchItem(
                no=f"{PREFIX}{n:06d}",
                method=rng.choices(methods, weights)[0],
                cost=Decimal(rng.randint(50, 250_000)) * CENT,
                indirect_percent=rng.choice((0, 0, 0, 2, 5)),
                inventory_group=inventory_group,
                product_group=product_group,
            )
        )
    return items


# ---------------------------------------------------------------------------------------------------- the lines


@dataclass
class Counts:
    lines: int = 0
    item_ledger_entries: int = 0
    value_entries: int = 0
    invoices: int = 0
    item_charges: int = 0
    revaluations: int = 0
    revaluations_with_nothing_to_revalue: int = 0
    kinds: dict = field(default_factory=dict)


class Generator:
    """Journal lines with an in-memory picture of stock, so that outbound lines find stock to apply to."""

    def __init__(self, items: list[BenchItem], total_lines: int, seed: int, start: date | None = None):
        self.items = items
        self.rng = random.Random(seed)
        self.total = total_lines
        self.start = start or date.today() - timedelta(days=365)
        self.produced = 0
        self.stock: dict[tuple[str, str], int] = {}
        # Specific items: the receipts with what is left of each, per (item, location): [entry_no, remaining].
        self.specific: dict[tuple[str, str], list[list[int]]] = {}
        self.recent_sales: deque = deque(maxlen=2000)  # (entry_no, item, location, quantity)
        self.recent_receipts: deque = deque(maxlen=2000)  # (entry_no, item) of invoiced purchases
        self.uninvoiced: deque = deque(maxlen=5000)  # (entry_no, unit cost) of receipts not invoiced
        self.doc = 0
        self.counts = Counts()
        self.methods = {i.no: i.method for i in items}

    # -- helpers

    def _date(self) -> date:
        day = self.produced * 365 // max(self.total, 1)
        if self.rng.random() < 0.05:
            day = max(0, day - self.rng.randint(1, 30))
        return self.start + timedelta(days=day)

    def _doc(self, kind: str) -> str:
        self.doc += 1
        return f"{PREFIX}-{kind}{self.doc:08d}"

    def _price(self, item: BenchItem) -> Decimal:
        return (item.cost * Decimal(self.rng.randint(95, 105)) / 100).quantize(CENT)

    def _note(self, kind: str) -> None:
        self.counts.kinds[kind] = self.counts.kinds.get(kind, 0) + 1

    # -- one batch

    def batch(self, size: int) -> list:
        lines = []
        rng = self.rng
        while len(lines) < size and self.produced < self.total:
            item = rng.choice(self.items)
            location = rng.choice(LOCATIONS)
            when = self._date()
            roll = rng.random()
            line = None
            if item.method == "specific":
                line = self._specific_outbound(item, location, when, roll)
            elif self.stock.get((item.no, location), 0) >= 5 and roll < 0.78:
                line = self._outbound(item, location, when, roll)
            if line is None:
                line = self._inbound(item, location, when, roll)
            lines.append(line)
            self.produced += 1
        return lines

    def _move(self, item_no: str, location: str, quantity: int) -> None:
        self.stock[(item_no, location)] = self.stock.get((item_no, location), 0) + quantity

    def _specific_outbound(self, item, location, when, roll):
        """A sale (now and then a return to the vendor) naming the receipt it ships from, as Specific requires."""
        from costing.posting import JournalLine

        receipts = [r for r in self.specific.get((item.no, location), ()) if r[1] > 0]
        if not receipts or roll >= 0.75:
            return None
        receipt = self.rng.choice(receipts)
        quantity = self.rng.randint(1, receipt[1])
        receipt[1] -= quantity
        self._move(item.no, location, -quantity)
        if roll < 0.03:
            self._note("purchase return")
            return JournalLine("purchase", when, self._doc("PR"), item.no, Decimal(-quantity), location,
                               applies_to_entry=receipt[0], gen_bus_posting_group="DOMESTIC")  # fmt: skip
        self._note("sale")
        return JournalLine("sale", when, self._doc("S"), item.no, Decimal(quantity), location,
                           applies_to_entry=receipt[0], gen_bus_posting_group="DOMESTIC")  # fmt: skip

    def _outbound(self, item, location, when, roll):
        """Sale, transfer, negative adjustment or a sales return (of an earlier sale, at its cost)."""
        from costing.posting import JournalLine

        rng = self.rng
        on_hand = self.stock[(item.no, location)]
        if roll < 0.60:
            quantity = rng.randint(1, min(on_hand, 40))
            invoiced = Decimal(0) if rng.random() < 0.03 else None
            group = rng.choice(("DOMESTIC", "DOMESTIC", "EU", "EXPORT"))
            self._move(item.no, location, -quantity)
            self._note("sale" if invoiced is None else "shipment not invoiced")
            return JournalLine("sale", when, self._doc("S"), item.no, Decimal(quantity), location,
                               invoiced_quantity=invoiced, gen_bus_posting_group=group)  # fmt: skip
        if roll < 0.68:
            quantity = rng.randint(1, on_hand)
            other = LOCATIONS[1 - LOCATIONS.index(location)]
            self._move(item.no, location, -quantity)
            self._move(item.no, other, quantity)
            self._note("transfer")
            return JournalLine("transfer", when, self._doc("T"), item.no, Decimal(quantity), location,
                               new_location=other)  # fmt: skip
        if roll < 0.72:
            quantity = rng.randint(1, min(on_hand, 3))
            self._move(item.no, location, -quantity)
            self._note("negative adjustment")
            return JournalLine("negative_adjmt", when, self._doc("A"), item.no, Decimal(quantity), location)
        if roll < 0.74 and self.recent_sales:
            index = rng.randrange(len(self.recent_sales))
            entry_no, sold_item, sold_location, sold = self.recent_sales[index]
            if sold == 0:
                return None
            quantity = rng.randint(1, sold)
            self.recent_sales[index] = (entry_no, sold_item, sold_location, sold - quantity)
            self._move(sold_item, sold_location, quantity)
            self._note("sales return")
            return JournalLine("sale", when, self._doc("SR"), sold_item, Decimal(-quantity), sold_location,
                               applies_from_entry=entry_no, gen_bus_posting_group="DOMESTIC")  # fmt: skip
        return None

    def _inbound(self, item, location, when, roll):
        """A purchase (a few only received), now and then a positive adjustment."""
        from costing.posting import JournalLine

        rng = self.rng
        if roll > 0.97 and item.method != "specific":
            quantity = rng.randint(1, 10)
            self._move(item.no, location, quantity)
            self._note("positive adjustment")
            return JournalLine("positive_adjmt", when, self._doc("A"), item.no, Decimal(quantity), location,
                               unit_cost=self._price(item))  # fmt: skip
        quantity = rng.randint(1, 5) if item.method == "specific" else rng.randint(10, 60)
        invoiced = Decimal(0) if rng.random() < 0.03 else None
        group = rng.choice(("DOMESTIC", "DOMESTIC", "EU"))
        self._move(item.no, location, quantity)
        self._note("purchase" if invoiced is None else "receipt not invoiced")
        return JournalLine("purchase", when, self._doc("P"), item.no, Decimal(quantity), location,
                           invoiced_quantity=invoiced, unit_cost=self._price(item),
                           gen_bus_posting_group=group)  # fmt: skip

    def absorb(self, lines: list, result) -> None:
        """Learn the entry numbers a posted batch created: specific receipts, sales, receipts (not) invoiced."""
        self.counts.lines += len(lines)
        self.counts.item_ledger_entries += len(result.item_ledger_entries)
        self.counts.value_entries += len(result.value_entries)
        methods = self.methods
        for entry in result.item_ledger_entries:
            if entry.entry_type == "purchase" and entry.positive:
                if methods[entry.item_id] == "specific":
                    key = (entry.item_id, entry.location_id)
                    self.specific.setdefault(key, []).append([entry.entry_no, int(entry.quantity)])
                if entry.completely_invoiced:
                    self.recent_receipts.append((entry.entry_no, entry.item_id))
                else:
                    self.uninvoiced.append(entry.entry_no)
            elif entry.entry_type == "sale" and not entry.positive and entry.completely_invoiced:
                self.recent_sales.append((entry.entry_no, entry.item_id, entry.location_id, int(-entry.quantity)))
        for key, receipts in self.specific.items():
            if len(receipts) > 8:
                self.specific[key] = [r for r in receipts if r[1] > 0]


def between_batches(gen: Generator, batch_no: int, when: date) -> None:
    """The occasional other postings: vendor invoices for receipts, a freight charge, a revaluation."""
    from core.errors import Conflict
    from costing.models import Item
    from costing.posting import (
        RevaluationLine,
        invoice_item_ledger_entry,
        post_item_charge,
        post_revaluation_journal,
    )

    rng = gen.rng
    for _ in range(min(2, len(gen.uninvoiced))):
        entry_no = gen.uninvoiced.popleft()
        unit = Decimal(rng.randint(100, 100_000)) * CENT
        invoice_item_ledger_entry(entry_no, posting_date=when, document_no=gen._doc("PI"), unit_cost=unit)
        gen.counts.invoices += 1
    if gen.recent_receipts:
        entry_no, _item = rng.choice(gen.recent_receipts)
        amount = Decimal(rng.randint(500, 20_000)) * CENT
        post_item_charge(entry_no, posting_date=when, document_no=gen._doc("FR"), amount=amount)
        gen.counts.item_charges += 1
    if batch_no % 10 == 9 and gen.recent_receipts:
        _entry_no, item_no = rng.choice(gen.recent_receipts)
        item = Item.objects.get(no=item_no)
        unit = (item.unit_cost * Decimal("0.97")).quantize(CENT)
        try:
            post_revaluation_journal(
                [RevaluationLine(item=item_no, posting_date=when, document_no=gen._doc("RV"), unit_cost_revalued=unit)]
            )
            gen.counts.revaluations += 1
        except Conflict:
            # Everything received was sold again before the revaluation date: nothing to revalue, nothing posted.
            gen.counts.revaluations_with_nothing_to_revalue += 1


def run(total: int, item_count: int, batch: int, seed: int, *, extras: bool = True, report=print) -> dict:
    """Post ``total`` lines in batches of ``batch``; returns the figures (lines/s counts only the journal posting)."""
    from costing.posting import post_item_journal

    items = ensure_company(item_count, seed)
    gen = Generator(items, total, seed)
    posting_seconds = 0.0
    started = time.perf_counter()
    batch_no = 0
    while gen.produced < total:
        lines = gen.batch(batch)
        t0 = time.perf_counter()
        result = post_item_journal(lines)
        posting_seconds += time.perf_counter() - t0
        gen.absorb(lines, result)
        if extras:
            between_batches(gen, batch_no, lines[-1].posting_date)
        batch_no += 1
        if report and (batch_no % 10 == 0 or gen.produced >= total):
            elapsed = time.perf_counter() - started
            report(
                f"  {gen.counts.lines:>9,} lines  {elapsed:7.1f} s  "
                f"{gen.counts.lines / posting_seconds:8,.0f} lines/s posting  "
                f"{gen.counts.lines / elapsed:8,.0f} lines/s overall"
            )
    elapsed = time.perf_counter() - started
    return {
        "lines": gen.counts.lines,
        "batch": batch,
        "items": item_count,
        "item_ledger_entries": gen.counts.item_ledger_entries,
        "value_entries": gen.counts.value_entries,
        "invoices": gen.counts.invoices,
        "item_charges": gen.counts.item_charges,
        "revaluations": gen.counts.revaluations,
        "revaluations_with_nothing_to_revalue": gen.counts.revaluations_with_nothing_to_revalue,
        "line_kinds": dict(sorted(gen.counts.kinds.items())),
        "posting_seconds": round(posting_seconds, 2),
        "total_seconds": round(elapsed, 2),
        "lines_per_s_posting": round(gen.counts.lines / posting_seconds) if posting_seconds else None,
        "lines_per_s_overall": round(gen.counts.lines / elapsed) if elapsed else None,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, required=True, help="journal lines to post")
    parser.add_argument("--items", type=int, default=10_000, help="items in the benchmark company (default 10000)")
    parser.add_argument("--batch", type=int, default=5_000, help="lines per posting call (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="post even if the database holds other data")
    args = parser.parse_args(argv)
    if args.lines < 1 or args.items < 1 or args.batch < 1:
        parser.error("--lines, --items and --batch must be positive")
    setup_django()
    from django.conf import settings

    found = foreign_data()
    if found and not args.force:
        print(
            f"Refusing to post into {settings.DATABASES['default']['NAME']}: it holds {'; '.join(found)}. "
            "Use an empty database (or --force).",
            file=sys.stderr,
        )
        return 2
    print(f"Posting {args.lines:,} lines over {args.items:,} items in batches of {args.batch:,} (seed {args.seed})")
    figures = run(args.lines, args.items, args.batch, args.seed)
    print(
        f"Posted {figures['lines']:,} lines ({figures['item_ledger_entries']:,} item ledger entries, "
        f"{figures['value_entries']:,} value entries) in {figures['total_seconds']:.1f} s: "
        f"{figures['lines_per_s_posting']:,} lines/s in post_item_journal, {figures['lines_per_s_overall']:,} lines/s "
        f"overall; {figures['invoices']} invoices, {figures['item_charges']} item charges, "
        f"{figures['revaluations']} revaluations."
    )
    print("Line kinds: " + ", ".join(f"{k} {v:,}" for k, v in figures["line_kinds"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
