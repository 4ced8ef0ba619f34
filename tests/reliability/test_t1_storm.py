"""T1 Concurrent posting storm: N API clients (threads, each with its own token) against a real gunicorn server on the
pytest database, while Adjust Cost and Post Inventory Cost to G/L are started every second (``start_run``) on a real
Celery worker. Then drain, rerun both jobs, and the whole suite must be 0.

Documents: receipts (invoiced or at expected cost), invoices of those at a changed price, sales, item charges, and
back-dated receipts and sales (about 20 %); 5 hot items take 60 % of the traffic. About 10 % of requests reuse an
earlier Idempotency-Key of the same client: half with the same body (must replay the original 201), half with a
changed body (must be 409).
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection

from costing.models import ValueEntry
from jobs import services
from jobs.models import JobRun
from ledger.models import GLEntry
from tests import books
from tests.jobs.support import database_url
from tests.reliability.conftest import OUT, api_client, assert_clean, size
from tests.reliability.test_t2_crashes import REDIS_URL, broker, finished, workers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ADJUST, POST = "adjust_cost", "post_inventory_cost_to_gl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server_url(request):
    """A gunicorn server (2 sync workers) on a free port of 127.0.0.1, on the pytest database and Redis DB 8. Its log
    (tracebacks of any 500 included) goes beside the test's record: ``<RELIABILITY_OUT>/<test>-gunicorn.log``."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": REDIS_URL, "DJANGO_DEBUG": "1"}
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / f"{request.node.name.removeprefix('test_')}-gunicorn.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/api/v1/items/", timeout=10)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(10)
        log.close()


def trigger(runs: Counter, tick: int, *, times: int = 1) -> None:
    """What the beat does: start both jobs ``times`` times, which goes first in turn (one job runs at a time: while
    one is queued or running the other refuses, counted by code)."""
    for job in ((ADJUST, POST) if tick % 2 else (POST, ADJUST)) * times:
        try:
            services.start_run(job, {})
            runs[f"{job}_started"] += 1
        except Exception as exc:  # noqa: BLE001 - counted by code
            runs[f"{job}_refused_{getattr(exc, 'code', type(exc).__name__)}"] += 1


def deadlocks() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cur.fetchone()[0]


class Client(threading.Thread):
    """One API client sending ``documents`` documents back to back; or (T9) with ``documents`` None, one every
    ``pause`` seconds (drawn uniformly from the range) until ``stop`` is set."""

    def __init__(
        self,
        n: int,
        url: str,
        token: str,
        items: list[str],
        hot: list[str],
        documents: int | None,
        seed: int,
        *,
        stop: threading.Event | None = None,
        pause: tuple[float, float] = (0.0, 0.0),
    ):
        super().__init__()
        self.n, self.url, self.items, self.hot, self.documents = n, url, items, hot, documents
        self.stop, self.pause = stop or threading.Event(), pause
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.outcomes: Counter = Counter()
        self.latencies: list[float] = []
        self.receipts: list[int] = []
        self.uninvoiced: list[int] = []
        self.sent: list[tuple[str, str, dict]] = []  # (key, path, body)
        self.errors: list[str] = []

    def _item(self) -> str:
        return self.rng.choice(self.hot if self.rng.random() < 0.6 else self.items)

    def _day(self) -> date:
        if self.rng.random() < 0.2:  # back-dated
            return date(2026, 1, 5) + timedelta(days=self.rng.randint(0, 20))
        return date(2026, 2, 1) + timedelta(days=self.rng.randint(0, 27))

    def _document(self, k: int) -> tuple[str, dict, str]:
        kind = self.rng.choices(["receipt", "sale", "invoice", "charge"], [40, 35, 10, 15])[0]
        doc = f"C{self.n}-{k}"
        if kind == "invoice" and self.uninvoiced:
            entry = self.uninvoiced.pop(self.rng.randrange(len(self.uninvoiced)))
            body = {"posting_date": "2026-02-27", "document_no": doc, "unit_cost": f"{self.rng.randint(5, 40)}.25"}
            return f"/api/v1/item-ledger-entries/{entry}/invoice/", body, "invoice"
        if kind == "charge" and self.receipts:
            entry = self.rng.choice(self.receipts)
            body = {"posting_date": "2026-02-27", "document_no": doc, "amount": f"{self.rng.randint(1, 30)}.10"}
            return f"/api/v1/item-ledger-entries/{entry}/item-charges/", body, "item_charge"
        line = {"item": self._item(), "posting_date": self._day().isoformat(), "document_no": doc}
        if kind == "sale":
            line |= {"entry_type": "sale", "quantity": str(self.rng.randint(1, 3))}
            return "/api/v1/item-journal/post/", {"lines": [line]}, "sale"
        line |= {"entry_type": "purchase", "quantity": str(self.rng.randint(2, 8)),
                 "unit_cost": f"{self.rng.randint(5, 40)}.{self.rng.randint(0, 99):02d}"}  # fmt: skip
        if self.rng.random() < 0.3:
            line["invoiced_quantity"] = "0"
        return "/api/v1/item-journal/post/", {"lines": [line]}, "receipt"

    def _send(self, path: str, body: dict, key: str) -> requests.Response:
        started = time.perf_counter()
        response = self.session.post(self.url + path, json=body, headers={"Idempotency-Key": key}, timeout=60)
        self.latencies.append(time.perf_counter() - started)
        return response

    def run(self):
        try:
            for k in itertools.count() if self.documents is None else range(self.documents):
                if self.stop.is_set():
                    break
                if self.pause[1]:
                    self.stop.wait(self.rng.uniform(*self.pause))
                if self.sent and self.rng.random() < 0.1:
                    key, path, body = self.rng.choice(self.sent)
                    changed = self.rng.random() < 0.5
                    if changed:
                        body = {**body, "document_no": "CHANGED"} if "lines" not in body else {
                            "lines": [{**body["lines"][0], "document_no": "CHANGED"}]}  # fmt: skip
                    status = self._send(path, body, key).status_code
                    reason = "replay_changed_body" if changed else "replay_same_body"
                    self.outcomes[f"{reason}_{status}"] += 1
                    continue
                path, body, kind = self._document(k)
                key = f"c{self.n}-k{k}"
                response = self._send(path, body, key)
                if response.status_code == 201:
                    self.outcomes[f"accepted_{kind}"] += 1
                    self.sent.append((key, path, body))
                    if kind == "receipt":
                        entry = response.json()["item_ledger_entries"][0]["entry_no"]
                        self.receipts.append(entry)
                        if body["lines"][0].get("invoiced_quantity") == "0":
                            self.uninvoiced.append(entry)
                else:
                    code = response.json().get("code", "") if response.headers.get("content-type", "").startswith(
                        "application/json") else ""  # fmt: skip
                    self.outcomes[f"rejected_{kind}_{response.status_code}_{code}"] += 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(repr(exc))


