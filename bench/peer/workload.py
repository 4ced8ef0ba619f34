"""The workload both systems load: the items and the logical stock moves of one bench/generate.py run.

bench/bench_scale.py posts generate.py's journal lines through Costbook's posting service and, line by line, writes
the stock move each one is to a JSON-lines file with this module (``Writer``); bench/peer/tryton_load.py reads the
same file (``read``) and makes the same moves in Tryton. So both sides get the same items, quantities, dates, unit
costs and order, from the same seed. Pure Python: it is imported by the project's venv and by Tryton's.

The mapping (a journal line -> a move between Tryton location kinds):

    purchase, quantity > 0        supplier   -> LOC        unit cost = the line's direct unit cost
    purchase, quantity < 0        LOC        -> supplier   (return to vendor)
    sale, quantity > 0            LOC        -> customer
    sale, quantity < 0            customer   -> LOC        (sales return; Tryton takes the product's cost price)
    transfer                      LOC        -> NEW LOC
    positive_adjmt                lost_found -> LOC        unit cost = the line's unit cost
    negative_adjmt                LOC        -> lost_found

Costing methods: fifo -> fifo, average -> average; Tryton has no LIFO, Standard or Specific method, so lifo items
load as fifo and standard and specific items as fixed. Receipts or shipments not invoiced yet are plain moves in
Tryton (its stock accounting values a move when it is done, not when it is invoiced). Invoices, item charges and
revaluations posted between batches have no stock move and are not loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

TRYTON_METHOD = {"fifo": "fifo", "average": "average", "lifo": "fifo", "standard": "fixed", "specific": "fixed"}


@dataclass
class Move:
    kind: str  # the journal line's entry type, "return" suffixed for negative quantities
    day: str  # ISO date
    item: str
    quantity: int
    source: str  # a location code (EAST, WEST) or supplier / customer / lost_found
    destination: str
    unit_cost: str | None  # Decimal as text, inbound moves from outside only


def from_line(line) -> Move:
    """The stock move of one costing.posting.JournalLine (duck-typed: no Django import here)."""
    quantity = int(line.quantity)
    loc = line.location
    cost = None if line.unit_cost is None else str(line.unit_cost)
    kind = line.entry_type
    if kind == "purchase":
        if quantity > 0:
            return Move(kind, line.posting_date.isoformat(), line.item, quantity, "supplier", loc, cost)
        return Move("purchase return", line.posting_date.isoformat(), line.item, -quantity, loc, "supplier", None)
    if kind == "sale":
        if quantity > 0:
            return Move(kind, line.posting_date.isoformat(), line.item, quantity, loc, "customer", None)
        return Move("sales return", line.posting_date.isoformat(), line.item, -quantity, "customer", loc, None)
    if kind == "transfer":
        return Move(kind, line.posting_date.isoformat(), line.item, quantity, loc, line.new_location, None)
    if kind == "positive_adjmt":
        return Move(kind, line.posting_date.isoformat(), line.item, quantity, "lost_found", loc, cost)
    if kind == "negative_adjmt":
        return Move(kind, line.posting_date.isoformat(), line.item, quantity, loc, "lost_found", None)
    raise ValueError(f"no stock move for a {kind} line")


class Writer:
    """Writes the items once, then moves batch by batch, to a JSON-lines file."""

    def __init__(self, path, items, seed: int, start: date):
        self.file = open(path, "w")  # noqa: SIM115 - closed by close()
        header = {
            "seed": seed,
            "start": start.isoformat(),
            "items": [{"no": i.no, "method": i.method, "cost": str(i.cost)} for i in items],
        }
        self.file.write(json.dumps(header) + "\n")
        self.count = 0

    def batch(self, lines) -> None:
        for line in lines:
            self.file.write(json.dumps(asdict(from_line(line))) + "\n")
        self.count += len(lines)

    def close(self) -> None:
        self.file.close()


def read(path, limit: int | None = None) -> tuple[dict, list[Move]]:
    """The header (seed, start, items) and the first ``limit`` moves (all when None)."""
    with open(path) as f:
        header = json.loads(f.readline())
        moves = []
        for text in f:
            if limit is not None and len(moves) >= limit:
                break
            moves.append(Move(**json.loads(text)))
    return header, moves


def stream(path) -> tuple[dict, int, Iterator[Move]]:
    """The header, the number of moves and the moves one at a time: a 1,000,000-move workload need not sit in memory
    (tryton_load.py with a budget reads only as far as it gets)."""
    with open(path) as f:
        header = json.loads(f.readline())
        count = sum(1 for _ in f)

    def moves() -> Iterator[Move]:
        with open(path) as f:
            f.readline()
            for text in f:
                yield Move(**json.loads(text))

    return header, count, moves()


def backdated_receipt(header: dict, moves: Iterable[Move]) -> Move:
    """The back-dated receipt both sides post before recomputing cost: 10 more of the first FIFO item received in
    the workload, dated the day after its first receipt, 10 % dearer."""
    methods = {i["no"]: i["method"] for i in header["items"]}
    for m in moves:
        if m.kind == "purchase" and methods[m.item] == "fifo" and m.unit_cost:
            cost = (Decimal(m.unit_cost) * Decimal("1.1")).quantize(Decimal("0.01"))
            later = date.fromordinal(date.fromisoformat(m.day).toordinal() + 1).isoformat()
            return Move("purchase", later, m.item, 10, "supplier", m.destination, str(cost))
    raise ValueError("the workload has no FIFO purchase")
