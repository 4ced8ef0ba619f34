"""Celery tasks of bench/bench_scale.py's scale-out: one item batch of Adjust Cost or Post Inventory Cost to G/L.

Started by bench_scale.py as ``celery -A config worker -c N -I bench.scaleout_tasks -Q scaleout`` against a copy
of the benchmark database. Each task reports to a Redis list (the project runs Celery without a result backend), so
the benchmark knows when the whole group is done.
"""

import json
import os
import time

import redis
from celery import shared_task


@shared_task(name="bench.scaleout.adjust_batch")
def adjust_batch(item_nos: list[str], report_key: str) -> None:
    from costing.adjustment import adjust_cost

    _run(report_key, lambda: adjust_cost(item_nos, post_to_gl=False))


@shared_task(name="bench.scaleout.post_gl_batch")
def post_gl_batch(item_nos: list[str], report_key: str) -> None:
    from costing.gl_posting import PER_ENTRY, run_post_inventory_cost_to_gl

    # One connection per task (parallel=1): the worker count is then the only parallelism the scale-out measures (a
    # run outside the scale-out posts two chunks at once by itself).
    _run(report_key, lambda: run_post_inventory_cost_to_gl(method=PER_ENTRY, items=item_nos, parallel=1))


def _run(report_key: str, work) -> None:
    started = time.perf_counter()
    error = None
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - reported to the benchmark, which counts it as a failed batch
        error = f"{type(exc).__name__}: {exc}"
    message = {"pid": os.getpid(), "seconds": round(time.perf_counter() - started, 3), "error": error}
    redis.Redis.from_url(os.environ["REDIS_URL"]).rpush(report_key, json.dumps(message))
