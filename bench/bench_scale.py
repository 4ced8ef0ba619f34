"""Costbook at scale: every batch step on one generated workload, each next to its PostgreSQL floor.

    .venv/bin/python bench/bench_scale.py [--lines 1000000] [--items 10000] [--batch 5000] [--seed 1]
                                          [--scaleout 1,2,4] [--keep]

In one process: creates the database costbook_peer_scale (same server as DATABASE_URL / var/database_url), migrates
it, posts ``--lines`` generate.py lines (with the invoices, item charges and revaluations between batches) and, as it
goes, writes the stock moves to bench/results/workload-<lines>.jsonl (bench/peer/workload.py) for the Tryton side.
Then, in order: Adjust Cost full, one back-dated item charge + incremental Adjust Cost, one revaluation + incremental
Adjust Cost, the back-dated receipt the Tryton side also posts + incremental Adjust Cost, Post Inventory Cost to G/L
per posting group (and per entry, on a copy of the database taken just before), the reconciliation matrix
(unfiltered, one item, one location), a drill-down's first page and the close test of an inventory period.

Each step gets its floor: plain SQL, in a transaction that is rolled back, that reads the rows the step reads and
writes as many rows as the step writes (copies of existing rows, so the same width and indexes). Peak RSS per step is
the process's VmHWM, reset before the step (/proc/self/clear_refs).

With ``--scaleout`` it then runs Adjust Cost and Post Inventory Cost to G/L (per entry) as Celery groups of item
batches on real workers (``celery -A config worker -c N -I bench.scaleout_tasks``, Redis db 4), each time on a fresh
copy of the database as posted, and compares the books (hash of value entries and of G/L balances) across runs.

Writes bench/results/<date>.json ("scale": {"lines", "machine", "steps", "scaleout"}) through record.py.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

DB = "costbook_peer_scale"
# The scale-out's broker: REDIS_URL's server (default the local one), database 4 of it.
REDIS_URL = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/4"


# ------------------------------------------------------------------------------------------------- plumbing


def base_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url and (ROOT / "var" / "database_url").exists():
        url = (ROOT / "var" / "database_url").read_text().strip()
    return url or "postgresql://root@127.0.0.1:5432/costbook"


def with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(with_db(base_url(), "postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def switch_db(name: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def clone(source: str, target: str) -> None:
    from django.db import connections

    connections.close_all()
    admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def peak_reset() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


STEPS: dict[str, dict] = {}


def step(name: str, fn, floor=None, **extra):
    """Run ``fn`` once (timed, with its peak RSS) after its floor, record and print both."""
    floor_s = None
    if floor is not None:
        t0 = time.perf_counter()
        floor()
        floor_s = time.perf_counter() - t0
        if hasattr(floor, "after"):
            floor.after()
    checkpoint()
    peak_reset()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    rss = peak_rss_mb()
    STEPS[name] = {
        "seconds": round(seconds, 3),
        "floor_seconds": None if floor_s is None else round(floor_s, 3),
        "peak_rss_mb": rss,
    } | extra
    ratio = f"{seconds / floor_s:6.1f}x floor ({floor_s:.3f} s)" if floor_s else "no floor"
    print(f"  {name:<28} {seconds:9.3f} s   {ratio}   peak RSS {rss} MB", flush=True)
    return result


def rolled_back(fn):
    """The floor runs in a transaction that is rolled back, so it leaves nothing behind."""
    from django.db import transaction

    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    run.after = vacuum
    return run


def vacuum() -> None:
    """A rolled-back floor's rows stay as dead tuples in the ledgers and their indexes (autovacuum is off here), under
    the very entry numbers the step then writes: each of its inserts would check the dead row's visibility, and its
    reads would step over them. Vacuumed after the floor, outside both timings, the step finds the ledger as a
    production database would."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def checkpoint() -> None:
    """Write out what the steps before left dirty (a per-entry run on a copy of the database writes gigabytes) before
    the next step starts, so the step does not share the disk and a core with the checkpoint those writes start."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")


_COLUMNS: dict[str, list[str]] = {}


def copy_rows(cur, table: str, key: str, count: int, where: str = "true") -> None:
    """Insert ``count`` copies of existing rows of ``table`` under fresh keys: the write half of a floor."""
    if count <= 0:
        return
    if table not in _COLUMNS:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema = 'public'"
            " ORDER BY ordinal_position",
            [table],
        )
        _COLUMNS[table] = [r[0] for r in cur.fetchall()]
    cols = _COLUMNS[table]
    others = ", ".join(c for c in cols if c != key)
    cur.execute(f"SELECT coalesce(max({key}), 0) FROM {table}")
    top = cur.fetchone()[0]
    # Repeat the existing rows as often as needed (generate_series), numbered after the highest key.
    cur.execute(
        f"INSERT INTO {table} ({key}, {others}) SELECT {top} + row_number() OVER (), {others}"
        f" FROM (SELECT * FROM {table} WHERE {where} LIMIT {count}) t, generate_series(1, %s) g LIMIT {count}",
        [max(1, count)],
    )


def count(cur, sql: str, params=()) -> int:
    cur.execute(sql, params)
    return cur.fetchone()[0]


# ------------------------------------------------------------------------------------------------- the steps


def post_workload(args, workload_path: Path) -> dict:
    """generate.py's lines through post_item_journal, in batches; the moves go to the workload file as well."""
    import generate
    from peer.workload import Writer

    from costing.posting import post_item_journal

    items = generate.ensure_company(args.items, args.seed)
    gen = generate.Generator(items, args.lines, args.seed)
    writer = Writer(workload_path, items, args.seed, gen.start)
    posting = 0.0
    batch_no = 0
    peak_reset()
    started = time.perf_counter()
    while gen.produced < args.lines:
        lines = gen.batch(args.batch)
        writer.batch(lines)
        t0 = time.perf_counter()
        result = post_item_journal(lines)
        posting += time.perf_counter() - t0
        gen.absorb(lines, result)
        generate.between_batches(gen, batch_no, lines[-1].posting_date)
        batch_no += 1
        if batch_no % 20 == 0:
            print(f"    {gen.counts.lines:>9,} lines, {gen.counts.lines / posting:,.0f} lines/s posting", flush=True)
    writer.close()
    total = time.perf_counter() - started
    c = gen.counts
    return {
        "posting_seconds": posting,
        "total_seconds": total,
        "lines": c.lines,
        "ile": c.item_ledger_entries,
        "ve": c.value_entries,
        "invoices": c.invoices,
        "item_charges": c.item_charges,
        "revaluations": c.revaluations,
        "start": gen.start,
        "peak_rss_mb": peak_rss_mb(),
        "recent_receipts": list(gen.recent_receipts),
    }


