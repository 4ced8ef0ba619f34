"""Where a REST posting request's time goes: 500-line requests in process, on a copy of a generated ledger.

    python bench/rest_anatomy.py --template tmpl_1m [--requests 40] [--batch 500]
                                 [--phases] [--sql] [--server-log PATH] [--explain TEXT] [--profile]

Not a ``bench_*.py``: it records nothing and ``bench/run.py`` leaves it out. It is the harness behind the analysis of
REST against its floor in docs/performance.md, kept so that the figures there can be taken again.

It copies ``--template`` (a database made by ``bench/generate.py``, e.g. 1,000,000 lines, vacuumed) into a database of
its own (bench/benchdb.py), creates a new company of 1,000 items as ``bench_posting.run_rest`` does, and posts
``--requests`` requests of ``--batch`` generated lines through Django's test client (the whole middleware and DRF
stack, without gunicorn and the network). Every run prints the median request, the CPU time of the PostgreSQL backend
and of this process per request (this process also encodes the requests and reads the answers), and the cyclic
garbage collector's passes, inside the view and outside it. Options add, per request:

- ``--phases``: wall time in the posting's steps (reads, the lines, each COPY, each update) and in DRF's ``initial``.
- ``--sql``: wall time per statement as Django's cursor sees it (COPYs are not statements there).
- ``--server-log PATH``: PostgreSQL's own duration of every statement and COPY of the run, from its log
  (``log_min_duration_statement`` set for this session only: needs a superuser and the server's log file, e.g.
  ``/var/log/postgresql/postgresql-15-main.log``).
- ``--explain TEXT``: ``EXPLAIN (ANALYZE, BUFFERS)`` of the last two statements containing TEXT (run again), with
  ``--sql``.
- ``--profile``: cProfile over the requests (slows them about a third).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import json
import os
import pstats
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from benchdb import bench_database  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _per_request(label: str, table: dict, requests: int, limit: int = 30) -> None:
    print(label)
    for key, (count, seconds) in sorted(table.items(), key=lambda kv: -kv[1][1])[:limit]:
        print(f"  {seconds * 1000 / requests:8.2f} ms {count / requests:6.1f}x  {key}")


def _time_phases(phases: dict) -> None:
    """Wrap the posting's steps (and DRF's ``initial``) to add their wall time to ``phases``."""
    from rest_framework.views import APIView

    from costing import api, posting

    def timed(owner, name, label=None):
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                key = f"copy {args[0].__name__}" if name == "copy_insert" else label or name
                phases[key][0] += 1
                phases[key][1] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    for name in ("__enter__", "post_lines", "_load_items", "_load_pairs", "_track", "_flush",
                 "_update_existing_entries", "_update_entry_points", "_update_items", "_post_or_queue"):  # fmt: skip
        timed(posting.Posting, name)
    timed(posting, "copy_insert")
    timed(posting, "post_item_journal")
    timed(api, "posting_result_data", "posting_result_data (the answer, on its own thread)")
    timed(APIView, "initial", "DRF initial (authentication, permissions)")
    from django.db import connections
    from rest_framework.serializers import BaseSerializer

    from core import renderers

    timed(type(connections["default"]), "commit", "COMMIT (the deferred checks and the WAL flush)")
    timed(BaseSerializer, "is_valid", "validation of the lines")
    timed(renderers.FastJSONRenderer, "render", "rendering the answer (orjson)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--template", required=True, help="database to copy (a generated ledger)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--server-log", default="")
    parser.add_argument("--explain", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--ab",
        default="",
        metavar="VAR",
        help="set environment variable VAR to 1 for every second request (a toggle the code under test reads) and "
        "report both halves",
    )
    args = parser.parse_args(argv)

    with bench_database("anatomy", template=args.template):
        import generate
        from bench_posting import _Posted, api_token, line_json
        from django.db import connection
        from django.test import Client

        from costing import api

        generate.PREFIX = "BR"  # a new company, as bench_posting.run_rest posts
        company = generate.ensure_company(1000, args.seed)
        client = Client(HTTP_AUTHORIZATION=f"Token {api_token()}", HTTP_HOST="localhost")
        gen = generate.Generator(company, (args.requests + 2) * args.batch, args.seed)

        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
        # --ab: per request, wall time and the CPU of both processes while the request runs, by variant.
        by_variant: dict = defaultdict(list)

        def post(lines) -> float:
            body = json.dumps({"lines": [line_json(x) for x in lines]})
            backend_before, own_before = _cpu_seconds(backend), time.process_time()
            started = time.perf_counter()
            response = client.post("/api/v1/item-journal/post/", body, content_type="application/json")
            seconds = time.perf_counter() - started
            if args.ab:
                by_variant[os.environ.get(args.ab, "")].append(
                    (seconds, time.process_time() - own_before, _cpu_seconds(backend) - backend_before)
                )
            if response.status_code != 201:
                raise SystemExit(f"the posting answered {response.status_code}: {response.content[:500]!r}")
            gen.absorb(lines, _Posted(json.loads(response.content)))
            return seconds

        # Two small requests first: imports, the connection, the session's first plans.
        post(gen.batch(10))
        post(gen.batch(10))

        phases: dict = defaultdict(lambda: [0, 0.0])
        if args.phases:
            _time_phases(phases)
        statements: dict = defaultdict(lambda: [0, 0.0])
        plans: list[str] = []

        def statement_timer(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                entry = statements[" ".join(sql.split())[:110]]
                entry[0] += 1
                entry[1] += time.perf_counter() - started
                if args.explain and args.explain in sql:
                    raw = connection.connection.cursor()  # not through the wrapper: no recursion
                    raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plans.append("\n".join(row[0] for row in raw.fetchall()))
                    del plans[:-2]  # the last two: the ledger as it has grown

        # The collector's passes, inside the item journal view and outside it.
        collections: dict = defaultdict(lambda: [0, 0.0])
        in_view = [False]
        pass_started = [0.0]
        view_post = api.ItemJournalPostView.post

        def watched_post(self, request):
            in_view[0] = True
            try:
                return view_post(self, request)
            finally:
                in_view[0] = False

        api.ItemJournalPostView.post = watched_post

        def on_collection(phase, info):
            if phase == "start":
                pass_started[0] = time.perf_counter()
            else:
                entry = collections[f"generation {info['generation']}, {'in' if in_view[0] else 'outside'} the view"]
                entry[0] += 1
                entry[1] += time.perf_counter() - pass_started[0]

        if args.server_log:
            with connection.cursor() as cur:
                cur.execute("SET log_min_duration_statement = 0")
        log_from = os.path.getsize(args.server_log) if args.server_log else 0

        gc.callbacks.append(on_collection)
        profile = cProfile.Profile() if args.profile else None
        backend_cpu, own_cpu = _cpu_seconds(backend), time.process_time()
        seconds = []
        by_variant.clear()
        for number in range(args.requests):
            lines = gen.batch(args.batch)
            if args.ab:
                if number % 2:
                    os.environ[args.ab] = "1"
                else:
                    os.environ.pop(args.ab, None)
            if profile:
                profile.enable()
            if args.sql:
                with connection.execute_wrapper(statement_timer):
                    seconds.append(post(lines))
            else:
                seconds.append(post(lines))
            if profile:
                profile.disable()
        backend_cpu, own_cpu = _cpu_seconds(backend) - backend_cpu, time.process_time() - own_cpu
        gc.callbacks.remove(on_collection)
        api.ItemJournalPostView.post = view_post

        n = len(seconds)
        ordered = sorted(seconds)
        print(
            f"{n} requests of {args.batch} lines: median {ordered[n // 2] * 1000:.1f} ms, "
            f"min {ordered[0] * 1000:.1f}, max {ordered[-1] * 1000:.1f}, total {sum(seconds):.2f} s"
        )
        print(
            f"CPU per request: PostgreSQL backend {backend_cpu * 1000 / n:.1f} ms, this process "
            f"{own_cpu * 1000 / n:.1f} ms (the client's encoding and reading included)"
        )
        _per_request("Garbage collector:", collections, n)
        for variant, runs in sorted(by_variant.items()):
            walls = sorted(r[0] for r in runs)
            median = walls[len(walls) // 2]
            print(
                f"{args.ab}={variant or '(unset)'}: {len(runs)} requests, median {median * 1000:.1f} ms,"
                f" mean {sum(walls) * 1000 / len(runs):.1f} ms; CPU per request: this process (the request only) "
                f"{sum(r[1] for r in runs) * 1000 / len(runs):.1f} ms, PostgreSQL backend "
                f"{sum(r[2] for r in runs) * 1000 / len(runs):.1f} ms"
            )
        if phases:
            _per_request("Phases (wall):", phases, n)
        if args.sql:
            print(f"Statements from Django's cursor: {sum(s for _c, s in statements.values()) * 1000 / n:.1f} ms")
            _per_request("By statement:", statements, n)
        if args.server_log:
            with connection.cursor() as cur:
                cur.execute("SET log_min_duration_statement = -1")
            with open(args.server_log, encoding="utf-8", errors="replace") as log:
                log.seek(log_from)
                text = log.read()
            durations: dict = defaultdict(lambda: [0, 0.0])
            # A statement's text goes on over the lines that follow, each starting with a tab; literal arrays vary.
            pattern = rf"\[{backend}\] \S+ LOG:  duration: ([0-9.]+) ms  statement: (.*(?:\n\t.*)*)"
            for match in re.finditer(pattern, text):
                statement = re.sub(r"ARRAY\[[^\]]*\]", "ARRAY[...]", " ".join(match.group(2).split()))
                entry = durations[statement[:100]]
                entry[0] += 1
                entry[1] += float(match.group(1)) / 1000
            print(f"PostgreSQL's own durations: {sum(s for _c, s in durations.values()) * 1000 / n:.1f} ms")
            _per_request("By statement (server log):", durations, n)
        for plan in plans:
            print(plan)
        if profile:
            pstats.Stats(profile).sort_stats(args.profile_sort).print_stats(50)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
