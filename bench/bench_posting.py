"""Posting throughput: journal lines per second through post_item_journal, in process, in a fresh database.

    python bench/bench_posting.py [--lines 100000] [--items 10000] [--batches 500,5000] [--seed 42]

Creates a database of its own next to the one DATABASE_URL names (same server, name + "_bench_posting_<pid>"),
migrates it, posts ``--lines`` generated lines (bench/generate.py: a year of dates, 5 % back-dated, all costing
methods, two locations, receipts and shipments not invoiced, transfers, returns) once per batch size, each run into
a company of its own items, and drops the database at the end. Only the post_item_journal calls are timed.

Prints lines/s per batch size and the peak RSS of the process, and writes the figures to
bench/results/<date>-posting.json (and, as every benchmark does, to bench/results/<date>.json through record.py).
The target is 5,000 lines/s on the 2-core benchmark machine; the figure is reported against it, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
TARGET_LINES_PER_S = 5_000


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        saved = ROOT / "var" / "database_url"
        if saved.exists():
            url = saved.read_text().strip()
    if not url:
        raise SystemExit("Set DATABASE_URL (or run through `make bench`, which starts the embedded PostgreSQL).")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin(url: str, sql: str) -> None:
    """CREATE / DROP DATABASE run outside a transaction, from a connection to the server's own database."""
    import psycopg2

    connection = psycopg2.connect(with_database(url, "postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cur:
            cur.execute(sql)
    finally:
        connection.close()


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batches", default="500,5000", help="comma-separated batch sizes (default 500,5000)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]

    base_url = database_url()
    base_name = urlsplit(base_url).path.lstrip("/") or "costbook"
    bench_name = f"{base_name}_bench_posting_{os.getpid()}"
    admin(base_url, f'CREATE DATABASE "{bench_name}"')
    os.environ["DATABASE_URL"] = with_database(base_url, bench_name)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # Debug mode must not keep every query in memory: that would be the RSS we measure.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.DEBUG = False
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Database {bench_name} created and migrated in {time.perf_counter() - started:.1f} s")

        import generate

        runs = []
        for number, batch in enumerate(batches):
            # Each run posts into items of its own (item and document numbers start with B0, B1, ...), so a run
            # never starts with the stock and history of the one before.
            generate.PREFIX = f"B{number}"
            print(f"Posting {args.lines:,} lines over {args.items:,} items in batches of {batch:,} ...", flush=True)
            figures = generate.run(args.lines, args.items, batch, args.seed, extras=False, report=None)
            figures["peak_rss_mib"] = peak_rss_mib()
            runs.append(figures)
            print(
                f"  batch {batch:>5,}: {figures['lines_per_s_posting']:>6,} lines/s in post_item_journal "
                f"({figures['posting_seconds']:.1f} s for {figures['lines']:,} lines, "
                f"{figures['item_ledger_entries']:,} item ledger entries, {figures['value_entries']:,} value entries); "
                f"{figures['lines_per_s_overall']:,} lines/s including line generation; peak RSS "
                f"{figures['peak_rss_mib']} MiB",
                flush=True,
            )
        best = max(r["lines_per_s_posting"] for r in runs)
        verdict = "meets" if best >= TARGET_LINES_PER_S else "is below"
        print(f"Best: {best:,} lines/s, which {verdict} the target of {TARGET_LINES_PER_S:,} lines/s.")
        result = {
            "benchmark": "posting_throughput",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(),
            "target_lines_per_s": TARGET_LINES_PER_S,
            "best_lines_per_s": best,
            "peak_rss_mib": peak_rss_mib(),
            "runs": runs,
        }
        results = BENCH / "results"
        results.mkdir(exist_ok=True)
        path = results / f"{datetime.now(UTC).date().isoformat()}-posting.json"
        path.write_text(json.dumps(result, indent=2, sort_keys=True, default=str) + "\n")
        print(f"Figures written to {path.relative_to(ROOT)}")
        from record import record

        record(
            "posting_throughput",
            {f"lines_per_s_batch_{r['batch']}": r["lines_per_s_posting"] for r in runs}
            | {"peak_rss_mib": result["peak_rss_mib"]},
            lines=args.lines,
            items=args.items,
            seed=args.seed,
        )
        connection.close()
    finally:
        admin(base_url, f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')
        print(f"Database {bench_name} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
