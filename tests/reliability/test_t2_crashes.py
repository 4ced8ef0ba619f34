"""T2 kill -9 mid-batch, then recovery and rerun, on a real Celery worker (prefork) against the pytest database.

Targets, at seeded points (after k of n committed batches plus a random offset inside the next one), for both Adjust
Cost and Post Inventory Cost to G/L:

* (a) ``pool_child``: SIGKILL the pool process; the message comes back (acks_late + reject_on_worker_lost) and the new
  child takes the run over once the heartbeat is stale;
* (b) ``worker``: SIGKILL the whole worker process group; the sweeper fails the run once its heartbeat is stale and a
  new worker's next run finishes the work;
* (c) ``backend``: ``pg_terminate_backend`` of the worker's posting connection (inside its batch transaction when the
  poll catches it there); the task puts the run back to queued and Celery retries it, or the run fails and the next run
  finishes the work;
* (d) ``redis_restart``: kill -9 or ``SHUTDOWN NOSAVE`` of the broker, down for a seeded 0-1.5 s, then started again
  empty (no persistence: the run's message is gone). The broker is a private ``redis-server`` this test starts on a
  free port (tests/reliability/private_redis.py), never the machine's shared Redis; the worker reconnects, the run
  either finishes or is swept once its heartbeat is stale and the next run finishes the work.

The four targets run against the private redis-server (without a ``redis-server`` binary, (a)-(c) run on the shared
Redis DB and (d) is recorded as not run). Full profile: 50 crashes per target (alternating Adjust Cost and Post to
G/L), 200 in all; PR profile: 2 per target. One worker serves every run whose target does not kill it.

After each crash: the books are checked while the work is still pending (``drained=False``), then recovery, then the
drained suite with the I8 rerun. The negative control runs a worker whose ``run_job`` has
``reject_on_worker_lost=False``: the killed child's message is acknowledged and lost, the sweeper fails the run, and the
drained suite reports the work left behind (I3) until a rerun posts it.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from core import invariants
from costing.models import Item, PostValueEntryToGL
from costing.posting import post_item_journal
from jobs import services
from jobs.models import JobRun
from ledger.models import GLEntry
from tests.jobs import support
from tests.jobs.support import finished, kill, wait_for
from tests.reliability.conftest import FULL, assert_clean, size
from tests.reliability.private_redis import PrivateRedis

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("COSTBOOK_RELIABILITY_REDIS_URL", "redis://127.0.0.1:6379/8")
ROOT = Path(__file__).resolve().parents[2]
STALE_AFTER = 3
POST, ADJUST = "post_inventory_cost_to_gl", "adjust_cost"
BATCH_DELAY_MS = 150
WORKER_APPLICATION_NAME = "costbook-test-worker"
TARGETS = ("pool_child", "worker", "backend", "redis_restart")
ITEMS_PER_RUN = 12
# The kill comes after k of n batches with k <= n - KILL_MARGIN: progress is written at most every 0.5 s (3-4 batches
# of BATCH_DELAY_MS), so the run may be that far ahead of what it shows; the margin keeps the kill inside the run.
KILL_MARGIN = 5

# The worker, optionally with run_job's reject_on_worker_lost switched off (the negative control). Test harness only.
WORKER = """
import sys, django
django.setup()
from config.celery import app
from jobs import tasks
tasks.run_job.reject_on_worker_lost = {reject}
app.worker_main(sys.argv[1:])
"""


@pytest.fixture
def broker(settings):
    """This process's Celery app on Redis DB 8 (emptied first), eager again afterwards."""
    with support.redis_broker(settings, REDIS_URL, STALE_AFTER) as app:
        yield app