def inserts_in_one_statement(ile: int, ve: int, apps: int):
    """The floor of earlier runs, kept as a lower bound: the run's item ledger, value and application entries
    inserted as copies, one statement each, nothing read or updated, no queue rows."""
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            copy_rows(cur, "costing_item_ledger_entry", "entry_no", ile)
            copy_rows(cur, "costing_value_entry", "entry_no", ve)
            copy_rows(cur, "costing_item_application_entry", "entry_no", apps)

    return rolled_back(run)


def adjust_floor(items: list[str] | None, writes: int):
    """Read every entry, cost sum and application of the items; write ``writes`` value entries; mark the items."""
    from django.db import connection

    def run():
        cond = "true" if items is None else "item_no = ANY(%s)"
        params = [] if items is None else [items]
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM costing_item_ledger_entry WHERE {cond}", params)
            cur.fetchall()
            cur.execute(
                "SELECT item_ledger_entry_no, sum(cost_amount_actual), sum(cost_amount_expected)"
                f" FROM costing_value_entry WHERE {cond} GROUP BY 1",
                params,
            )
            cur.fetchall()
            cur.execute(
                "SELECT a.* FROM costing_item_application_entry a JOIN costing_item_ledger_entry e"
                f" ON e.entry_no = a.item_ledger_entry_no WHERE {cond.replace('item_no', 'e.item_no')}",
                params,
            )
            cur.fetchall()
            copy_rows(cur, "costing_value_entry", "entry_no", writes)
            cur.execute(
                f"UPDATE costing_item SET cost_is_adjusted = true WHERE {cond.replace('item_no', 'no')}", params
            )

    return rolled_back(run)