def test_t1_storm_of_api_clients_and_jobs_keeps_the_books(workers, live_server_url, record):  # noqa: F811
    rng = random.Random(record.seed)
    clients_n, documents = size(16, 4), size(250, 25)
    books.company()
    items = [f"S{n:03d}" for n in range(size(40, 12))]
    for no in items:
        books.item(no)
    hot = items[:5]
    tokens = []
    for n in range(clients_n):
        client = api_client(f"storm{n}", "accountant")
        tokens.append(client._credentials["HTTP_AUTHORIZATION"].split()[1])
    workers(delay_ms=0, concurrency=2)
    deadlocks_before = deadlocks()

    clients = [Client(n, live_server_url, tokens[n], items, hot, documents, rng.randrange(10**9))
               for n in range(clients_n)]  # fmt: skip
    for c in clients:
        c.start()
    runs = Counter()
    tick = 0
    while any(c.is_alive() for c in clients):
        tick += 1
        # Each job twice: a second beat, a manual "run now".
        trigger(runs, tick, times=2)
        time.sleep(1)
    for c in clients:
        c.join()
    errors = [e for c in clients for e in c.errors]

    # Drain: wait for the active run, then both jobs once more.
    active = JobRun.objects.filter(status__in=["queued", "running"]).first()
    if active:
        finished(active.pk, 120)
    for job in (ADJUST, POST):
        run = finished(services.start_run(job, {}).pk, 120)
        assert run.status == "succeeded", run.error
    counts = record.check(drained=True, rerun=True)

    outcomes = sum((c.outcomes for c in clients), Counter())
    latencies = sorted(x for c in clients for x in c.latencies)

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else 0

    record.settings = {"clients": clients_n, "documents_per_client": documents, "items": len(items), "hot_items": 5,
                       "gunicorn_workers": 2, "celery_concurrency": 2, "trigger_interval_s": 1}  # fmt: skip
    record.figures = {
        "requests": len(latencies),
        "outcomes": dict(sorted(outcomes.items())),
        "latency_ms_p50": pct(0.5),
        "latency_ms_p95": pct(0.95),
        "latency_ms_p99": pct(0.99),
        "latency_ms_mean": round(statistics.mean(latencies) * 1000, 1) if latencies else 0,
        "deadlocks_delta": deadlocks() - deadlocks_before,
        "job_runs": dict(sorted(runs.items())),
        "job_runs_failed": JobRun.objects.filter(status="failed").count(),
        "value_entries": ValueEntry.objects.count(),
        "gl_entries": GLEntry.objects.count(),
        "client_errors": errors,
    }
    assert errors == []
    assert not any(k.startswith("rejected") and "_5" in k for k in outcomes), outcomes
    assert not any(k.startswith("replay_same_body") and not k.endswith("201") for k in outcomes), outcomes
    assert not any(k.startswith("replay_changed_body") and not k.endswith("409") for k in outcomes), outcomes
    assert_clean(counts)