def _worker_starter(app, redis_url: str, started: list[subprocess.Popen]):
    """start(delay_ms=..., reject_on_worker_lost=True): a worker process group (prefork, one child, queue jobs) on
    ``redis_url``, answering a ping."""

    def start(delay_ms: int = BATCH_DELAY_MS, *, reject_on_worker_lost: bool = True, concurrency: int = 1):
        env = {
            **os.environ,
            "DATABASE_URL": support.database_url(),
            "REDIS_URL": redis_url,
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "JOBS_HEARTBEAT_SECONDS": "1",
            "JOBS_STALE_AFTER_SECONDS": str(STALE_AFTER),
            "JOBS_TEST_BATCH_DELAY_MS": str(delay_ms),
            # libpq names the worker's connections, so target (c) kills the worker's and never a live server's
            # (T9 runs gunicorn beside the worker).
            "PGAPPNAME": WORKER_APPLICATION_NAME,
        }
        name = f"rel{len(started)}-{os.getpid()}@%h"
        argv = ["worker", "--pool=prefork", "-c", str(concurrency), "-Q", "jobs", "-n", name]
        argv += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-c", WORKER.format(reject=reject_on_worker_lost), *argv],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the worker exited with status {proc.returncode}")
            try:
                if app.control.ping(destination=[name.replace("%h", os.uname().nodename)], timeout=0.5):
                    return proc
            except (ConnectionError, OSError, KombuOperationalError, RedisConnectionError):
                # The broker restarted since this process's pooled connections were made (T9 starts a worker after a
                # broker restart): a ping does not reconnect by itself, so drop them and ask again.
                support.drop_connections(app)
        raise RuntimeError("the worker did not answer within 30 s")

    return start


@pytest.fixture
def workers(broker):
    """Workers on the shared Redis DB (T1, the negative control)."""
    started: list[subprocess.Popen] = []
    yield _worker_starter(broker, REDIS_URL, started)
    for proc in started:
        kill(proc)


@pytest.fixture
def private_redis():
    """A redis-server of this test's own on a free port (None without the binary)."""
    try:
        server = PrivateRedis()
    except FileNotFoundError:
        yield None
        return
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def crash_broker(request, settings, private_redis):
    """(start_worker, private redis or None): workers and this process's Celery app on the private redis-server, or
    on the shared Redis DB when there is no redis-server binary."""
    url = private_redis.url if private_redis else REDIS_URL
    started: list[subprocess.Popen] = []
    with support.redis_broker(settings, url, STALE_AFTER) as app:
        try:
            yield _worker_starter(app, url, started), private_redis
        finally:
            for proc in started:
                kill(proc)


def pool_child(worker: subprocess.Popen) -> int:
    children = wait_for(
        lambda: Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split(), 30, "a pool child"
    )
    return int(children[0])


def terminate_posting_backend(timeout: float = 5.0) -> bool:
    """pg_terminate_backend of the worker's posting connection: the worker's (by its application name) that is not
    the heartbeat's. Polls for it inside a transaction (a write transaction id); after ``timeout`` takes it idle.
    True when caught inside its transaction."""
    sql = """
        SELECT pid, backend_xid IS NOT NULL FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
           AND application_name = %s AND query NOT ILIKE %s {extra}
         ORDER BY backend_start LIMIT 1
    """
    deadline = time.monotonic() + timeout
    with connection.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute(
                sql.format(extra="AND backend_xid IS NOT NULL"), [WORKER_APPLICATION_NAME, "%heartbeat_at = now()%"]
            )
            row = cur.fetchone()
            if row:
                cur.execute("SELECT pg_terminate_backend(%s)", [row[0]])
                return True
            time.sleep(0.005)
        cur.execute(
            sql.format(extra="AND state <> 'idle in transaction'"), [WORKER_APPLICATION_NAME, "%heartbeat_at = now()%"]
        )
        row = cur.fetchone()
        if row:
            cur.execute("SELECT pg_terminate_backend(%s)", [row[0]])
    return False


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


class Work:
    """New unadjusted items with queued value entries for each crash run."""

    def __init__(self):
        self.batch = 0

    def add(self, items: int) -> None:
        self.batch += 1
        lines = []
        for n in range(items):
            no = f"K{self.batch:03d}{n:03d}"
            support.books.item(no)
            lines += support.purchase_and_sale(no, date(2026, 3, 1 + n % 20), cost=Decimal(10 + n % 7), doc=no)
        post_item_journal(lines)


