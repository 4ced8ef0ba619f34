"""Job runs in-process: validation, the one-at-a-time rule, claiming, takeover, cancel, sweeper, outcomes."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from costing.models import Item, PostValueEntryToGL, ValueEntry
from jobs import services
from jobs.models import JobRun
from ledger.models import GLEntry
from tests.jobs import support

pytestmark = pytest.mark.django_db

POST = "post_inventory_cost_to_gl"
ADJUST = "adjust_cost"


def active_run(job=POST, status="running", **fields):
    fields.setdefault("heartbeat_at", timezone.now())
    fields.setdefault("attempt", 1)
    return JobRun.objects.create(job=job, status=status, lock_group="inventory_cost", **fields)


# ------------------------------------------------------------------------------------------------------ parameters


def test_post_parameters_are_checked_and_name_the_field():
    with pytest.raises(InvalidInput) as per_entry:
        services.start_run(POST, {"posting_method": "per_entry", "document_no": "X-1"})
    assert list(per_entry.value.errors) == ["document_no"]
    with pytest.raises(InvalidInput) as per_group:
        services.start_run(POST, {"posting_method": "per_posting_group"})
    assert list(per_group.value.errors) == ["document_no"]
    with pytest.raises(InvalidInput) as method:
        services.start_run(POST, {"posting_method": "per_item"})
    assert list(method.value.errors) == ["posting_method"]
    with pytest.raises(InvalidInput) as day:
        services.start_run(POST, {"posting_date_to": "31.01.2026"})
    assert list(day.value.errors) == ["posting_date_to"]
    with pytest.raises(InvalidInput) as unknown:
        services.start_run(ADJUST, {"item": ["A"]})
    assert list(unknown.value.errors) == ["item"]
    with pytest.raises(InvalidInput) as items:
        services.start_run(ADJUST, {"items": "A"})
    assert list(items.value.errors) == ["items"]
    assert not JobRun.objects.exists()


def test_parameters_are_normalised_to_json():
    clean = services.validate_parameters(
        POST, {"posting_method": "per_entry", "document_no": None, "items": ["B", "A"]}
    )
    assert clean == {
        "posting_method": "per_entry",
        "document_no": "",
        "post": True,
        "items": ["A", "B"],
        "posting_date_to": None,
    }
    assert services.validate_parameters(ADJUST, {}) == {"items": [], "post_to_gl": None}


# ---------------------------------------------------------------------------------------------------- running


def test_a_synchronous_run_posts_the_queue_and_records_the_report(controller):
    support.company_with_items(3)
    queued = PostValueEntryToGL.objects.count()
    run = services.start_run(POST, {"posting_method": "per_entry", "chunk_size": 2}, user=controller, synchronous=True)
    assert (run.status, run.progress, run.error, run.attempt) == ("succeeded", Decimal(1), "", 1)
    assert run.requested_by == controller and run.started_at <= run.finished_at
    assert run.result["posted_value_entries"] == queued == 9
    assert len(run.result["gl_entries"]) == GLEntry.objects.count() == 18
    assert not PostValueEntryToGL.objects.exists()
    support.assert_invariants(drained=True)


def test_adjust_cost_run_adjusts_every_item(controller):
    numbers = support.company_with_items(3)
    run = services.start_run(ADJUST, {"batch_size": 1}, user=controller, synchronous=True)
    assert run.status == "succeeded", run.error
    assert run.result["items_adjusted"] == 3
    assert set(Item.objects.filter(no__in=numbers).values_list("cost_is_adjusted", flat=True)) == {True}


def test_an_item_that_fails_to_adjust_fails_the_run_and_names_the_item(controller, monkeypatch):
    from costing import adjustment

    support.company_with_items(3)
    real = adjustment._ItemCosts

    def failing(item, *args, **kwargs):
        if item.no == "J001":
            raise ValueError("no cost for you")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(adjustment, "_ItemCosts", failing)
    run = services.start_run(ADJUST, {}, user=controller, synchronous=True)
    assert (run.status, run.error_item) == ("failed", "J001")
    assert "J001" in run.error and "no cost for you" in run.error
    assert run.result["items_adjusted"] == 2
    assert run.result["errors"] == [{"item": "J001", "error": "ValueError: no cost for you"}]


def test_a_service_error_fails_the_run_with_the_message(controller, monkeypatch):
    from costing import gl_posting

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gl_posting, "run_post_inventory_cost_to_gl", broken)
    run = services.start_run(POST, {}, user=controller, synchronous=True)
    assert (run.status, run.error) == ("failed", "RuntimeError: disk on fire")
    assert run.finished_at is not None
    # The lock group is free again.
    monkeypatch.undo()
    assert services.start_run(POST, {}, user=controller, synchronous=True).status == "succeeded"


def test_a_transient_database_error_puts_the_run_back_for_a_retry(monkeypatch):
    from costing import gl_posting

    def flaky(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    run = active_run(status="queued", attempt=0)
    monkeypatch.setattr(gl_posting, "run_post_inventory_cost_to_gl", flaky)
    with pytest.raises(OperationalError):
        services.execute_run(run.pk, retry_transient=True)
    run.refresh_from_db()
    assert (run.status, run.attempt) == ("queued", 1)
    # The last attempt records the failure instead.
    assert services.execute_run(run.pk, retry_transient=False) == services.FAILED
    run.refresh_from_db()
    assert run.status == "failed" and "server closed" in run.error


# ------------------------------------------------------------------------------------------------ one at a time


def test_a_second_run_is_refused_while_one_is_active(controller):
    running = active_run(job=ADJUST)
    for job in (ADJUST, POST):  # the same job, and the conflicting one
        with pytest.raises(Conflict) as refused:
            services.start_run(job, {}, user=controller)
        assert refused.value.code == "job_running"
        assert f"run {running.pk}" in refused.value.message
    assert JobRun.objects.count() == 1


def test_the_database_refuses_two_active_runs_of_one_lock_group():
    active_run(status="queued")
    with pytest.raises(IntegrityError), transaction.atomic():
        active_run(job=ADJUST)
    # Finished runs are not limited.
    JobRun.objects.create(job=ADJUST, status="failed", lock_group="inventory_cost")
    JobRun.objects.create(job=ADJUST, status="succeeded", lock_group="inventory_cost")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_cannot_both_succeed(settings):
    support.company_with_items(1)
    barrier = threading.Barrier(4)
    outcomes = []

    def start(job):
        try:
            barrier.wait()
            outcomes.append(services.start_run(job, {}).pk)
        except Conflict as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(job,)) for job in (ADJUST, POST, ADJUST, POST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    services.wait_for_background(60)
    assert sorted(map(str, outcomes)).count("job_running") == 3
    assert JobRun.objects.count() == 1
    assert JobRun.objects.get().status == "succeeded"


# --------------------------------------------------------------------------------------- claim, takeover, sweep


def test_a_finished_run_is_skipped_on_redelivery():
    run = JobRun.objects.create(job=POST, status="succeeded", lock_group="inventory_cost", attempt=1)
    assert services.execute_run(run.pk) == services.SKIPPED
    assert services.execute_run(999999) == services.SKIPPED
    run.refresh_from_db()
    assert run.attempt == 1


def test_a_run_another_worker_is_running_is_busy_until_its_heartbeat_is_stale(settings):
    settings.JOBS_STALE_AFTER_SECONDS = 60
    support.company_with_items(2)
    run = active_run(started_at=timezone.now())
    assert services.execute_run(run.pk) == services.BUSY
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert services.execute_run(run.pk) == services.SUCCEEDED
    run.refresh_from_db()
    assert (run.status, run.attempt) == ("succeeded", 2)
    assert not PostValueEntryToGL.objects.exists()


def test_a_worker_that_was_taken_over_stops_and_writes_nothing():
    run = active_run(attempt=0, status="queued")
    first = services.claim(run.pk)
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    second = services.claim(run.pk)
    assert (first, second) == (1, 2)
    with pytest.raises(services.Superseded):
        services._Progress(run.pk, first)(1, 2)
    assert not services._finish(run.pk, first, status="succeeded")
    services._Progress(run.pk, second)(1, 2)
    run.refresh_from_db()
    assert (run.status, run.progress) == ("running", Decimal("0.5"))


def test_the_sweeper_fails_runs_whose_worker_was_lost(settings):
    settings.JOBS_STALE_AFTER_SECONDS = 120
    settings.JOBS_QUEUED_TIMEOUT_SECONDS = 3600
    lost = active_run(heartbeat_at=timezone.now() - timedelta(seconds=121))
    assert services.sweep_stale_runs() == 1
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error.startswith("Worker lost")
    alive = active_run(job=ADJUST)
    stuck = JobRun.objects.create(job=POST, status="queued", lock_group="other")
    JobRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert services.sweep_stale_runs() == 1
    alive.refresh_from_db()
    stuck.refresh_from_db()
    assert (alive.status, stuck.status) == ("running", "failed")
    assert stuck.error.startswith("No worker picked the run up")


def test_start_run_sweeps_first_so_a_lost_run_does_not_block_forever(settings, controller):
    settings.JOBS_STALE_AFTER_SECONDS = 120
    active_run(heartbeat_at=timezone.now() - timedelta(minutes=10))
    run = services.start_run(POST, {}, user=controller, synchronous=True)
    assert run.status == "succeeded"


# ------------------------------------------------------------------------------------------------------- cancel


def test_cancelling_a_queued_run_fails_it_at_once(controller):
    run = active_run(status="queued", attempt=0)
    run = services.cancel_run(run.pk, controller)
    assert (run.status, run.error) == ("failed", "Cancelled by Carl Cost.")
    assert services.execute_run(run.pk) == services.SKIPPED
    with pytest.raises(Conflict) as finished:
        services.cancel_run(run.pk, controller)
    assert finished.value.code == "job_finished"
    with pytest.raises(JobRun.DoesNotExist):
        services.cancel_run(999999, controller)


def test_a_cancelled_running_run_stops_after_its_batch(controller):
    run = active_run(attempt=0, status="queued")
    attempt = services.claim(run.pk)
    run = services.cancel_run(run.pk, controller)
    assert run.status == "running" and run.cancel_requested_at is not None
    with pytest.raises(services.JobCancelled):
        services._Progress(run.pk, attempt)(1, 10)


@pytest.mark.django_db(transaction=True)
def test_cancel_mid_run_keeps_the_committed_batches_and_the_next_run_finishes(settings, controller):
    settings.JOBS_TEST_BATCH_DELAY_MS = 150
    support.company_with_items(8)
    run = services.start_run(POST, {"chunk_size": 2}, user=controller)
    deadline = timezone.now() + timedelta(seconds=20)
    while JobRun.objects.get(pk=run.pk).progress == 0 and timezone.now() < deadline:
        threading.Event().wait(0.05)
    services.cancel_run(run.pk, controller)
    services.wait_for_background(30)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "Cancelled by Carl Cost.")
    left = PostValueEntryToGL.objects.count()
    assert 0 < left < 24
    support.assert_invariants(drained=False)
    settings.JOBS_TEST_BATCH_DELAY_MS = 0
    again = services.start_run(POST, {}, user=controller, synchronous=True)
    assert again.result["posted_value_entries"] == left
    assert ValueEntry.objects.count() == 24
    support.assert_invariants(drained=True)


# ---------------------------------------------------------------------------------------------------- schedule


def test_a_scheduled_start_while_a_run_is_active_records_why_it_did_not_start():
    active_run(job=ADJUST)
    run = services.start_scheduled_run(POST)
    assert (run.status, run.schedule) == ("failed", "Post Inventory Cost to G/L")
    assert run.error.startswith("Not started:")