def gl_floor(gl_entries: int, relations: int):
    """Read the queue and its value entries; write as many G/L entries and relations as the step wrote, and a row of
    posted amounts per queued value entry; empty the queue. The G/L rows go to temporary copies of the tables (same
    columns and indexes, no triggers), because the ledger's triggers refuse rows that no posting opened."""
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE floor_gl (LIKE ledger_gl_entry INCLUDING ALL) ON COMMIT DROP")
            cur.execute(
                "CREATE TEMP TABLE floor_rel (LIKE costing_gl_item_ledger_relation INCLUDING ALL) ON COMMIT DROP"
            )
            cur.execute(
                "SELECT v.* FROM costing_post_value_entry_to_gl q JOIN costing_value_entry v"
                " ON v.entry_no = q.value_entry_no"
            )
            cur.fetchall()
            cur.execute(
                "INSERT INTO floor_gl (entry_no, transaction_no, register_no, gl_account_id, posting_date, document_no,"
                " external_document_no, description, amount, source_code, system_created, created_at)"
                " SELECT row_number() OVER (), 1, 1, '2130', v.posting_date, v.document_no, '', '',"
                " v.cost_amount_actual, 'INVTPCOST', true, now() FROM costing_post_value_entry_to_gl q"
                " JOIN costing_value_entry v ON v.entry_no = q.value_entry_no, (VALUES (0), (1)) k(k) LIMIT %s",
                [gl_entries],
            )
            cur.execute(
                "INSERT INTO floor_rel (gl_entry_no, gl_register_no, value_entry_no, amount) SELECT g, 1, g, 1"
                " FROM generate_series(1, %s) g",
                [relations],
            )
            # The value entries marked posted: a narrow row each (costing_value_entry_gl_posting, copied without its
            # trigger like the G/L tables above).
            cur.execute(
                "CREATE TEMP TABLE floor_posted (LIKE costing_value_entry_gl_posting INCLUDING ALL) ON COMMIT DROP"
            )
            cur.execute(
                "INSERT INTO floor_posted SELECT v.entry_no, v.cost_amount_actual, v.cost_amount_expected"
                " FROM costing_post_value_entry_to_gl q JOIN costing_value_entry v ON v.entry_no = q.value_entry_no"
            )
            cur.execute("DELETE FROM costing_post_value_entry_to_gl")

    return rolled_back(run)


def matrix_floor(filters):
    """bench_reconciliation.py's floor: a plain SUM over the same value entries (and G/L entries when unfiltered)."""
    from django.db import connection

    from reconciliation.selectors import _gl_where, _ve_where

    where, params = _ve_where(filters)
    gwhere, gparams = _gl_where(filters)

    def run():
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT sum(cost_amount_actual), sum(cost_amount_expected) FROM costing_value_entry WHERE {where}",
                params,
            )
            cur.fetchone()
            if not filters.narrowed:
                cur.execute(f"SELECT sum(g.amount) FROM ledger_gl_entry g WHERE {gwhere}", gparams)
                cur.fetchone()

    return run


def drill_floor():
    """A count and the first 50 value entries on the Inventory account's side, in entry order."""
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), sum(cost_amount_actual) FROM costing_value_entry")
            cur.fetchone()
            cur.execute("SELECT * FROM costing_value_entry ORDER BY entry_no LIMIT 50")
            cur.fetchall()

    return run


def table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        return {
            t: count(cur, f"SELECT count(*) FROM {t}")
            for t in (
                "costing_item_ledger_entry",
                "costing_value_entry",
                "costing_item_application_entry",
                "ledger_gl_entry",
                "costing_gl_item_ledger_relation",
                "costing_post_value_entry_to_gl",
            )
        }


def grew(before: dict, after: dict) -> dict:
    return {k: after[k] - before[k] for k in before}


def books_hash() -> dict:
    """What must not depend on how the work was partitioned: each item's value entries (without their numbers) and
    each G/L account's balance per posting date."""
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT item_no, item_ledger_entry_no, entry_type, posting_date, valuation_date, cost_amount_actual,"
            " cost_amount_expected FROM costing_value_entry ORDER BY 1, 2, 3, 4, 5, 6, 7"
        )
        h = hashlib.sha256()
        n = 0
        for row in cur:
            h.update(repr(row).encode())
            n += 1
        out["value_entries"] = n
        out["value_entries_sha256"] = h.hexdigest()[:16]
        cur.execute("SELECT gl_account_id, posting_date, sum(amount) FROM ledger_gl_entry GROUP BY 1, 2 ORDER BY 1, 2")
        h = hashlib.sha256(repr(cur.fetchall()).encode())
        out["gl_balances_sha256"] = h.hexdigest()[:16]
        cur.execute("SELECT count(*), coalesce(sum(amount), 0) FROM ledger_gl_entry")
        n, total = cur.fetchone()
        out["gl_entries"] = n
        out["gl_sum"] = str(total)
    return out


