"""What the benchmarks share: a database of their own, peak memory per step, and the PostgreSQL floor.

    from benchdb import bench_database, PeakRSS, floor_copy

``bench_database(suffix)`` creates ``<DATABASE_URL's name>_<suffix>_<pid>`` on the same server, points Django at it,
migrates it and drops it at the end (even on error), unless ``keep`` is given.

The floor of a step is what PostgreSQL alone needs for the same rows: ``floor_copy`` inserts copies of rows already in
a table (the same width, indexes, triggers and constraints; keys shifted past the real ones), checks the deferred
constraints, and rolls back, so the database is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FLOOR_KEY_OFFSET = 10**12  # copies get keys past every real one


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


@contextlib.contextmanager
def bench_database(suffix: str, *, keep: bool = False, template: str | None = None):
    """Create (empty, or a copy of ``template``), migrate and (at the end) drop a database of the benchmark's own;
    yields its URL."""
    base_url = database_url()
    base_name = urlsplit(base_url).path.lstrip("/") or "costbook"
    name = f"{base_name}_{suffix}_{os.getpid()}"
    admin(base_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = with_database(base_url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        # Debug mode must not keep every query in memory: that would be the RSS we measure.
        settings.DEBUG = False
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"Database {name} created and migrated in {time.perf_counter() - started:.1f} s", flush=True)
        yield url
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if keep:
            print(f"Database {name} kept")
        else:
            admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"Database {name} dropped")


class PeakRSS:
    """Peak resident memory of this process since ``reset()`` (Linux VmHWM, reset through /proc/self/clear_refs)."""

    @staticmethod
    def reset() -> None:
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")

    @staticmethod
    def mb(pid: int | str = "self") -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _copy_sql(model, where: str, key_columns: tuple[str, ...]) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields]
    select = [f"{quote(c)} + {FLOOR_KEY_OFFSET}" if c in key_columns else quote(c) for c in columns]
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(select)} FROM {quote(model._meta.db_table)} WHERE {where}"
    )


def floor_copy(
    steps: list[tuple],
    *,
    read_sql: list[tuple] = (),
    write_sql: list[tuple] = (),
    parts: dict[str, float] | None = None,
) -> float:
    """Seconds PostgreSQL takes to run ``read_sql`` (each result fetched), to insert copies of rows (``steps`` =
    [(model, where, params, key columns to shift)]) and to run ``write_sql`` (updates of existing rows), in one
    transaction, then every deferred constraint checked as a commit would, then rolled back.

    A read or write given as (sql, params, label), or a step with a fifth element, a label, also adds its own seconds
    to ``parts[label]``: the share of the floor that a part of it is."""
    from django.db import connection, transaction

    def run(cur, sql, params, label, fetch=False):
        at = time.perf_counter()
        cur.execute(sql, params)
        if fetch:
            while cur.fetchmany(10_000):
                pass
        if label and parts is not None:
            parts[label] = parts.get(label, 0.0) + time.perf_counter() - at

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            for sql, params, *label in read_sql:
                run(cur, sql, params, label[0] if label else None, fetch=True)
            for model, where, params, keys, *label in steps:
                run(cur, _copy_sql(model, where, keys), params, label[0] if label else None)
            for sql, params, *label in write_sql:
                run(cur, sql, params, label[0] if label else None)
            # Run the checks a commit would run (deferred foreign keys, balance per G/L transaction) now.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed
