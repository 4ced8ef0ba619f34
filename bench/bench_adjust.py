"""Adjust Cost - Item Entries: a full run over the generated ledger, then the incremental run after one back-dated
item charge, each next to the PostgreSQL floor.

    python bench/bench_adjust.py [--lines 100000] [--items 10000] [--batch 5000] [--seed 1]
                                 [--template DB] [--keep]

Creates a database of its own (``<DATABASE_URL's name>_bench_adjust_<pid>``), generates ``--lines`` journal lines with
bench/generate.py (all costing methods, invoices, item charges and revaluations between batches; automatic cost
adjustment is off in the benchmark company, so every item waits for the run), then:

* ``adjust_full``: ``adjust_cost()`` over every item. Floor: in one rolled-back transaction, read every value entry
  once (grouped by item ledger entry, as the run needs them) and insert as many value entries (copies of the
  adjustment entries the run wrote) with their G/L queue rows, constraints checked.
* ``adjust_incremental``: an item charge on one of the first receipts, dated on the receipt's date (back-dated by
  months, so every later sale of the item must change), then ``adjust_cost()`` again. Floor: read that item's value
  entries and insert as many value entries as the run wrote.

Peak RSS is the process's VmHWM, reset before each step. ``--template DB`` copies an already generated database
instead of generating (CREATE DATABASE ... TEMPLATE), for repeated runs. Targets on 1,000,000 value entries: full
run <= 60 s, incremental <= 2 s, peak memory < 1 GB. A smaller run's full-run figures are also extrapolated linearly
in value entries to 1,000,000 and labelled so; the incremental run does not grow with the ledger (one item).
Prints a table; records ``adjust_full`` and ``adjust_incremental`` through record.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from benchdb import PeakRSS, bench_database, floor_copy, load_average  # noqa: E402

TARGET_FULL_S = 60
TARGET_INCREMENTAL_S = 2
TARGET_PEAK_MB = 1024
TARGET_VALUE_ENTRIES = 1_000_000


def value_entry_count() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM costing_value_entry")
        return cur.fetchone()[0]


def last_value_entry() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(entry_no), 0) FROM costing_value_entry")
        return cur.fetchone()[0]


def read_all_sql(item: str | None = None) -> tuple[str, list]:
    where = "WHERE item_no = %s" if item else ""
    return (
        "SELECT item_ledger_entry_no, sum(cost_amount_actual), sum(cost_amount_expected), min(valuation_date), "
        f"max(entry_no) FROM costing_value_entry {where} GROUP BY item_ledger_entry_no",
        [item] if item else [],
    )


def adjust_floor(first_new: int, last_new: int, item: str | None = None) -> float:
    from costing.models import PostValueEntryToGL, ValueEntry

    return floor_copy(
        [
            (ValueEntry, "entry_no BETWEEN %s AND %s", [first_new, last_new], ("entry_no",)),
            (PostValueEntryToGL, "value_entry_no BETWEEN %s AND %s", [first_new, last_new], ("value_entry_no",)),
        ],
        read_sql=[read_all_sql(item)],
    )


def backdated_charge() -> tuple[str, int]:
    """An item charge on an early, fully applied FIFO receipt, dated on the receipt's date; returns (item, entry)."""
    from django.db import connection

    from costing.posting import post_item_charge

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT e.entry_no, e.item_no, e.posting_date
              FROM costing_item_ledger_entry e JOIN costing_item i ON i.no = e.item_no
             WHERE e.entry_type = 'purchase' AND e.positive AND e.completely_invoiced AND NOT e.open
               AND i.costing_method = 'fifo'
             ORDER BY e.entry_no LIMIT 1
            """
        )
        entry_no, item_no, posting_date = cur.fetchone()
    post_item_charge(entry_no, posting_date=posting_date, document_no="BN-BACKCHARGE", amount=Decimal("123.45"))
    return item_no, entry_no


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--template", help="copy this already generated database instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)

    with bench_database("bench_adjust", keep=args.keep, template=args.template):
        import generate
        from record import record

        from costing.adjustment import adjust_cost

        generation = None
        if not args.template:
            print(f"Generating {args.lines:,} lines over {args.items:,} items ...", flush=True)
            started = time.perf_counter()
            figures = generate.run(args.lines, args.items, args.batch, args.seed, report=None)
            generation = round(time.perf_counter() - started, 1)
            print(f"  {figures['value_entries']:,} value entries in {generation} s", flush=True)
        entries = value_entry_count()
        print(f"{entries:,} value entries in the ledger", flush=True)

        # -- full
        first_new = last_value_entry() + 1
        PeakRSS.reset()
        started = time.perf_counter()
        report = adjust_cost()
        full_s = time.perf_counter() - started
        full_peak = PeakRSS.mb()
        full_rows = len(report.value_entries)
        full_load = load_average()
        if report.errors:
            print(f"  {len(report.errors)} items failed, first: {sorted(report.errors.items())[0]}")
        full_floor = adjust_floor(first_new, last_value_entry())
        print(
            f"  full: {len(report.items_adjusted):,} items, {full_rows:,} adjustment entries in {full_s:.1f} s "
            f"(floor {full_floor:.1f} s), peak RSS {full_peak} MB, load {full_load}",
            flush=True,
        )

        # -- incremental
        item_no, entry_no = backdated_charge()
        first_new = last_value_entry() + 1
        PeakRSS.reset()
        started = time.perf_counter()
        report = adjust_cost()
        incr_s = time.perf_counter() - started
        incr_peak = PeakRSS.mb()
        incr_rows = len(report.value_entries)
        incr_load = load_average()
        incr_floor = adjust_floor(first_new, last_value_entry(), item_no)
        print(
            f"  incremental (item charge on entry {entry_no} of {item_no}, back-dated): "
            f"{len(report.items_adjusted)} item(s), {incr_rows:,} adjustment entries in {incr_s:.2f} s "
            f"(floor {incr_floor:.3f} s), peak RSS {incr_peak} MB",
            flush=True,
        )

        scale = TARGET_VALUE_ENTRIES / entries
        extrapolated = round(full_s * scale, 1)
        extrapolated_floor = round(full_floor * scale, 1)
        print()
        print(f"{'step':<20} {'value entries':>13} {'seconds':>8} {'floor s':>8} {'target s':>8} {'peak MB':>8}")
        print(f"{'adjust_full':<20} {entries:>13,} {full_s:>8.1f} {full_floor:>8.1f} {'':>8} {full_peak:>8}")
        if entries < TARGET_VALUE_ENTRIES:
            print(f"{'  extrapolated (linear)':<20} {TARGET_VALUE_ENTRIES:>13,} {extrapolated:>8.1f} "
                  f"{extrapolated_floor:>8.1f} {TARGET_FULL_S:>8} {'':>8}")  # fmt: skip
        print(f"{'adjust_incremental':<20} {entries:>13,} {incr_s:>8.2f} {incr_floor:>8.3f} {TARGET_INCREMENTAL_S:>8} "
              f"{incr_peak:>8}")  # fmt: skip
        print(f"load average {load_average()}")

        context = {"lines": args.lines, "items": args.items, "seed": args.seed, "cpu_count": os.cpu_count()}
        full = {
            "seconds": round(full_s, 2),
            "floor_seconds": round(full_floor, 2),
            "peak_rss_mb": full_peak,
            "value_entries": entries,
            "adjustment_entries": full_rows,
            "target_seconds_at_1m": TARGET_FULL_S,
        }
        if entries < TARGET_VALUE_ENTRIES:
            full |= {
                "extrapolated_seconds_at_1m_linear": extrapolated,
                "extrapolated_floor_seconds_at_1m_linear": extrapolated_floor,
            }
        record("adjust_full", full, **context, generation_seconds=generation, load_average=full_load)
        record(
            "adjust_incremental",
            {
                "seconds": round(incr_s, 3),
                "floor_seconds": round(incr_floor, 3),
                "peak_rss_mb": incr_peak,
                "value_entries": entries,
                "adjustment_entries": incr_rows,
                "target_seconds": TARGET_INCREMENTAL_S,
            },
            **context,
            change="item charge dated on its receipt's date, on the first fully applied FIFO receipt",
            load_average=incr_load,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
