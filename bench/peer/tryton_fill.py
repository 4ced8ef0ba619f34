"""Fill the part of the workload Tryton's server API cannot load in a session, with the rows its `stock.move.do` writes.

Tryton posts a few dozen moves a second here, so the 1,000,000-move workload would take it 4.6 to 11.6 hours to load
through its API, and the steps that read the loaded moves (the recompute after a back-dated receipt, the stock
period's close, the stock value) could only ever be timed on the part loaded in the budget. `tryton_load.py
--fill` posts the head of the workload through the API (timed, as always), then runs a ``Filler`` over the middle,
then posts the tail through the API again (timed: Tryton's posting rate on the whole ledger), so that every later step
runs on the whole workload.

``Filler`` does, set-based and untimed, what Tryton 7.0's `stock.move.do` with `account_stock_continental` and
`product_cost_fifo` does for one move a call (trytond/modules/stock/move.py, product_cost_fifo/move.py and
product.py, account_stock_continental/stock.py), move after move in the workload's order:

- the move, done, with the cost price `do` gives it: an Average or FIFO receipt from a supplier moves the product's
  cost price to the new average and takes it; a FIFO shipment is valued at the receipts it consumes, the oldest first
  (``Product.get_fifo_move``: the newest available receipts are set against the storage quantity), and moves the
  product's cost price to the average that is left (``product_cost_price``); a return to the supplier goes out at
  its unit price; every other move into or out of storage takes the product's cost price; a transfer has none;
- the consumed receipts' ``fifo_quantity``;
- its posted account move on the stock journal (number and post number from their sequences, dated the move's day,
  in its period), one line on the stock-in or stock-out account and its counterpart on the stock account, amounts
  rounded to the cent, none when the amount is nil;
- the journal periods the moves open, the products' cost prices at the end, and every id sequence.

Which is why it is exact for one move a call, the way `tryton_difference.py` loads with ``--batch 1``: `do` on 500
moves at once values a sale after a receipt of the same product in the same call at the cost price from before that
receipt (docs/performance.md, "Where Tryton's stock value and stock account part"); the fill does not copy that
effect of batching. `tests/test_peer_fill.py` pins the rules with amounts worked by hand, but cannot run Tryton (its
venv is made by `make bench-peer` only); the check against Tryton is ``python tryton_fill.py --workload W``, which
`make bench-peer` runs before every filled run and records with it: a few items' whole year of the same workload
loaded through the API one move a call, against the same loaded partly through the API and filled, row for row.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from operator import attrgetter

PRICE = Decimal("0.0001")  # product's price_digits (16, 4): round_price
CENT = Decimal("0.01")  # the company currency's rounding


def round_price(value: Decimal) -> Decimal:
    return value.quantize(PRICE)


def round_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass
class Lot:
    """A FIFO receipt still available: what `_get_available_fifo_moves` returns, in its order (date, id)."""

    day: date
    id: int
    quantity: float
    fifo_quantity: float
    cost: Decimal  # move.get_cost_price(): the unit price from a supplier, else the move's cost price

    @property
    def key(self) -> tuple[date, int]:
        return (self.day, self.id)


@dataclass
class Product:
    method: str  # Tryton's: fifo, average, fixed
    cost: Decimal  # product.cost_price
    quantity: float = 0.0  # the storage quantity (every storage location, done moves up to today)
    lots: list[Lot] = field(default_factory=list)  # FIFO receipts with fifo_quantity < quantity, by (date, id)


def new_average(p: Product, unit: Decimal, qty: float, outgoing: bool) -> Decimal:
    """Move._compute_product_cost_price: the product's cost price after a move of ``qty`` into (or out of) storage."""
    q = Decimal(str(-qty if outgoing else qty))
    have = Decimal(str(p.quantity))
    if have + q > 0 and have >= 0:
        return round_price((p.cost * have + unit * q) / (have + q))
    return round_price(unit) if not outgoing else round_price(p.cost)


def consume_fifo(p: Product, qty: float) -> tuple[list[tuple[Lot, float]], Decimal, float]:
    """Product.get_fifo_move and Move._update_fifo_out_product_cost_price: the receipts consumed, their cost, the
    quantity consumed. Walks the available receipts newest first against the storage quantity, as Tryton does."""
    avail = p.quantity
    taken: list[tuple[Lot, float]] = []
    for lot in reversed(p.lots):
        lot_qty = lot.quantity - lot.fifo_quantity
        avail -= lot_qty
        if avail <= qty:
            if avail > 0.0:
                taken.append((lot, min(lot_qty, qty - avail)))
            else:
                taken.append((lot, min(qty, lot_qty + avail)))
                break
    taken.reverse()
    cost = Decimal(0)
    consumed = 0.0
    for lot, q in taken:
        consumed += q
        cost += lot.cost * Decimal(str(q))
    return taken, cost, consumed


