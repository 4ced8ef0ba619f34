"""T9 Long-running correctness: T1's API clients at a low rate for a long stretch (an hour in the full profile), the
jobs triggered as the beat would, a T2 crash at regular intervals (the four targets in turn), and the nightly books
check (``jobs.tasks_invariants.check_books``) running every minute in "alert" mode, as production-style monitoring:
pending mode, on live books, while clients post and jobs run. Then drain, rerun both jobs, and the whole suite must
be 0.

Figures: every check's violations over time (must stay 0), the reconciliation lag (at each check, the age of the oldest
value entry still waiting to be posted to the G/L: how far the G/L trails the inventory), the longest gap between
two checks (a crash's recovery holds the loop), the crashes with their recoveries, the API outcomes.

Sizes (full / PR): 3,600 / 120 s; 4 / 2 clients, one document every 0.2-1.0 s each; a crash every 300 / 20 s after the
last one recovered (each of the four targets at least once in either); a check every 60 / 10 s; the jobs triggered
every 5 / 2 s.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from costing.models import ValueEntry
from jobs import services
from jobs.models import JobRun
from jobs.tasks_invariants import check_books
from ledger.models import GLEntry
from tests import books
from tests.reliability.conftest import api_client, assert_clean, size
from tests.reliability.test_t1_storm import Client, live_server_url, trigger  # noqa: F401 - fixture
from tests.reliability.test_t2_crashes import (  # noqa: F401 - fixtures
    ADJUST,
    POST,
    TARGETS,
    Work,
    crash_broker,
    crash_once,
    crash_settings,
    finished,
    private_redis,
)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

DURATION = size(3_600, 120)
CRASH_EVERY = size(300, 20)
CHECK_EVERY = size(60, 10)
TRIGGER_EVERY = size(5, 2)
CLIENTS = size(4, 2)
PAUSE = (0.2, 1.0)


def reconciliation_lag() -> float:
    """Seconds since the oldest value entry still waiting in the Post Value Entry to G/L queue was written (0: the
    G/L has caught up with the inventory)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(extract(epoch FROM now() - min(v.created_at)), 0) FROM costing_post_value_entry_to_gl q "
            "JOIN costing_value_entry v ON v.entry_no = q.value_entry_no"
        )
        return round(float(cur.fetchone()[0]), 2)


def wait_until_idle(timeout: float = 120.0) -> None:
    """Every run started so far has finished (a crash starts its own run; start_run refuses a second active one)."""
    for run in JobRun.objects.filter(status__in=["queued", "running"]):
        finished(run.pk, timeout)


def test_t9_long_run_with_crashes_and_a_books_check_every_minute(crash_broker, live_server_url, record):  # noqa: F811
    start_worker, redis = crash_broker
    rng = random.Random(record.seed)
    targets = [t for t in TARGETS if t != "redis_restart" or redis is not None]
    books.company()
    items = [f"L{n:03d}" for n in range(size(40, 12))]
    for no in items:
        books.item(no)
    tokens = [
        api_client(f"long{n}", "accountant")._credentials["HTTP_AUTHORIZATION"].split()[1] for n in range(CLIENTS)
    ]
    worker = start_worker()
    work = Work()
    stop = threading.Event()
    clients = [
        Client(n, live_server_url, tokens[n], items, items[:5], None, rng.randrange(10**9), stop=stop, pause=PAUSE)
        for n in range(CLIENTS)
    ]
    runs: Counter = Counter()
    checks: list[dict] = []
    crashes: list[dict] = []
    started = time.monotonic()
    next_trigger = next_check = started
    next_crash = started + CRASH_EVERY
    ticks = 0
    for c in clients:
        c.start()
    try:
        while (now := time.monotonic()) < started + DURATION:
            if now >= next_check:
                at = round(now - started, 1)
                entry = check_books()
                failed = {k: v for k, v in entry.details["counts"].items() if v}
                gap = round(at - checks[-1]["t"], 1) if checks else 0.0
                checks.append({"t": at, "violations": failed, "lag_s": reconciliation_lag(), "gap_s": gap})
                next_check = now + CHECK_EVERY
            if now >= next_crash:
                target = targets[len(crashes) % len(targets)]
                job = (ADJUST, POST)[(len(crashes) // len(targets)) % 2]
                wait_until_idle()
                figures, worker = crash_once(rng, start_worker, worker, target, job, work, redis)
                figures["t"] = round(now - started, 1)
                crashes.append(figures)
                next_crash = time.monotonic() + CRASH_EVERY
            if now >= next_trigger:
                ticks += 1
                trigger(runs, ticks)
                next_trigger = now + TRIGGER_EVERY
            time.sleep(0.2)
    finally:
        stop.set()
        for c in clients:
            c.join(60)
    errors = [e for c in clients for e in c.errors]

    wait_until_idle()
    for job in (ADJUST, POST):
        run = finished(services.start_run(job, {}).pk, 120)
        assert run.status == "succeeded", run.error
    counts = record.check(drained=True, rerun=True)

    outcomes = sum((c.outcomes for c in clients), Counter())
    record.settings = {
        "duration_s": DURATION,
        "clients": CLIENTS,
        "pause_s": list(PAUSE),
        "items": len(items),
        "crash_every_s": CRASH_EVERY,
        "check_every_s": CHECK_EVERY,
        "trigger_every_s": TRIGGER_EVERY,
        **crash_settings(redis),
    }
    record.figures = {
        "checks": len(checks),
        "checks_with_violations": sum(1 for c in checks if c["violations"]),
        "violations_over_time": [[c["t"], sum(c["violations"].values())] for c in checks],
        "reconciliation_lag_max_s": max((c["lag_s"] for c in checks), default=0.0),
        "check_gap_max_s": max((c["gap_s"] for c in checks), default=0.0),
        "crashes": len(crashes),
        "crash_list": [
            {k: c[k] for k in ("t", "target", "job", "recovery_s", "recovered_by", "failure")} for c in crashes
        ],
        "requests": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "job_runs": dict(sorted(runs.items())),
        "value_entries": ValueEntry.objects.count(),
        "gl_entries": GLEntry.objects.count(),
        "client_errors": errors,
    }
    assert errors == []
    assert [c for c in checks if c["violations"]] == []
    assert {c["target"] for c in crashes} == set(targets)
    assert not any(k.startswith("rejected") and "_5" in k for k in outcomes), outcomes
    assert not any(k.startswith("replay_same_body") and not k.endswith("201") for k in outcomes), outcomes
    assert not any(k.startswith("replay_changed_body") and not k.endswith("409") for k in outcomes), outcomes
    assert_clean(counts)
