"""Books for the job tests and the invariant suite (shared/spec/reliability.md 7.1, adapted to Costbook's tables)."""

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection

from costing.posting import JournalLine, post_item_journal
from tests import books

INVENTORY_ACCOUNTS = ("2130", "2131", "2140")


def company_with_items(count: int, *, prefix: str = "J", automatic_cost_posting: bool = False) -> list[str]:
    """A company and ``count`` FIFO items, each bought twice at different costs and partly sold: value entries wait in
    the Post Value Entry to G/L queue (automatic cost posting off) and every item needs adjusting."""
    books.company(automatic_cost_posting=automatic_cost_posting)
    numbers = [f"{prefix}{n:03d}" for n in range(count)]
    for no in numbers:
        books.item(no)
    lines = []
    for n, no in enumerate(numbers):
        lines += purchase_and_sale(no, date(2026, 1, 5) + timedelta(days=n % 20), cost=Decimal(10 + n % 7))
    post_item_journal(lines)
    return numbers


def purchase_and_sale(item: str, day: date, *, cost: Decimal, doc: str = "D") -> list[JournalLine]:
    return [
        JournalLine("purchase", day, f"{doc}-P1-{item}", item, Decimal(5), unit_cost=cost),
        JournalLine("purchase", day, f"{doc}-P2-{item}", item, Decimal(5), unit_cost=cost + 2),
        JournalLine("sale", day + timedelta(days=1), f"{doc}-S1-{item}", item, Decimal(7)),
    ]


def _count(sql: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def violations(*, drained: bool) -> dict[str, int]:
    """Every count must be 0. ``drained``: Post Inventory Cost to G/L has emptied the queue since the last posting."""
    inv = list(INVENTORY_ACCOUNTS)
    found = {
        # I1: every G/L transaction balances, and so does the whole ledger.
        "unbalanced_transactions": _count(
            "SELECT count(*) FROM (SELECT transaction_no FROM ledger_gl_entry GROUP BY 1 HAVING sum(amount) <> 0) x"
        ),
        # I2: per value entry, cost posted to G/L = the linked G/L inventory amounts, and its linked lines net to 0.
        "posted_differs_from_gl": _count(
            """
            SELECT count(*) FROM costing_value_entry v
              LEFT JOIN (SELECT r.value_entry_no,
                                sum(g.amount) FILTER (WHERE g.gl_account_id = ANY(%s)) AS inv,
                                sum(g.amount) AS total
                           FROM costing_gl_item_ledger_relation r
                           JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no GROUP BY 1) x
                ON x.value_entry_no = v.entry_no
              LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no
             WHERE coalesce(p.cost_posted_to_gl + p.expected_cost_posted_to_gl, 0) <> coalesce(x.inv, 0)
                OR coalesce(x.total, 0) <> 0
            """,
            [inv],
        ),
        # I4: posted at most once: no value entry has two inventory lines.
        "posted_twice": _count(
            """
            SELECT count(*) FROM (SELECT r.value_entry_no FROM costing_gl_item_ledger_relation r
                                    JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no
                                   WHERE g.gl_account_id = ANY(%s) GROUP BY 1 HAVING count(*) > 1) x
            """,
            [inv],
        ),
        # I9: quantities: remaining quantities never negative, and per item on hand = open remaining quantity.
        "bad_remaining_quantity": _count(
            "SELECT count(*) FROM costing_item_ledger_entry WHERE remaining_quantity < 0 "
            "OR (positive AND remaining_quantity > quantity) OR (NOT positive AND remaining_quantity > 0)"
        ),
        "on_hand_differs": _count(
            """
            SELECT count(*) FROM (SELECT item_no, sum(quantity) AS q,
                                         sum(remaining_quantity) FILTER (WHERE positive) AS r
                                    FROM costing_item_ledger_entry GROUP BY 1) x
             WHERE x.q <> coalesce(x.r, 0)
            """
        ),
    }
    found["ledger_total"] = _count("SELECT count(*) FROM (SELECT 1 FROM ledger_gl_entry HAVING sum(amount) <> 0) x")
    if drained:
        # I3: completeness: the queue is empty and every value entry's cost is posted.
        found["queue_rows"] = _count("SELECT count(*) FROM costing_post_value_entry_to_gl")
        found["not_fully_posted"] = _count(
            "SELECT count(*) FROM costing_value_entry v LEFT JOIN costing_value_entry_gl_posting p"
            " ON p.value_entry_no = v.entry_no WHERE coalesce(p.cost_posted_to_gl, 0) <> v.cost_amount_actual"
        )
    return found


def assert_invariants(*, drained: bool) -> None:
    found = violations(drained=drained)
    assert found == dict.fromkeys(found, 0), found


def database_url() -> str:
    """The URL of the test database, for worker and server processes the tests start."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    # A Unix-socket directory (the embedded PostgreSQL of `make test`) travels percent-encoded in the host part.
    host = quote(s["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def redis_broker(settings, redis_url: str, stale_after: int):
    """This process's Celery app on ``redis_url`` (emptied first, skipped without Redis), eager again afterwards."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {redis_url}")
    client.flushdb()
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url, task_always_eager=False)
    drop_connections(app)  # connections are made for the new broker
    settings.JOBS_STALE_AFTER_SECONDS = stale_after
    try:
        yield app
    finally:
        app.conf.update(saved)
        drop_connections(app)
        client.flushdb()


def drop_connections(app) -> None:
    """Close this process's broker connections and producers, not only forget them. Celery takes its pool from
    kombu's process-wide pools, one per broker URL: a test's private redis-server comes back on the same port for the
    next test, and the pooled connection to the stopped one failed that test's first ping ("Connection closed by
    server")."""
    import kombu.pools

    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


# ------------------------------------------------------------------------------------------- real worker processes


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal a worker's whole process group (the worker and its pool children) and reap it."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    proc.wait(10)


def wait_for(predicate, timeout: float = 60.0, what: str = "the condition"):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def finished(run_id: int, timeout: float = 90.0):
    """The job run once it has succeeded or failed."""
    from jobs.models import JobRun

    return wait_for(
        lambda: JobRun.objects.filter(pk=run_id, status__in=["succeeded", "failed"]).first(),
        timeout,
        f"run {run_id} to finish",
    )