class Filler:
    """The simulation and the rows; ``run`` writes them in one transaction."""

    def __init__(self, conn, s: dict, header: dict):
        self.conn = conn
        self.s = s
        from workload import TRYTON_METHOD

        self.methods = {s["products"][i["no"]]: TRYTON_METHOD[i["method"]] for i in header["items"]}
        with conn.cursor() as cur:
            cur.execute("SELECT id, type FROM stock_location")
            self.kind = dict(cur.fetchall())  # location id -> type
            self.storage = [i for i, t in self.kind.items() if t == "storage"]
            cur.execute(
                "SELECT account_stock, account_stock_in, account_stock_out FROM product_category_account "
                "WHERE category = (SELECT account_category FROM product_template WHERE id = "
                "(SELECT template FROM product_product WHERE id = %s))",
                [next(iter(self.methods))],
            )
            self.stock, self.stock_in, self.stock_out = cur.fetchone()
            cur.execute("SELECT stock_journal FROM account_configuration_stock_journal LIMIT 1")
            (self.journal,) = cur.fetchone()
            cur.execute("SELECT id, start_date, end_date FROM account_period WHERE type = 'standard'")
            self.periods = cur.fetchall()
            cur.execute("SELECT p.post_move_sequence FROM account_period p WHERE p.type = 'standard' LIMIT 1")
            (self.post_sequence,) = cur.fetchone()
            cur.execute(
                "SELECT s.sequence FROM account_journal_sequence s WHERE s.journal = %s LIMIT 1", [self.journal]
            )
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT sequence FROM account_journal WHERE id = %s", [self.journal])
                row = cur.fetchone()
            (self.number_sequence,) = row
        self.products: dict[int, Product] = {}
        self.changed: dict[int, Lot] = {}  # receipts whose fifo_quantity the fill changed, by move id

    def period_of(self, day: date) -> int:
        for pid, start, end in self.periods:
            if start <= day <= end:
                return pid
        raise ValueError(f"no open period for {day}")

    def load_state(self) -> None:
        """The products' cost prices, storage quantities and available FIFO receipts, as the API left them."""
        storage = self.storage
        with self.conn.cursor() as cur:
            cur.execute("SELECT product, cost_price FROM product_cost_price WHERE company = %s", [self.s["company"]])
            costs = dict(cur.fetchall())
            for pid, method in self.methods.items():
                self.products[pid] = Product(method, round_price(costs.get(pid) or Decimal(0)))
            cur.execute(
                "SELECT product, SUM(CASE WHEN to_location = ANY(%(s)s) THEN internal_quantity ELSE 0 END)"
                " - SUM(CASE WHEN from_location = ANY(%(s)s) THEN internal_quantity ELSE 0 END)"
                " FROM stock_move WHERE state = 'done' AND effective_date <= CURRENT_DATE GROUP BY product",
                {"s": storage},
            )
            for pid, qty in cur.fetchall():
                if pid in self.products:
                    self.products[pid].quantity = qty
            fifo = [pid for pid, p in self.products.items() if p.method == "fifo"]
            cur.execute(
                "SELECT m.id, m.product, m.effective_date, m.quantity, COALESCE(m.fifo_quantity, 0),"
                " f.type, m.unit_price, m.cost_price FROM stock_move m JOIN stock_location f ON f.id = m.from_location"
                " WHERE m.state = 'done' AND m.product = ANY(%(p)s) AND f.type <> 'storage'"
                " AND m.to_location = ANY(%(s)s) AND m.quantity > COALESCE(m.fifo_quantity, 0)"
                " ORDER BY m.effective_date, m.id",
                {"p": fifo, "s": storage},
            )
            for mid, pid, day, qty, used, from_type, unit_price, cost_price in cur.fetchall():
                bought = from_type in ("supplier", "production")
                self.products[pid].lots.append(
                    Lot(day, mid, qty, used, unit_price if bought else round_price(cost_price))
                )

    def run(self, moves, today: date) -> int:
        """Simulate ``moves`` (workload.Move, in order) and write their rows; returns how many moves it wrote."""
        from tryton_load import move_values

        s = self.s
        company = s["company"]
        currency = s["currency"]
        unit = s["unit"]
        kind = self.kind
        now = datetime.now().isoformat(sep=" ")
        cur = self.conn.cursor()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM stock_move")
        (move_id,) = cur.fetchone()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM account_move")
        (am_id,) = cur.fetchone()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM account_move_line")
        (line_id,) = cur.fetchone()
        cur.execute(f"SELECT last_value, is_called FROM ir_sequence_{self.number_sequence}")
        last, called = cur.fetchone()
        number = last if called else last - 1
        cur.execute(f"SELECT last_value, is_called FROM ir_sequence_{self.post_sequence}")
        last, called = cur.fetchone()
        post_number = last if called else last - 1

        move_rows = io.StringIO()
        am_rows = io.StringIO()
        line_rows = io.StringIO()
        periods_used: set[int] = set()
        filled = 0
        for m in moves:
            filled += 1
            move_id += 1
            v = move_values(s, m)
            pid = v["product"]
            p = self.products[pid]
            src, dst = v["from_location"], v["to_location"]
            ft, tt = kind[src], kind[dst]
            qty = float(v["quantity"])  # a quantity, as Tryton keeps it (double precision): its arithmetic, copied
            day = v["effective_date"]
            unit_price = v["unit_price"]
            cost_price = None
            product_cost_price = None
            incoming = ft != "storage" and tt == "storage"
            outgoing = ft == "storage" and tt != "storage"
            bought = ft in ("supplier", "production")
            if p.method in ("average", "fifo") and incoming and (bought or p.method == "fifo"):
                # a receipt the method averages in (average: from a supplier only; FIFO: from anywhere outside)
                price = unit_price if bought else p.cost
                p.cost = cost_price = new_average(p, price, qty, outgoing=False)
            elif p.method in ("average", "fifo") and outgoing and tt == "supplier":
                p.cost = cost_price = new_average(p, unit_price, qty, outgoing=True)
            elif p.method == "fifo" and outgoing:
                taken, fifo_cost, consumed = consume_fifo(p, qty)
                fifo_cost = fifo_cost / Decimal(str(consumed)) if consumed else p.cost
                average = new_average(p, fifo_cost, qty, outgoing=True)
                for lot, q in taken:
                    lot.fifo_quantity = min(lot.fifo_quantity + q, lot.quantity)
                    self.changed[lot.id] = lot
                cost_price = round_price(fifo_cost) if fifo_cost else average
                product_cost_price = average
                p.cost = average
                if any(lot.quantity - lot.fifo_quantity <= 0 for lot, _ in taken):
                    p.lots[:] = [lot for lot in p.lots if lot.quantity - lot.fifo_quantity > 0]
            elif incoming or outgoing:
                cost_price = p.cost
            # the storage quantity after the move is done
            if incoming:
                p.quantity += qty
            elif outgoing:
                p.quantity -= qty
            if p.method == "fifo" and incoming:
                bisect.insort_right(
                    p.lots, Lot(day, move_id, qty, 0.0, unit_price if bought else cost_price), key=attrgetter("key")
                )
            move_rows.write(
                f"{move_id}\t{company}\t{_n(cost_price)}\t{now}\t0\t{currency}\t{day}\t{src}\t{qty}\t{day}\t{pid}\t"
                f"{_n(product_cost_price)}\t{qty}\tdone\t{dst}\t{unit}\t{unit_price}\tt\t{now}\t0\t0\n"
            )
            # the account move (account_stock_continental): one line on stock in/out, its counterpart on stock
            if not (incoming or outgoing) or (ft, tt) not in ACCOUNTED:
                continue
            price = unit_price if (ft == "supplier" and p.method != "fixed") else cost_price
            amount = round_cent(Decimal(str(qty)) * price)
            if not amount:
                continue
            period = self.period_of(day) if day <= today else self.period_of(today)
            periods_used.add(period)
            am_id += 1
            number += 1
            post_number += 1
            am_rows.write(
                f"{am_id}\t{company}\t{now}\t0\t{day}\t{self.journal}\t{number}\tstock.move,{move_id}\t{period}\t"
                f"{today}\t{post_number}\tposted\t{now}\t0\n"
            )
            if incoming:
                first = (self.stock_in, Decimal(0), amount)  # account, debit, credit
                second = (self.stock, amount, Decimal(0))
            else:
                first = (self.stock_out, amount, Decimal(0))
                second = (self.stock, Decimal(0), amount)
            for account, debit, credit in (first, second):
                line_id += 1
                line_rows.write(f"{line_id}\t{account}\t{now}\t0\t{credit}\t{debit}\t{am_id}\tvalid\n")

        for buf, table, columns in (
            (
                move_rows,
                "stock_move",
                "id, company, cost_price, create_date, create_uid, currency, effective_date, from_location, "
                "internal_quantity, planned_date, product, product_cost_price, quantity, state, to_location, unit, "
                "unit_price, unit_price_updated, write_date, write_uid, fifo_quantity",
            ),
            (
                am_rows,
                "account_move",
                "id, company, create_date, create_uid, date, journal, number, origin, period, post_date, "
                "post_number, state, write_date, write_uid",
            ),
            (line_rows, "account_move_line", "id, account, create_date, create_uid, credit, debit, move, state"),
        ):
            buf.seek(0)
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf)
        # FIFO quantities of the receipts consumed from, filled or loaded through the API.
        finals = io.StringIO()
        for lot in self.changed.values():
            finals.write(f"{lot.id}\t{lot.fifo_quantity!r}\n")
        cur.execute("CREATE TEMP TABLE fill_fifo (id integer PRIMARY KEY, fifo_quantity double precision)")
        finals.seek(0)
        cur.copy_expert("COPY fill_fifo FROM STDIN", finals)
        cur.execute("UPDATE stock_move m SET fifo_quantity = f.fifo_quantity FROM fill_fifo f WHERE m.id = f.id")
        cur.execute(
            "UPDATE product_cost_price c SET cost_price = v.cost, write_date = %s, write_uid = 0"
            " FROM unnest(%s::integer[], %s::numeric[]) AS v(product, cost)"
            " WHERE c.product = v.product AND c.company = %s AND c.cost_price IS DISTINCT FROM v.cost",
            [now, list(self.products), [p.cost for p in self.products.values()], company],
        )
        cur.execute(
            "INSERT INTO account_journal_period (active, create_date, create_uid, journal, period, state)"
            " SELECT true, %s, 0, %s, p, 'open' FROM unnest(%s::integer[]) AS p"
            " WHERE NOT EXISTS (SELECT 1 FROM account_journal_period j WHERE j.journal = %s AND j.period = p)",
            [now, self.journal, sorted(periods_used), self.journal],
        )
        for table in ("stock_move", "account_move", "account_move_line"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cur.execute(f"SELECT setval('ir_sequence_{self.number_sequence}', %s)", [number])
        cur.execute(f"SELECT setval('ir_sequence_{self.post_sequence}', %s)", [post_number])
        self.conn.commit()
        # As after every step of Costbook's run that writes: no dead rows of the FIFO update for the next steps to
        # step over, and statistics for the planner (autovacuum is off on the bench machine).
        self.conn.autocommit = True
        for table in ("stock_move", "account_move", "account_move_line", "account_journal_period"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("VACUUM ANALYZE product_cost_price")
        self.conn.autocommit = False
        return filled


# The (from, to) location types account_stock_continental posts (_get_account_stock_move_type), among those the
# workload has.
ACCOUNTED = {
    ("supplier", "storage"),
    ("storage", "supplier"),
    ("storage", "customer"),
    ("customer", "storage"),
    ("storage", "lost_found"),
    ("lost_found", "storage"),
}


def _n(value) -> str:
    return "\\N" if value is None else str(value)


def add_arguments(parser) -> None:
    """``--fill`` and ``--tail``, the same for run_peer.py (which passes them on) and tryton_load.py (which fills)."""
    parser.add_argument(
        "--fill",
        action="store_true",
        help="after a cut posting, write the moves up to the last --tail as Tryton's do would (tryton_fill.py), then "
        "post the tail through its API: the later steps run on the whole workload",
    )
    parser.add_argument("--tail", type=int, default=10_000, help="moves posted through the API after the fill")


# -- the check: a small workload loaded whole through the API, one move a call, against the same loaded partly and
# filled.

COMPARED = {
    "stock moves": "SELECT id, product, from_location, to_location, quantity, effective_date, trim_scale(cost_price),"
    " trim_scale(product_cost_price), fifo_quantity, state, trim_scale(unit_price) FROM stock_move ORDER BY id",
    "account move lines": "SELECT m.origin, m.date, m.period, m.journal, m.state, m.number, m.post_number, l.account,"
    " trim_scale(l.debit), trim_scale(l.credit), l.state FROM account_move m JOIN account_move_line l ON l.move = m.id"
    " ORDER BY m.id, l.id",
    "product cost prices": "SELECT product, company, trim_scale(cost_price) FROM product_cost_price ORDER BY product",
    "journal periods": "SELECT journal, period, state FROM account_journal_period ORDER BY journal, period",
}


def sample_workload(path: str, items: int, limit: int):
    """A workload of its own with ``items`` of ``path``'s items (taken in turn from each costing method) and their
    moves, in order, up to ``limit``: a whole year of a few items, so that FIFO receipts pile up and get consumed,
    every method is in, and the moves fall in every period."""
    import json
    import os
    import tempfile
    from itertools import islice
    from pathlib import Path

    from workload import stream

    header, _, moves = stream(path)
    by_method: dict[str, list[dict]] = {}
    for item in header["items"]:
        by_method.setdefault(item["method"], []).append(item)
    chosen: list[dict] = []
    while len(chosen) < items and any(by_method.values()):
        for group in by_method.values():
            if group and len(chosen) < items:
                chosen.append(group.pop(0))
    names = {i["no"] for i in chosen}
    fd, name = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    out = Path(name)
    with out.open("w") as f:
        f.write(json.dumps(dict(header, items=chosen)) + "\n")
        for m in islice((m for m in moves if m.item in names), limit):
            f.write(json.dumps(m.__dict__) + "\n")
    return out


def check(workload: str, items: int, limit: int, head: int, tail: int, template: str, keep: bool = False) -> dict:
    """Load ``sample_workload(workload, items, limit)`` into two copies of ``template``: one whole through Tryton's
    API, one move a call; the other ``head`` moves through the API, then filled, then ``tail`` through the API
    again. Returns what differs between the two, table by table (nothing, when the fill writes what `do` writes)."""
    import subprocess
    import sys
    from pathlib import Path

    import psycopg2
    from tryton_load import backend_dsn

    here = Path(__file__).resolve().parent
    config = str(here.parent.parent / "var" / "tryton" / "trytond.conf")
    dsn = backend_dsn(config)
    small = sample_workload(workload, items, limit)
    with small.open() as f:
        limit = sum(1 for _ in f) - 1
    names = {"api": "costbook_fill_check_api", "fill": "costbook_fill_check_fill"}
    admin = psycopg2.connect(dbname="postgres", **dsn)
    admin.autocommit = True
    with admin.cursor() as cur:
        for name in names.values():
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cur.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    common = [sys.executable, str(here / "tryton_load.py"), "--workload", str(small), "--batch", "1", "--post-only"]
    runs = [
        subprocess.Popen([*common, "--database", names["api"]], stdout=subprocess.DEVNULL),
        subprocess.Popen(
            [*common, "--database", names["fill"], "--head", str(head), "--fill", "--tail", str(tail)],
            stdout=subprocess.DEVNULL,
        ),
    ]
    if any(run.wait() for run in runs):
        raise SystemExit("tryton_load.py failed in the check")
    small.unlink()
    result: dict = {
        "items": items,
        "moves": limit,
        "head": head,
        "tail": tail,
        "filled": limit - head - tail,
        "tables": {},
    }
    rows = {}
    for side, name in names.items():
        conn = psycopg2.connect(dbname=name, **dsn)
        with conn.cursor() as cur:
            rows[side] = {}
            for table, sql in COMPARED.items():
                cur.execute(sql)
                rows[side][table] = cur.fetchall()
        conn.close()
    for table in COMPARED:
        api, filled = rows["api"][table], rows["fill"][table]
        differ = [(a, b) for a, b in zip(api, filled, strict=False) if a != b]
        result["tables"][table] = {
            "rows": len(api),
            "rows_filled_side": len(filled),
            "differing": len(differ) + abs(len(api) - len(filled)),
            "first": [[str(a), str(b)] for a, b in differ[:3]],
        }
    result["identical"] = all(t["differing"] == 0 for t in result["tables"].values())
    if not keep:
        with admin.cursor() as cur:
            for name in names.values():
                cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()
    return result


def main(argv: list[str]) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Check the fill against Tryton's own do, row for row.")
    parser.add_argument("--workload", required=True)
    parser.add_argument("--items", type=int, default=30, help="items in the check, taken in turn from each method")
    parser.add_argument("--limit", type=int, default=3000, help="at most so many of their moves")
    parser.add_argument("--head", type=int, default=500, help="moves through the API before the fill")
    parser.add_argument("--tail", type=int, default=200, help="moves through the API after the fill")
    parser.add_argument("--template", default="costbook_peer_tryton")
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    args = parser.parse_args(argv)
    result = check(args.workload, args.items, args.limit, args.head, args.tail, args.template, args.keep)
    for table, t in result["tables"].items():
        print(f"  {table:<20} {t['rows']:>7,} rows, {t['differing']:,} differ", flush=True)
    print(json.dumps(result))
    return 0 if result["identical"] else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
