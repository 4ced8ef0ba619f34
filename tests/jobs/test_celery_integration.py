"""Real components: a Celery worker process (prefork) on Redis (DB 5) against the pytest test database.

The pytest process stays eager for every other test; these tests point its Celery app at Redis while they run. Each
worker runs with a 1 s heartbeat and a 3 s stale limit so recovery fits into a test.
"""

import os
import signal
import subprocess
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from core.errors import Conflict
from costing.models import PostValueEntryToGL
from costing.posting import post_item_journal
from jobs import services
from jobs.models import JobRun
from ledger.models import GLEntry
from tests.jobs import support
from tests.jobs.support import finished, kill, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("COSTBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
ROOT = Path(__file__).resolve().parents[2]
STALE_AFTER = 3
POST = "post_inventory_cost_to_gl"
ADJUST = "adjust_cost"


@pytest.fixture
def broker(settings):
    """Point this process's Celery app at Redis DB 5 (emptied first), and back to eager afterwards."""
    with support.redis_broker(settings, REDIS_URL, STALE_AFTER) as app:
        yield app


@pytest.fixture
def workers(broker):
    """start(delay_ms=0): a `celery worker --pool=prefork -c 1 -Q jobs` process group; all are killed at the end."""
    started: list[subprocess.Popen] = []

    def start(delay_ms: int = 0) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": support.database_url(),
            "REDIS_URL": REDIS_URL,
            "DJANGO_DEBUG": "1",
            "JOBS_HEARTBEAT_SECONDS": "1",
            "JOBS_STALE_AFTER_SECONDS": str(STALE_AFTER),
            "JOBS_TEST_BATCH_DELAY_MS": str(delay_ms),
        }
        name = f"jobs{len(started)}-{os.getpid()}@%h"
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--pool=prefork", "-c", "1", "-Q", "jobs"]
            + ["-n", name, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
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
            if broker.control.ping(destination=[name.replace("%h", os.uname().nodename)], timeout=0.5):
                return proc
        raise RuntimeError("the worker did not answer within 30 s")

    yield start
    for proc in started:
        kill(proc)


def test_a_worker_adjusts_and_posts_and_the_books_reconcile(workers):
    support.company_with_items(12)
    workers()
    adjust = services.start_run(ADJUST, {"batch_size": 4})
    assert (adjust.status, services.in_process()) == ("queued", False)
    adjust = finished(adjust.pk)
    assert adjust.status == "succeeded", adjust.error
    assert adjust.result["items_adjusted"] == 12
    post = services.start_run(POST, {"chunk_size": 10})
    post = finished(post.pk)
    assert post.status == "succeeded", post.error
    assert (post.progress, post.attempt) == (Decimal(1), 1)
    assert post.result["posted_value_entries"] == 36 + adjust.result["adjustment_value_entries"]
    support.assert_invariants(drained=True)


def test_a_killed_worker_loses_nothing_and_posts_nothing_twice(workers):
    """SIGKILL the whole worker mid-run: the sweeper fails the run, the next run (a new worker) finishes the work."""
    support.company_with_items(30)
    total = PostValueEntryToGL.objects.count()
    worker = workers(delay_ms=250)
    run = services.start_run(POST, {"chunk_size": 3})
    wait_for(lambda: JobRun.objects.get(pk=run.pk).progress >= Decimal("0.2"), 30, "some committed chunks")
    # Overlapping runs are refused while it runs, the same job and the conflicting one.
    for job in (POST, ADJUST):
        with pytest.raises(Conflict) as refused:
            services.start_run(job, {})
        assert refused.value.code == "job_running"

    kill(worker)
    run.refresh_from_db()
    assert run.status == "running"
    left = PostValueEntryToGL.objects.count()
    assert 0 < left < total
    support.assert_invariants(drained=False)  # the killed chunk's transaction left nothing behind

    # Nothing stays running forever: once the heartbeat is stale the sweeper fails it.
    time.sleep(STALE_AFTER + 1)
    assert services.sweep_stale_runs() == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("Worker lost")

    workers()
    again = finished(services.start_run(POST, {"chunk_size": 50}).pk)
    assert again.status == "succeeded", again.error
    assert again.result["posted_value_entries"] == left
    assert GLEntry.objects.count() == 2 * total
    support.assert_invariants(drained=True)


def test_a_killed_pool_process_is_redelivered_and_taken_over(workers):
    """SIGKILL only the pool child: the message comes back (acks_late, reject_on_worker_lost), the new child finds the
    run busy, looks again once the heartbeat is stale, takes it over (attempt 2) and finishes it."""
    support.company_with_items(20)
    total = PostValueEntryToGL.objects.count()
    worker = workers(delay_ms=200)
    run = services.start_run(POST, {"chunk_size": 3})
    wait_for(lambda: JobRun.objects.get(pk=run.pk).progress >= Decimal("0.2"), 30, "some committed chunks")
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert len(children) == 1
    os.kill(int(children[0]), signal.SIGKILL)
    run = finished(run.pk, 60)
    assert (run.status, run.attempt) == ("succeeded", 2), run.error
    assert not PostValueEntryToGL.objects.exists()
    assert GLEntry.objects.count() == 2 * total
    support.assert_invariants(drained=True)


def test_a_run_alongside_four_posting_threads_keeps_the_invariants(workers):
    numbers = support.company_with_items(8)
    workers(delay_ms=20)
    errors = []

    def post_journals(thread_no: int):
        try:
            for n in range(6):
                item = numbers[(thread_no * 2 + n) % len(numbers)]
                day = date(2026, 2, 1) + timedelta(days=n)
                post_item_journal(support.purchase_and_sale(item, day, cost=Decimal(20 + n), doc=f"T{thread_no}-{n}"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    run = services.start_run(POST, {"chunk_size": 2})
    threads = [threading.Thread(target=post_journals, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert finished(run.pk).status == "succeeded"
    support.assert_invariants(drained=False)
    # Drain what the threads posted after the run passed by; then everything is posted exactly once.
    final = finished(services.start_run(POST, {}).pk)
    assert final.status == "succeeded", final.error
    support.assert_invariants(drained=True)
    assert GLEntry.objects.count() == 2 * (24 + 4 * 6 * 3)
