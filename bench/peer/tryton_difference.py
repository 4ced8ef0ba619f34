"""Where Tryton's stock value and its stock account part, step by step (the note under "Side by side with Tryton").

    var/tryton/venv/bin/python bench/peer/tryton_difference.py --workload bench/results/workload-1000000.jsonl \
        [--limit 3000] [--batch 500] [--template costbook_peer_tryton] [--keep]

`make bench-peer` ends with Tryton's stock value (``product.cost_value`` at the warehouse) and its stock account's
balance a few thousand apart. This script loads the first ``--limit`` moves of the same workload into a copy of the
initialised Tryton database (only the items those moves name, so the set-up is quick), the way tryton_load.py does,
and compares the two after each step that could part them:

    loaded        the moves created and done (each done move posts its account move at the move's cost price)
    receipt       the back-dated receipt done, then product.recompute_cost_price of its product from its date
    recomputed    product.recompute_cost_price from the start of the products whose value and account part by a cent
                  or more (every product would take long: 0.14 s a product of 7 moves to 2.3 s one of 67 in the
                  runs measured, tryton_load.py times it)

At each step it reads, per product, the stock value and the stock account's lines whose account move comes from one of
the product's stock moves or from the product itself (a recompute's revaluation), and prints the difference in all, by
Tryton costing method, and the products that carry the most of it. It times nothing: it explains the semantics the
benchmark compares (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
CENT = Decimal("0.01")
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import benchdb  # noqa: E402  (stdlib only at import: Tryton's venv can load it)
from tryton_load import in_transaction, move_values, setup_company  # noqa: E402
from workload import TRYTON_METHOD, backdated_receipt, stream  # noqa: E402


def small_workload(path: str, limit: int) -> Path:
    """The first ``limit`` moves of ``path`` and only the items they name, as a workload file of their own."""
    header, _, moves = stream(path)
    first = list(islice(moves, limit))
    named = {m.item for m in first} | {backdated_receipt(header, first).item}
    header = dict(header, items=[i for i in header["items"] if i["no"] in named])
    fd, name = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    out = Path(name)
    with out.open("w") as f:
        f.write(json.dumps(header) + "\n")
        for m in first:
            f.write(json.dumps(m.__dict__) + "\n")
    return out


def admin(sql: str) -> None:
    """Run ``sql`` (CREATE or DROP DATABASE) on the server of Tryton's configuration."""
    from trytond.config import config

    benchdb.admin(config.get("database", "uri"), sql)


def gaps(pool, s: dict, methods: dict[int, str]) -> tuple[dict[int, tuple[Decimal, Decimal]], dict[str, Decimal]]:
    """Per product id: (stock value at the warehouse today, the stock account's lines from its moves and from
    account moves whose origin is the product); and the stock account's lines from other origins, by model."""
    from trytond.transaction import Transaction

    Product = pool.get("product.product")
    with Transaction().set_context(locations=[s["warehouse"]], stock_date_end=date.today()):
        values = {v["id"]: v["cost_value"] or Decimal(0) for v in Product.read(list(methods), ["cost_value"])}
    cur = Transaction().connection.cursor()
    cur.execute(
        "SELECT m.product, sum(l.debit - l.credit) FROM account_move_line l"
        " JOIN account_move a ON a.id = l.move"
        " JOIN stock_move m ON a.origin = 'stock.move,' || m.id"
        " WHERE l.account = %s GROUP BY m.product",
        (s["stock_account"],),
    )
    booked = dict(cur.fetchall())
    # Stock account lines whose account move comes from no stock move: by the origin's model, and per product where
    # the origin is one.
    cur.execute(
        "SELECT coalesce(split_part(a.origin, ',', 1), '(none)'), a.origin, sum(l.debit - l.credit)"
        " FROM account_move_line l JOIN account_move a ON a.id = l.move"
        " WHERE l.account = %s AND (a.origin IS NULL OR a.origin NOT LIKE 'stock.move,%%')"
        " GROUP BY 1, 2",
        (s["stock_account"],),
    )
    other: dict[str, Decimal] = defaultdict(Decimal)
    for model, origin, amount in cur.fetchall():
        if model == "product.product" and int(origin.split(",")[1]) in methods:
            pid = int(origin.split(",")[1])
            booked[pid] = booked.get(pid, 0) + amount
        else:
            other[model] += Decimal(amount)
    return {p: (values[p], Decimal(booked.get(p, 0))) for p in methods}, dict(other)