def heartbeat_age(run_id: int) -> float:
    with connection.cursor() as cur:
        cur.execute("SELECT extract(epoch FROM now() - heartbeat_at) FROM jobs_jobrun WHERE id = %s", [run_id])
        row = cur.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def finished_or_swept(run_id: int, timeout: float = 120.0) -> JobRun:
    """Wait for the run to finish; once its heartbeat is stale, sweep it as the beat sweeper does (the worker that
    ran it is gone and no message is left to take it over)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = JobRun.objects.get(pk=run_id)
        if run.status in ("succeeded", "failed"):
            return run
        if run.status == "running" and heartbeat_age(run_id) > STALE_AFTER + 0.5:
            services.sweep_stale_runs()
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for run {run_id} to finish or be swept")


def crash_once(
    rng, start_worker, worker, target: str, job: str, work: Work, redis: PrivateRedis | None
) -> tuple[dict, subprocess.Popen]:
    """One seeded crash of ``target`` during a run of ``job``, then recovery; the run's figures and the live worker."""
    work.add(ITEMS_PER_RUN)
    # Post to G/L works on whatever Adjust Cost left; Adjust Cost on the new items (one item per batch).
    if job == POST:
        pending = PostValueEntryToGL.objects.count()
        batches = (pending + 2) // 3
        run = services.start_run(POST, {"chunk_size": 3})
    else:
        batches = Item.objects.filter(cost_is_adjusted=False).count()
        run = services.start_run(ADJUST, {"batch_size": 1})
    k = rng.randint(1, max(1, batches - KILL_MARGIN))
    offset = rng.uniform(0, BATCH_DELAY_MS / 1000)
    wait_for(
        lambda: JobRun.objects.get(pk=run.pk).progress >= Decimal(k) / Decimal(batches) - Decimal("0.0001"),
        60,
        f"{k} committed batches",
    )
    time.sleep(offset)
    in_transaction = None
    restart = None
    running_at_kill = JobRun.objects.filter(pk=run.pk, status="running").exists()
    killed_at = time.monotonic()
    if target == "pool_child":
        os.kill(pool_child(worker), signal.SIGKILL)
    elif target == "worker":
        kill(worker)
    elif target == "backend":
        in_transaction = terminate_posting_backend()
    else:
        restart = {"how": rng.choice(["kill", "shutdown"]), "downtime_s": round(rng.uniform(0, 1.5), 3)}
        redis.restart(restart["how"], restart["downtime_s"])
    # The crash left nothing half-written: the pending work is still pending, nothing is lost or doubled.
    assert_clean(invariants.run(drained=False).counts)

    how, failure = "", ""
    if target == "worker":
        time.sleep(STALE_AFTER + 0.5)
        services.sweep_stale_runs()
        worker = start_worker()
    run = finished_or_swept(run.pk) if target == "redis_restart" else finished(run.pk)
    if run.status == "succeeded":
        how = f"same run finished (attempt {run.attempt})"
    else:
        how = "failed, next run finished"
        failure = run.error.split(".")[0][:60]
        again = finished(services.start_run(job, {}).pk)
        assert again.status == "succeeded", again.error
    recovery = time.monotonic() - killed_at
    # Both jobs once more so the drained suite applies (the other job's work of this crash run).
    for other in (ADJUST, POST):
        again = finished(services.start_run(other, {}).pk)
        assert again.status == "succeeded", again.error
    return {
        "target": target,
        "job": job,
        "kill_after_batches": k,
        "batches": batches,
        "offset_s": round(offset, 3),
        "recovery_s": round(recovery, 2),
        "attempt": run.attempt,
        "recovered_by": how,
        "failure": failure,
        "run_running_at_kill": running_at_kill,
        "backend_killed_in_transaction": in_transaction,
        "redis_restart": restart,
    }, worker


def crash_settings(redis: PrivateRedis | None) -> dict:
    """The settings every crash run records (T2, T9)."""
    return {
        "stale_after_s": STALE_AFTER,
        "batch_delay_ms": BATCH_DELAY_MS,
        "broker": "private redis-server" if redis else "shared Redis DB (no redis-server binary)",
        "full": FULL,
    }


def summary(crashes: list[dict], targets: list[str]) -> dict:
    by_target = {}
    for target in targets:
        mine = [c for c in crashes if c["target"] == target]
        times = [c["recovery_s"] for c in mine]
        by_target[target] = {
            "runs": len(mine),
            "converged": sum(1 for c in mine if c["converged"]),
            "recovery_min_s": min(times, default=0.0),
            "recovery_median_s": round(statistics.median(times), 2) if times else 0.0,
            "recovery_p95_s": percentile(times, 0.95),
            "recovery_max_s": max(times, default=0.0),
            "taken_over_or_retried": sum(1 for c in mine if c["recovered_by"].startswith("same run")),
            "kills_while_running": sum(1 for c in mine if c.get("run_running_at_kill")),
        }
    return by_target


