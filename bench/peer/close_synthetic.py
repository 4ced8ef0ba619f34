"""Tryton's stock.period close at 1,000,000 moves, on a SYNTHETIC move table: load N moves of a workload through
Tryton (as tryton_load.py does), time the close, copy the moves in SQL FACTOR - 1 times, time the close again.

Loading 1,000,000 moves through Tryton's API would take about 7.6 hours here, and its close does not look at what a
move means, only at its product, locations, quantity and date: the copies give it a table of the real size. With
SPREAD=1 each copy moves another product of the workload, so the copies touch every product, as the real workload's
moves do (Tryton's close writes one cache row per product and location). The copies keep their dates, so every one
falls before the period's end: more rows to sum than the real workload has there.

    make bench-peer PEER_LINES=10000   # once: builds var/tryton and the costbook_peer_tryton template
    psql -c 'CREATE DATABASE tryton_syn TEMPLATE costbook_peer_tryton'
    SPREAD=1 var/tryton/venv/bin/python bench/peer/close_synthetic.py tryton_syn \
        bench/results/workload-1000000.jsonl 10000 100
"""

import os
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
db, workload, n_load, factor = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conf = os.path.join(os.getcwd(), "var", "tryton", "trytond.conf")
os.environ.setdefault("TRYTOND_CONFIG", conf)
from trytond.config import config  # noqa: E402

config.update_etc(conf)
import tryton_load as tl  # noqa: E402
from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402
from workload import read  # noqa: E402

header, moves = read(workload, n_load)
pool = Pool(db)
pool.init()
s = tl.in_transaction(db, {}, lambda: tl.setup_company(pool, header))
Move = pool.get("stock.move")
Period = pool.get("stock.period")
ctx = s["context"]
t0 = time.perf_counter()
for start in range(0, len(moves), 500):
    values = [tl.move_values(s, m) for m in moves[start : start + 500]]
    tl.in_transaction(db, ctx, lambda v=values: Move.do(Move.create(v)))
print(f"loaded {len(moves)} moves in {time.perf_counter() - t0:.1f} s", flush=True)
mid = date.fromisoformat(header["start"]) + timedelta(days=182)
ending = (mid.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def close_once(label):
    (pid,) = tl.in_transaction(
        db, ctx, lambda: [p.id for p in Period.create([{"date": ending, "company": s["company"]}])]
    )
    t = time.perf_counter()
    tl.in_transaction(db, ctx, lambda: Period.close([Period(pid)]))
    took = time.perf_counter() - t

    def undo():
        Period.draft([Period(pid)])
        Period.delete([Period(pid)])

    tl.in_transaction(db, ctx, undo)
    print(f"{label}: close {took:.3f} s", flush=True)


def count():
    cur = Transaction().connection.cursor()
    cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE effective_date <= %s), count(DISTINCT product) FROM stock_move",
        (ending,),
    )
    return cur.fetchone()


close_once(f"{tl.in_transaction(db, ctx, count)} moves (all, up to the end)")


def inflate():
    cur = Transaction().connection.cursor()
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'stock_move' AND column_name <> 'id'"
    )
    cols = ", ".join(f'"{c}"' for (c,) in cur.fetchall())
    spread = os.environ.get("SPREAD")
    if spread:
        # Each copy moves another product (the workload's products all share one unit), so the copies touch every
        # product, as the real workload's moves would.
        picked = ", ".join("p.id" if c == '"product"' else f"m.{c}" for c in cols.split(", "))
        cur.execute(
            f"""INSERT INTO stock_move ({cols})
                SELECT {picked} FROM stock_move m CROSS JOIN generate_series(1, %s) g
                  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM product_product) p
                    ON p.rn = (m.id * 7919 + g * 104729) %% (SELECT count(*) FROM product_product)""",
            (factor - 1,),
        )
    else:
        cur.execute(
            f"INSERT INTO stock_move ({cols}) SELECT {cols} FROM stock_move m, generate_series(1, %s) g",
            (factor - 1,),
        )
    cur.execute("ANALYZE stock_move")


t = time.perf_counter()
tl.in_transaction(db, ctx, inflate)
print(f"inflated x{factor} in {time.perf_counter() - t:.1f} s", flush=True)
close_once(f"{tl.in_transaction(db, ctx, count)} moves (SYNTHETIC copies)")
close_once("again")