def report(step: str, read: tuple, before: tuple | None, methods: dict[int, str], names: dict[int, str]) -> None:
    now, other = read
    value = sum(v for v, _ in now.values())
    booked = sum(b for _, b in now.values()) + sum(other.values())
    print(f"\n{step}: stock value {value:,.2f}, stock account {booked:,.2f}, difference {value - booked:,.2f}")
    for model, amount in sorted(other.items()):
        print(f"  account moves from {model}: {amount:,.2f} on the stock account, no product's")
    by_method: dict[str, list] = defaultdict(lambda: [Decimal(0), 0, 0])
    for p, (v, b) in now.items():
        row = by_method[methods[p]]
        row[0] += v - b
        row[1] += abs(v - b) >= CENT / 2
        row[2] += 1
    for method, (diff, parted, count) in sorted(by_method.items()):
        print(f"  {method:<8} {diff:>12,.2f}  on {parted:,} of {count:,} products")
    base = before[0] if before is not None else {p: (Decimal(0), Decimal(0)) for p in now}
    moved = {p: (now[p][0] - now[p][1]) - (base[p][0] - base[p][1]) for p in now}
    moved = {p: d for p, d in moved.items() if abs(d) >= CENT / 2}
    print(f"  changed by this step: {sum(moved.values()):,.2f} on {len(moved):,} products")
    for p, d in sorted(moved.items(), key=lambda kv: -abs(kv[1]))[:5]:
        v, b = now[p]
        print(f"    {names[p]:<10} {methods[p]:<8} {d:>12,.2f}  (value {v:,.2f}, account {b:,.2f})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", required=True)
    parser.add_argument("--limit", type=int, default=3_000, help="load the first N moves (default 3000)")
    parser.add_argument("--template", default="costbook_peer_tryton", help="the database trytond-admin initialised")
    parser.add_argument("--database", default="costbook_peer_tryton_difference")
    parser.add_argument("--config", default=str(HERE.parent.parent / "var" / "tryton" / "trytond.conf"))
    parser.add_argument("--batch", type=int, default=500, help="moves per create + do call (tryton_load.py's 500)")
    parser.add_argument("--keep", action="store_true", help="keep the database for a look of one's own")
    args = parser.parse_args(argv)

    os.environ.setdefault("TRYTOND_CONFIG", args.config)
    from trytond.config import config

    config.update_etc(args.config)
    from trytond.pool import Pool

    path = small_workload(args.workload, args.limit)
    admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{args.database}" TEMPLATE "{args.template}"')
    try:
        header, _, moves = stream(path)
        pool = Pool(args.database)
        pool.init()
        db = args.database
        s = in_transaction(db, {}, lambda: setup_company(pool, header))
        ctx = s["context"]
        names = {pid: no for no, pid in s["products"].items()}
        methods = {s["products"][i["no"]]: TRYTON_METHOD[i["method"]] for i in header["items"]}
        Move = pool.get("stock.move")
        Product = pool.get("product.product")

        def do(values):
            Move.do(Move.create(values))

        while chunk := list(islice(moves, args.batch)):
            in_transaction(db, ctx, lambda c=chunk: do([move_values(s, m) for m in c]))
        loaded = in_transaction(db, ctx, lambda: gaps(pool, s, methods))
        report(
            f"loaded ({args.limit:,} moves in calls of {args.batch:,}, {len(methods):,} products)",
            loaded,
            None,
            methods,
            names,
        )

        receipt = backdated_receipt(header, stream(path)[2])
        in_transaction(db, ctx, lambda: do([move_values(s, receipt)]))
        in_transaction(
            db,
            ctx,
            lambda: Product.recompute_cost_price(
                [Product(s["products"][receipt.item])], start=date.fromisoformat(receipt.day)
            ),
        )
        after_receipt = in_transaction(db, ctx, lambda: gaps(pool, s, methods))
        report(f"receipt ({receipt.item}, {receipt.day}, recomputed from then)", after_receipt, loaded, methods, names)

        parted = [p for p, (v, b) in after_receipt[0].items() if abs(v - b) >= CENT / 2]
        in_transaction(db, ctx, lambda: Product.recompute_cost_price(Product.browse(parted)))
        recomputed = in_transaction(db, ctx, lambda: gaps(pool, s, methods))
        report(f"recomputed ({len(parted):,} products, from the start)", recomputed, after_receipt, methods, names)
    finally:
        path.unlink()
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