def test_t2_kill_mid_batch_then_recover_and_rerun(crash_broker, record):
    start_worker, redis = crash_broker
    rng = random.Random(record.seed)
    # RELIABILITY_T2_RUNS / RELIABILITY_T2_TARGETS (comma-separated) narrow a run down when replaying one target.
    runs_per_target = int(os.environ.get("RELIABILITY_T2_RUNS") or size(50, 2))
    wanted = (os.environ.get("RELIABILITY_T2_TARGETS") or ",".join(TARGETS)).split(",")
    targets = [t for t in TARGETS if t in wanted and (t != "redis_restart" or redis is not None)]
    support.company_with_items(4)
    work = Work()
    worker = start_worker()
    crashes: list[dict] = []
    try:
        for target in targets:
            for n in range(runs_per_target):
                job = (ADJUST, POST)[n % 2]
                figures, worker = crash_once(rng, start_worker, worker, target, job, work, redis)
                counts = record.check(drained=True, rerun=True)
                figures["violations"] = {k: v for k, v in counts.items() if v}
                figures["converged"] = not figures["violations"]
                crashes.append(figures)
                assert_clean(counts)
    finally:
        record.settings = {"runs_per_target": runs_per_target, "items_per_run": ITEMS_PER_RUN, **crash_settings(redis)}
        record.figures = {
            "crashes": len(crashes),
            "converged": sum(1 for c in crashes if c["converged"]),
            "by_target": summary(crashes, targets),
            "not_run": [] if redis else ["redis_restart: no redis-server binary"],
            "duplicate_executions_started": sum(c["attempt"] - 1 for c in crashes),
            "backend_kills_inside_transaction": sum(1 for c in crashes if c["backend_killed_in_transaction"]),
            "redis_restarts": redis.restarts if redis else 0,
            "gl_entries": GLEntry.objects.count(),
            "crash_list": crashes,
        }
    counts = record.check(drained=True, rerun=True)
    assert_clean(counts)
    assert record.figures["converged"] == len(targets) * runs_per_target
    assert "redis_restart" in targets or redis is None or "redis_restart" not in wanted


def test_t2_negative_control_without_reject_on_worker_lost_leaves_work_the_suite_reports(workers, record):
    """reject_on_worker_lost=False: the killed child's message is acked and gone. The run is swept to failed and no
    one finishes it: "caught" means the drained suite (nothing running, nothing queued in the broker) reports the value
    entries still in the posting queue (I3) until a rerun posts them; then every count is 0 again."""
    support.company_with_items(12)
    worker = workers(reject_on_worker_lost=False)
    total = PostValueEntryToGL.objects.count()
    run = services.start_run(POST, {"chunk_size": 3})
    wait_for(lambda: JobRun.objects.get(pk=run.pk).progress >= Decimal("0.3"), 60, "some committed chunks")
    os.kill(pool_child(worker), signal.SIGKILL)
    time.sleep(STALE_AFTER + 4)  # long enough for a redelivery to be claimed and taken over, if there were one
    run.refresh_from_db()
    assert run.attempt == 1 and run.status == "running"  # nobody took it over
    services.sweep_stale_runs()
    run.refresh_from_db()
    left = PostValueEntryToGL.objects.count()
    caught = record.check(drained=True)
    recovered = finished(services.start_run(POST, {}).pk)
    after = record.check(drained=True, rerun=True)
    record.figures = {
        "queued_value_entries": total,
        "left_after_crash": left,
        "run_status_after_sweep": run.status,
        "caught_by": {k: v for k, v in caught.items() if v},
        "rerun_status": recovered.status,
        "rerun_posted": (recovered.result or {}).get("posted_value_entries"),
    }
    assert run.status == "failed"
    assert 0 < left < total
    assert caught["I3_queue_not_empty"] == left and caught["I3_lost_postings"] > 0
    assert recovered.status == "succeeded"
    assert_clean(after)