# ------------------------------------------------------------------------------------------------- scale-out


def scaleout(snapshot: str, workers_list: list[int], args) -> dict:
    """Adjust Cost, then Post Inventory Cost to G/L, as Celery groups of item batches on N real worker processes."""
    import redis
    from celery import group

    sys.path.insert(0, str(ROOT))
    import scaleout_tasks

    # A socket timeout well above the 5-second waits below (a wait that reached the client's own timeout first
    # ended the 1,000,000-line run's scale-out with a TimeoutError).
    r = redis.Redis.from_url(REDIS_URL, socket_timeout=60, socket_connect_timeout=10)
    try:
        r.ping()
    except redis.exceptions.ConnectionError as exc:
        print(f"  scale-out skipped: no Redis at {REDIS_URL} ({exc})", flush=True)
        return {"skipped": f"no Redis at {REDIS_URL}"}
    results = {}
    for workers in workers_list:
        db = f"{DB}_so"
        clone(snapshot, db)
        switch_db(db)
        from costing.models import Item

        items = list(Item.objects.filter(no__startswith="BN").order_by("no").values_list("no", flat=True))
        parts = workers * 4  # a different partition for each worker count
        size = -(-len(items) // parts)
        batches = [items[i : i + size] for i in range(0, len(items), size)]
        env = os.environ | {"DATABASE_URL": with_db(base_url(), db), "REDIS_URL": REDIS_URL}
        log = open(BENCH / "results" / f"scaleout-worker-{workers}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "config",
                "worker",
                "-c",
                str(workers),
                "-P",
                "prefork",
                "-I",
                "bench.scaleout_tasks",
                "-Q",
                "scaleout",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"scaleout{workers}@%h",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            time.sleep(6)  # the workers boot (Django setup) before the clock starts
            figures = {"workers": workers, "batches": len(batches), "items": len(items)}
            for name, task in (("adjust_cost", scaleout_tasks.adjust_batch), ("post_gl", scaleout_tasks.post_gl_batch)):
                key = f"scaleout:{os.getpid()}:{workers}:{name}"
                r.delete(key)
                t0 = time.perf_counter()
                group(task.s(b, key) for b in batches).apply_async(queue="scaleout")
                done, errors = 0, []
                deadline = time.monotonic() + 3600
                while done < len(batches):
                    # Short waits: a long blocking read trips the Redis client's socket timeout.
                    try:
                        got = r.blpop(key, timeout=5)
                    except redis.exceptions.TimeoutError:
                        got = None
                    if got is None:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"scale-out {name} on {workers} workers: unfinished after an hour")
                        continue
                    msg = json.loads(got[1])
                    if msg.get("error"):
                        errors.append(msg["error"])
                    done += 1
                figures[f"{name}_seconds"] = round(time.perf_counter() - t0, 3)
                if errors:
                    figures[f"{name}_errors"] = errors[:3]
                print(
                    f"  scale-out {workers} worker(s): {name} {figures[f'{name}_seconds']:.2f} s "
                    f"({len(batches)} batches){' ERRORS ' + str(errors[:1]) if errors else ''}",
                    flush=True,
                )
            figures["books"] = books_hash()
            results[str(workers)] = figures
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            log.close()
            switch_db(DB)
            from django.db import connections

            connections.close_all()
            admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    hashes = {json.dumps(f["books"], sort_keys=True) for f in results.values()}
    base = results[str(workers_list[0])]
    for f in results.values():
        for name in ("adjust_cost", "post_gl"):
            f[f"{name}_speedup"] = round(base[f"{name}_seconds"] / f[f"{name}_seconds"], 2)
    return {"runs": results, "books_identical": len(hashes) == 1}


# ------------------------------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scaleout", default="", help="worker counts, e.g. 1,2,4 (default: none)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (and the snapshot as posted)")
    parser.add_argument(
        "--rest-lines", type=int, default=20_000, help="lines posted over REST in batches of 500 at the end (0: none)"
    )
    parser.add_argument(
        "--record-as",
        default="scale",
        help='record name in bench/results (default "scale", which also writes the docs table; run_peer.py uses '
        '"scale_peer")',
    )
    args = parser.parse_args(argv)

    url = base_url()
    os.environ["DATABASE_URL"] = with_db(url, DB)
    os.environ["REDIS_URL"] = REDIS_URL  # the Celery client of the scale-out; nothing else here enqueues
    admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    workload = BENCH / "results" / f"workload-{args.lines}.jsonl"
    workload.parent.mkdir(exist_ok=True)
    print(f"Posting {args.lines:,} lines over {args.items:,} items (seed {args.seed}) into {DB} ...", flush=True)
    import bench_posting

    before = table_counts()
    first_register = bench_posting.next_register()
    posted = post_workload(args, workload)
    after = table_counts()
    g = grew(before, after)
    # Posting is timed in post_item_journal only. Its floor is bench_posting's, in batches of the same size: the
    # earlier entries each batch applied to read (with their cost sums) and updated, the batch's entries, queue rows
    # and register inserted, its items, Average totals, counters and entry points read or written
    # (bench_posting.posting_floor; the entries alone are recorded as floor_entries_only_seconds).
    # Statistics first: without them (autovacuum is off here) the floor's reads are planned as scans of the ledger.
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    batches = -(-args.lines // args.batch)
    parts: dict[str, float] = {}
    floor = bench_posting.posting_floor(bench_posting.register_ranges(first_register), batches, parts=parts)
    one_statement = time.perf_counter()
    inserts_in_one_statement(
        g["costing_item_ledger_entry"], g["costing_value_entry"], g["costing_item_application_entry"]
    )()
    one_statement = time.perf_counter() - one_statement
    STEPS["post_inprocess"] = {
        "seconds": round(posted["posting_seconds"], 3),
        "floor_seconds": round(floor, 3),
        "floor_entries_only_seconds": round(floor - sum(parts.values()), 3),
        "floor_parts_seconds": {k: round(v, 3) for k, v in parts.items()},
        "floor_inserts_in_one_statement_seconds": round(one_statement, 3),
        "peak_rss_mb": posted["peak_rss_mb"],
        "lines_per_s": round(posted["lines"] / posted["posting_seconds"]),
        "rows": {k: v for k, v in g.items() if v},
    }
    print(
        f"  post_inprocess {posted['posting_seconds']:.1f} s ({STEPS['post_inprocess']['lines_per_s']:,} lines/s), "
        f"floor {floor:.2f} s (inserts alone, in one statement each: {one_statement:.2f} s); "
        f"{g['costing_value_entry']:,} value entries",
        flush=True,
    )
    # The floors' rolled-back rows are dead tuples in the ledgers and their indexes (autovacuum is off here): without
    # this the steps after would read them (Adjust Cost full took 67.8 s instead of 40-48 s in the run that found it).
    vacuum()
    snapshot = f"{DB}_posted"
    clone(DB, snapshot)

    from costing.adjustment import adjust_cost, items_to_adjust
    from costing.gl_posting import PER_ENTRY, PER_POSTING_GROUP, run_post_inventory_cost_to_gl
    from costing.posting import (
        JournalLine,
        RevaluationLine,
        post_item_charge,
        post_item_journal,
        post_revaluation_journal,
    )

    todo = items_to_adjust()
    b = table_counts()
    # The floor needs the number of rows the step writes; Adjust Cost is run once on a throwaway copy to learn it.
    clone(DB, f"{DB}_probe")
    switch_db(f"{DB}_probe")
    adjust_cost(post_to_gl=False)
    writes = grew(b, table_counts())["costing_value_entry"]
    switch_db(DB)
    admin(f'DROP DATABASE IF EXISTS "{DB}_probe" WITH (FORCE)')
    report = step(
        "adjust_full",
        lambda: adjust_cost(post_to_gl=False),
        adjust_floor(None, writes),
        items=len(todo),
        value_entries_written=writes,
    )
    assert not report.errors, report.errors

    # One back-dated item charge on a receipt half a year back, then incremental Adjust Cost.
    from costing.models import Item, ItemLedgerEntry

    half_year = posted["start"] + timedelta(days=180)
    receipt = (
        ItemLedgerEntry.objects.filter(
            entry_type="purchase",
            positive=True,
            completely_invoiced=True,
            posting_date__lte=half_year,
            item__costing_method="fifo",
        )
        .order_by("-posting_date", "entry_no")
        .first()
    )
    post_item_charge(receipt.entry_no, posting_date=date.today(), document_no="BN-BACKFR", amount=Decimal("250.00"))
    todo = items_to_adjust()
    b = table_counts()
    step(
        "adjust_incremental",
        lambda: adjust_cost(post_to_gl=False),
        adjust_floor(todo, 20),
        trigger="back-dated item charge",
        items=todo,
    )
    STEPS["adjust_incremental"]["value_entries_written"] = grew(b, table_counts())["costing_value_entry"]

    item = Item.objects.get(no=receipt.item_id)
    post_revaluation_journal(
        [
            RevaluationLine(
                item=item.no,
                posting_date=date.today(),
                document_no="BN-BACKRV",
                unit_cost_revalued=(item.unit_cost * Decimal("0.9")).quantize(Decimal("0.01")),
            )
        ]
    )
    todo = items_to_adjust()
    b = table_counts()
    step(
        "adjust_incremental_revaluation",
        lambda: adjust_cost(post_to_gl=False),
        adjust_floor(todo, 20),
        trigger="revaluation",
        items=todo,
    )
    STEPS["adjust_incremental_revaluation"]["value_entries_written"] = grew(b, table_counts())["costing_value_entry"]

    # The back-dated receipt the Tryton side posts before product.recompute_cost_price.
    from peer.workload import backdated_receipt, read

    header, moves = read(workload, limit=50_000)
    m = backdated_receipt(header, moves)
    post_item_journal(
        [
            JournalLine(
                "purchase",
                date.fromisoformat(m.day),
                "BN-BACKP",
                m.item,
                Decimal(m.quantity),
                m.destination,
                unit_cost=Decimal(m.unit_cost),
                gen_bus_posting_group="DOMESTIC",
            )
        ]
    )
    todo = items_to_adjust()
    b = table_counts()
    step(
        "adjust_incremental_receipt",
        lambda: adjust_cost(post_to_gl=False),
        adjust_floor(todo, 20),
        trigger="back-dated receipt (the Tryton comparison's)",
        items=todo,
    )
    STEPS["adjust_incremental_receipt"]["value_entries_written"] = grew(b, table_counts())["costing_value_entry"]

    # Post Inventory Cost to G/L: per entry on a copy, per posting group here (the G/L that the rest reads).
    b = table_counts()
    per_entry_db = f"{DB}_perentry"
    clone(DB, per_entry_db)
    switch_db(per_entry_db)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    queue = b["costing_post_value_entry_to_gl"]
    # Per entry writes two G/L entries and two relations per value entry at most; the floor writes that many.
    # The floor first, sized by a dry count: per entry writes a G/L entry pair and a relation pair per value entry
    # with an amount to post; the actual counts are recorded next to it.
    step("post_gl_per_entry", lambda: run_post_inventory_cost_to_gl(method=PER_ENTRY), None, queue=queue)
    g2 = grew(b, table_counts())
    STEPS["post_gl_per_entry"]["rows"] = {k: v for k, v in g2.items() if v}
    switch_db(DB)
    admin(f'DROP DATABASE IF EXISTS "{per_entry_db}" WITH (FORCE)')
    b = table_counts()
    rep = step(
        "post_gl_per_group",
        lambda: run_post_inventory_cost_to_gl(method=PER_POSTING_GROUP, document_no="BN-INVT"),
        None,
        queue=queue,
    )
    g3 = grew(b, table_counts())
    STEPS["post_gl_per_group"]["rows"] = {k: v for k, v in g3.items() if v}
    del rep
    # Its floor, now that the sizes are known: same reads and writes on the state before (re-queued, rolled back).
    from django.db import transaction

    for name, grown in (("post_gl_per_entry", g2), ("post_gl_per_group", g3)):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO costing_post_value_entry_to_gl (value_entry_no, posting_date, item_no)"
                    " SELECT entry_no, posting_date, item_no FROM costing_value_entry ORDER BY entry_no LIMIT %s",
                    [queue],
                )
            t0 = time.perf_counter()
            gl_floor(grown["ledger_gl_entry"], grown["costing_gl_item_ledger_relation"])()
            STEPS[name]["floor_seconds"] = round(time.perf_counter() - t0, 3)
            transaction.set_rollback(True)
        s = STEPS[name]
        print(f"  {name} floor {s['floor_seconds']} s ({s['seconds'] / s['floor_seconds']:.1f}x)", flush=True)
    vacuum()

    # The reconciliation matrix and a drill-down, as bench_reconciliation.py measures them (median of 3).
    from reconciliation import selectors
    from reconciliation.selectors import Filters

    busiest = Item.objects.filter(no__startswith="BN").order_by("no").first().no
    for name, filters in (
        ("matrix", Filters()),
        ("matrix_item", Filters(item=busiest)),
        ("matrix_location", Filters(location="EAST")),
    ):
        times = []
        for _ in range(3):
            step(name, lambda f=filters: selectors.matrix(f), matrix_floor(filters))
            times.append((STEPS[name]["seconds"], STEPS[name]["floor_seconds"]))
        STEPS[name]["seconds"], STEPS[name]["floor_seconds"] = sorted(times)[1]

    def first_page():
        dd = selectors.drilldown(Filters(), "total", "inventory", "")
        return dd.count, list(dd.queryset[:50])

    step("drilldown", first_page, drill_floor(), page="first 50 rows of Total x Inventory")

    # Close test of the inventory period ending on the last day of the workload's sixth month.
    from periods.selectors import close_test

    mid = posted["start"] + timedelta(days=182)
    ending = (mid.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

    def close_floor():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM costing_item WHERE NOT cost_is_adjusted")
            cur.execute(
                "SELECT item_no, location_code, count(*), sum(remaining_quantity) FROM costing_item_ledger_entry"
                " WHERE posting_date <= %s AND open GROUP BY 1, 2",
                [ending],
            )
            cur.fetchall()
            cur.execute("SELECT count(*) FROM costing_post_value_entry_to_gl WHERE posting_date <= %s", [ending])
            cur.fetchall()
            # What the books' invariant suite, which the close test runs (core.invariants.run_for_close), reads: the
            # period's value entries and G/L entries with their links, the inventory accounts' balances, on-hand
            # quantities per item and location; each read once, summed, as plain SQL.
            cur.execute(
                "SELECT count(*), sum(v.cost_amount_actual), sum(v.cost_amount_expected), sum(p.cost_posted_to_gl)"
                " FROM costing_value_entry v"
                " LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no"
                " WHERE v.posting_date <= %s",
                [ending],
            )
            cur.execute(
                "SELECT gl_account_id, count(*), sum(amount) FROM ledger_gl_entry WHERE posting_date <= %s GROUP BY 1",
                [ending],
            )
            cur.execute("SELECT count(*), count(DISTINCT value_entry_no) FROM costing_gl_item_ledger_relation")
            cur.execute(
                "SELECT item_no, location_code, sum(quantity), sum(remaining_quantity)"
                " FROM costing_item_ledger_entry GROUP BY 1, 2"
            )
            cur.fetchall()

    test = step("close_test", lambda: close_test(ending), close_floor, ending_date=ending.isoformat())
    STEPS["close_test"]["problems"] = len(test.problems)

    if args.rest_lines:
        # REST batches of 500 lines through a real gunicorn, on the ledger as it now stands (bench_posting.py's run).
        import bench_posting

        print(f"Posting {args.rest_lines:,} lines over REST in batches of 500 ...", flush=True)
        checkpoint()
        rest = bench_posting.run_rest(
            with_db(base_url(), DB), args.rest_lines, min(args.items, 1_000), 500, 1, args.seed, prefix="BR"
        )
        STEPS["post_rest"] = {
            "seconds": rest["seconds"],
            "floor_seconds": rest["floor_seconds"],
            "floor_entries_only_seconds": rest["floor_entries_only_seconds"],
            "floor_parts_seconds": rest["floor_parts_seconds"],
            "peak_rss_mb": rest["peak_rss_mb"],
            "lines": rest["lines"],
            "lines_per_s": rest["lines_per_s"],
            "ledger_lines": rest["ledger_lines"],
            "batch": 500,
        }
        print(f"  post_rest {rest['seconds']:.1f} s ({rest['lines_per_s']:,} lines/s), floor {rest['floor_seconds']} s")

    figures = {
        "lines": posted["lines"],
        "machine": machine(),
        "steps": STEPS,
        "workload": {k: posted[k] for k in ("lines", "ile", "ve", "invoices", "item_charges", "revaluations")}
        | {"file": str(workload.relative_to(ROOT)), "start": posted["start"].isoformat()},
    }
    if args.scaleout:
        figures["scaleout"] = scaleout(snapshot, [int(w) for w in args.scaleout.split(",")], args)
    from record import record

    record(args.record_as, figures, items=args.items, batch=args.batch, seed=args.seed, load_average=os.getloadavg())
    if args.record_as == "scale":
        from doctable import write_section

        write_section("bench-scale", doc_table(figures, args))
    (BENCH / "results" / f"scale-{args.lines}.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(json.dumps({k: v for k, v in figures.items() if k != "steps"}, indent=1, default=str))
    if not args.keep:
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin(f'DROP DATABASE IF EXISTS "{snapshot}" WITH (FORCE)')
    return 0


# Issue 12's targets on the 2-core machine, per step: (limit, unit) where the unit says how it reads.
TARGETS = {
    "post_inprocess": (5_000, "lines/s"),
    "post_rest": (1_000, "lines/s"),
    "adjust_full": (60, "s"),
    "adjust_incremental": (2, "s"),
    "adjust_incremental_revaluation": (2, "s"),
    "adjust_incremental_receipt": (2, "s"),
    "post_gl_per_group": (30, "s"),
    "post_gl_per_entry": (90, "s"),
    "matrix": (1, "s"),
    "matrix_item": (1, "s"),
    "matrix_location": (1, "s"),
}
BATCH_STEPS = {"post_inprocess", "post_rest", "adjust_full", "post_gl_per_group", "post_gl_per_entry"}


def doc_table(figures: dict, args) -> str:
    """The run's table for docs/performance.md: each step, its floor, the ratio, peak memory and its target."""
    from doctable import table

    rows = []
    for name, s in figures["steps"].items():
        floor = s.get("floor_seconds")
        ratio = s["seconds"] / floor if floor else None  # a floor under a millisecond gives no ratio
        target, unit = TARGETS.get(name, (None, ""))
        if unit == "lines/s":
            met = s.get("lines_per_s", 0) >= target
            target_text = f"≥ {target:,} lines/s ({s.get('lines_per_s', 0):,})"
        elif target is not None:
            met = s["seconds"] <= target
            target_text = f"≤ {target} s"
        else:
            met, target_text = None, "–"
        if name in BATCH_STEPS and ratio is not None:
            met = (met is not False) and ratio <= 3
            target_text += ", ≤ 3× floor"
        rows.append(
            [
                name,
                f"{s['seconds']:,.3f}",
                f"{floor:,.3f}" if floor is not None else "–",
                f"{ratio:.1f}×" if ratio else "–",
                f"{s.get('peak_rss_mb', 0):,.0f}",
                target_text,
                {True: "yes", False: "**no**", None: "–"}[met],
            ]
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        f"`bench/bench_scale.py --lines {args.lines} --items {args.items} --batch {args.batch} --seed {args.seed}"
        + (f" --scaleout {args.scaleout}" if args.scaleout else "")
        + f"` on {figures['machine']}: {figures['steps']['post_inprocess']['rows']['costing_value_entry']:,}"
        + " value entries posted"
        + f" (load average at the end {load}; commit {_commit()}).",
        "",
        table(["Step", "Seconds", "Floor (s)", "× floor", "Peak RSS (MB)", "Target", "Met"], rows, range(1, 5)),
    ]
    so = figures.get("scaleout")
    if so and "runs" in so:
        rows = [
            [
                w,
                str(r["batches"]),
                f"{r['adjust_cost_seconds']:.2f}",
                f"{r['adjust_cost_speedup']:.2f}×",
                f"{r['post_gl_seconds']:.2f}",
                f"{r['post_gl_speedup']:.2f}×",
                r["books"]["value_entries_sha256"][:12] + " / " + r["books"]["gl_balances_sha256"][:12],
            ]
            for w, r in so["runs"].items()
        ]
        out += [
            "",
            "Scale-out: Adjust Cost and Post Inventory Cost to G/L (per entry) as Celery groups of item batches on N"
            " worker processes, each on a fresh copy of the posted database"
            f" (books identical across partitions: **{'yes' if so['books_identical'] else 'NO'}**).",
            "",
            table(
                ["Workers", "Batches", "Adjust Cost (s)", "Speed-up", "Post to G/L (s)", "Speed-up", "Books"],
                rows,
                range(0, 6),
            ),
        ]
    return "\n".join(out)


def _commit() -> str:
    from record import git_commit

    return (git_commit() or "unknown")[:7]


def machine() -> str:
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
