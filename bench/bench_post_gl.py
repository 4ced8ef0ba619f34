"""Post Inventory Cost to G/L over the generated ledger's queue, per posting group and per entry, each next to the
PostgreSQL floor.

    python bench/bench_post_gl.py [--lines 100000] [--items 10000] [--batch 5000] [--seed 1]
                                  [--template DB] [--keep]

Creates a database of its own (``<DATABASE_URL's name>_bench_post_gl_<pid>``), generates ``--lines`` journal lines with
bench/generate.py (automatic cost posting is off in the benchmark company, so every value entry with an amount waits
in the Post Value Entry to G/L queue; expected cost posting is on), copies it (CREATE DATABASE ... TEMPLATE), then:

* ``post_gl_per_group``: ``run_post_inventory_cost_to_gl(method=per_posting_group)`` in the first database;
* ``post_gl_per_entry``: ``run_post_inventory_cost_to_gl(method=per_entry)`` in the copy.

Floor of each: in one rolled-back transaction, read the queued value entries once and write what the run wrote (copies
of its G/L transactions, G/L entries and G/L - item ledger relations, constraints and the balance check included), mark
as many value entries posted and empty the queue. Peak RSS is the process's VmHWM, reset before each step. Targets on
1,000,000 value entries: per posting group <= 30 s, per entry <= 90 s. A smaller run is also extrapolated linearly in
value entries to 1,000,000 and labelled so. Prints a table; records ``post_gl_per_group`` and ``post_gl_per_entry``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from benchdb import PeakRSS, admin, bench_database, database_url, floor_copy, load_average  # noqa: E402

TARGETS = {"post_gl_per_group": 30, "post_gl_per_entry": 90}
TARGET_VALUE_ENTRIES = 1_000_000


def one(sql: str, params=()) -> tuple:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def post_gl_floor(queued: tuple[int, int], gl: tuple, tx: tuple, register_no: int) -> float:
    from costing.models import GLItemLedgerRelation
    from ledger.models import GLEntry, GLRegister, GLTransaction

    # The copies go under a copy of the run's register: the database accepts G/L transactions and entries only under
    # a register their own database transaction wrote (ledger/migrations/sql/balance_check_once.sql).
    return floor_copy(
        [
            (GLRegister, "no = %s", [register_no], ("no",)),
            (GLTransaction, "no BETWEEN %s AND %s", list(tx), ("no", "register_no")),
            (GLEntry, "entry_no BETWEEN %s AND %s", list(gl), ("entry_no", "transaction_no", "register_no")),
            # The run's relation rows are those of its G/L entries (keyed by value entry and G/L entry).
            (GLItemLedgerRelation, "gl_entry_no BETWEEN %s AND %s", list(gl), ("gl_entry_no", "gl_register_no")),
        ],
        read_sql=[
            (
                "SELECT v.* FROM costing_value_entry v WHERE v.entry_no BETWEEN %s AND %s",
                list(queued),
            ),
        ],
        write_sql=[
            # As many value entries marked posted as the run marked: their rows of posted amounts, copied into a
            # temporary table like costing_value_entry_gl_posting (the real one holds them already, keyed by entry).
            (
                "CREATE TEMP TABLE floor_posted (LIKE costing_value_entry_gl_posting INCLUDING ALL) ON COMMIT DROP",
                [],
            ),
            (
                "INSERT INTO floor_posted SELECT p.* FROM costing_value_entry_gl_posting p "
                "WHERE p.value_entry_no IN (SELECT DISTINCT value_entry_no FROM costing_gl_item_ledger_relation "
                "WHERE gl_entry_no BETWEEN %s AND %s)",
                list(gl),
            ),
        ],
    )


def run_step(name: str, method: str) -> dict:
    from costing.gl_posting import PER_POSTING_GROUP, run_post_inventory_cost_to_gl

    queued = one("SELECT count(*), min(value_entry_no), max(value_entry_no) FROM costing_post_value_entry_to_gl")
    before = one(
        "SELECT (SELECT coalesce(max(entry_no), 0) FROM ledger_gl_entry), "
        "(SELECT coalesce(max(no), 0) FROM ledger_gl_transaction)"
    )
    PeakRSS.reset()
    started = time.perf_counter()
    report = run_post_inventory_cost_to_gl(
        method=method, document_no="BN-INVTCOST" if method == PER_POSTING_GROUP else None
    )
    seconds = time.perf_counter() - started
    peak = PeakRSS.mb()
    load = load_average()
    after = one("SELECT (SELECT max(entry_no) FROM ledger_gl_entry), (SELECT max(no) FROM ledger_gl_transaction)")
    gl = (before[0] + 1, after[0])
    tx = (before[1] + 1, after[1])
    floor = post_gl_floor((queued[1], queued[2]), gl, tx, report.register_no)
    figures = {
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor, 2),
        "peak_rss_mb": peak,
        "queued_value_entries": queued[0],
        "posted_value_entries": report.posted_value_entries,
        "gl_entries": gl[1] - gl[0] + 1,
        "skipped": len(report.skipped),
        "load_average": load,
    }
    print(
        f"  {name}: {figures['posted_value_entries']:,} value entries posted as {figures['gl_entries']:,} G/L entries "
        f"in {seconds:.1f} s (floor {floor:.1f} s), peak RSS {peak} MB, load {load}",
        flush=True,
    )
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--template", help="copy this already generated database instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the databases at the end")
    args = parser.parse_args(argv)

    with bench_database("bench_post_gl", keep=args.keep, template=args.template) as url:
        import generate
        from django.db import connection, connections
        from record import record

        from costing.gl_posting import PER_ENTRY, PER_POSTING_GROUP

        generation = None
        if not args.template:
            print(f"Generating {args.lines:,} lines over {args.items:,} items ...", flush=True)
            started = time.perf_counter()
            generate.run(args.lines, args.items, args.batch, args.seed, report=None)
            generation = round(time.perf_counter() - started, 1)
        entries = one("SELECT count(*) FROM costing_value_entry")[0]
        print(f"{entries:,} value entries in the ledger", flush=True)

        # The per-entry run gets a copy of the database as it is now.
        name = connection.settings_dict["NAME"]
        copy = f"{name}_entry"
        connections.close_all()
        admin(database_url(), f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        results = {}
        try:
            results["post_gl_per_group"] = run_step("post_gl_per_group", PER_POSTING_GROUP)
            connections.close_all()
            connection.settings_dict["NAME"] = copy
            results["post_gl_per_entry"] = run_step("post_gl_per_entry", PER_ENTRY)
        finally:
            connections.close_all()
            connection.settings_dict["NAME"] = name
            if not args.keep:
                admin(url, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

        scale = TARGET_VALUE_ENTRIES / entries
        print()
        print(f"{'step':<22} {'value entries':>13} {'seconds':>8} {'floor s':>8} {'target s':>8} {'peak MB':>8}")
        for step, f in results.items():
            print(f"{step:<22} {f['queued_value_entries']:>13,} {f['seconds']:>8.1f} {f['floor_seconds']:>8.1f} "
                  f"{'':>8} {f['peak_rss_mb']:>8}")  # fmt: skip
            if entries < TARGET_VALUE_ENTRIES:
                f["extrapolated_seconds_at_1m_linear"] = round(f["seconds"] * scale, 1)
                f["extrapolated_floor_seconds_at_1m_linear"] = round(f["floor_seconds"] * scale, 1)
                print(f"{'  extrapolated (linear)':<22} {TARGET_VALUE_ENTRIES:>13,} "
                      f"{f['extrapolated_seconds_at_1m_linear']:>8.1f} "
                      f"{f['extrapolated_floor_seconds_at_1m_linear']:>8.1f} {TARGETS[step]:>8} {'':>8}")  # fmt: skip
        print(f"load average {load_average()}")
        for step, f in results.items():
            load = f.pop("load_average")
            f["target_seconds_at_1m"] = TARGETS[step]
            record(step, f, lines=args.lines, items=args.items, seed=args.seed, value_entries=entries,
                   generation_seconds=generation, load_average=load, cpu_count=os.cpu_count())  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
