"""T3 Duplicate delivery and overlap: the same batch started many times at once posts everything exactly once."""

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import PostValueEntryToGL
from jobs import services
from ledger.models import GLEntry
from tests.jobs import support
from tests.reliability.conftest import assert_clean, size

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(count: int, target) -> list:
    """Run ``target(n)`` in ``count`` threads released together; what each returned or raised."""
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(n):
        try:
            barrier.wait(10)
            results[n] = target(n)
        except Exception as exc:  # noqa: BLE001 - returned for the assertions
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_t3_overlapping_triggers_post_nothing_twice(record):
    items = size(40, 10)
    callers = size(8, 4)
    support.company_with_items(items)
    queued = PostValueEntryToGL.objects.count()

    # Duplicate triggers of the job (beat twice, a manual "run now"): one run, the rest refused as running.
    adjust = _in_threads(callers, lambda n: adjust_cost())
    posts = _in_threads(callers, lambda n: run_post_inventory_cost_to_gl(method="per_entry", chunk_size=3))
    errors = [r for r in adjust + posts if isinstance(r, Exception)]
    assert errors == [], errors
    effective = sum(1 for r in posts if r.posted_value_entries)
    # The job layer: concurrent start_run calls for the same job; the conflict refuses all but the first.
    started = _in_threads(callers, lambda n: services.start_run("post_inventory_cost_to_gl", {}))
    refused = sum(1 for r in started if isinstance(r, Conflict))

    counts = record.check(drained=True, rerun=True)
    record.settings = {"callers": callers, "chunk_size": 3, "method": "per_entry"}
    record.figures = {
        "items": items,
        "queued_value_entries": queued,
        "post_executions_started": callers,
        "post_executions_effective": effective,
        "value_entries_posted": sum(r.posted_value_entries for r in posts),
        "gl_entries": GLEntry.objects.count(),
        "job_triggers": callers,
        "job_triggers_refused_running": refused,
        "double_postings": counts["I4_posted_twice"],
    }
    assert sum(r.posted_value_entries for r in posts) >= queued
    assert_clean(counts)
