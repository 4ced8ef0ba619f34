"""Starting, running, cancelling and sweeping job runs (docs/jobs.md).

``start_run`` validates the parameters, refuses a second active run of the same lock group (checked first for a clear
message, enforced by the partial unique index ``jobrun_one_active_per_lock_group``), inserts the run and hands it to a
worker after commit: a Celery task with a broker, otherwise a thread of this process (pages) or the calling thread
(``synchronous=True``, the API).

``execute_run`` is what the worker does. It claims the run with a conditional UPDATE, calls one costing service with a
progress callback, and records the outcome; every write after the claim is fenced on the claimed ``attempt``, so a
worker that was given up for dead cannot overwrite the run of the worker that took over. The costing services commit
per batch and are idempotent (queue rows, cost-is-adjusted flags), so a run cut short is finished by the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from jobs.models import ACTIVE, LOCK_GROUPS, Job, JobRun, Status

log = logging.getLogger(__name__)

PER_ENTRY = "per_entry"
PER_POSTING_GROUP = "per_posting_group"

# Outcomes of execute_run, for the task (and the tests).
SUCCEEDED, FAILED, SKIPPED, BUSY, SUPERSEDED, RELEASED = (
    "succeeded",
    "failed",
    "skipped",
    "busy",
    "superseded",
    "released",
)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of one run (the last batch is always written)


class JobCancelled(Exception):
    """Raised from the progress callback when a user asked to cancel the run; the batches done so far stay."""


class Superseded(Exception):
    """Raised from the progress callback when this worker no longer owns the run (taken over or swept)."""


# --------------------------------------------------------------------------------------------------- parameters


def _bool(parameters: dict, name: str, default):
    value = parameters.get(name, default)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInput.field(name, _("%(field)s must be true or false.") % {"field": name})


def _items(parameters: dict) -> list[str]:
    items = parameters.get("items") or []
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) and 0 < len(i) <= 20 for i in items):
        raise InvalidInput.field("items", _("items must be a list of item numbers."))
    return sorted(set(items))


def _positive_int(parameters: dict, name: str) -> int | None:
    value = parameters.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise InvalidInput.field(name, _("%(field)s must be a whole number from 1 to 100000.") % {"field": name})
    return value


def validate_parameters(job: str, parameters: dict | None) -> dict:
    """The run's parameters, checked and normalised to JSON values; InvalidInput names the bad field."""
    from costing import gl_posting

    parameters = dict(parameters or {})
    if job == Job.ADJUST_COST:
        unknown = set(parameters) - {"items", "post_to_gl", "batch_size"}
        clean = {"items": _items(parameters), "post_to_gl": _bool(parameters, "post_to_gl", None)}
        if (size := _positive_int(parameters, "batch_size")) is not None:
            clean["batch_size"] = size
    elif job == Job.POST_INVENTORY_COST_TO_GL:
        unknown = set(parameters) - {"posting_method", "document_no", "post", "items", "posting_date_to", "chunk_size"}
        method = parameters.get("posting_method", PER_ENTRY)
        document_no = parameters.get("document_no") or ""
        if not isinstance(document_no, str) or len(document_no) > 40:
            raise InvalidInput.field("document_no", _("document_no is a text of at most 40 characters."))
        gl_posting.check_options(method, document_no or None)
        day = parameters.get("posting_date_to")
        if isinstance(day, str) and day:
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise InvalidInput.field("posting_date_to", _("posting_date_to must be a date (YYYY-MM-DD).")) from None
        elif day is not None and day != "" and not isinstance(day, date):
            raise InvalidInput.field("posting_date_to", _("posting_date_to must be a date (YYYY-MM-DD)."))
        clean = {
            "posting_method": method,
            "document_no": document_no,
            "post": _bool(parameters, "post", True),
            "items": _items(parameters),
            "posting_date_to": day.isoformat() if day else None,
        }
        if clean["post"] is None:
            clean["post"] = True
        if (size := _positive_int(parameters, "chunk_size")) is not None:
            clean["chunk_size"] = size
    else:
        raise InvalidInput.field("job", _("Unknown job %(job)s.") % {"job": job})
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput.field(name, _("Unknown parameter %(name)s.") % {"name": name})
    return clean


# ------------------------------------------------------------------------------------------------------ starting


def in_process() -> bool:
    """True without a broker (no REDIS_URL): Celery is eager, so runs execute in this process."""
    from config.celery import app

    return bool(app.conf.task_always_eager)


def _running_conflict(active: JobRun) -> Conflict:
    return Conflict(
        _("%(job)s is already %(status)s (run %(id)s). Wait until it finishes.")
        % {"job": active.get_job_display(), "status": active.get_status_display().lower(), "id": active.pk},
        code="job_running",
    )


def start_run(
    job: str, parameters: dict | None = None, *, user=None, schedule: str = "", synchronous: bool = False
) -> JobRun:
    """Create a queued run and hand it to a worker after commit; the run as it is on return.

    Refuses with ``Conflict(code="job_running")`` while a run of the same lock group is queued or running. With a
    broker the Celery task is sent after commit. Without one the run executes in this process: in a background
    thread after commit (pages; ``wait_for_background`` joins it), or, with ``synchronous=True``, at once in the
    calling thread, so the returned run has finished (the API answers 201 with it).
    """
    if job not in Job.values:
        raise InvalidInput.field("job", _("Unknown job %(job)s.") % {"job": job})
    clean = validate_parameters(job, parameters)
    group = LOCK_GROUPS[job]
    sweep_stale_runs()
    try:
        with transaction.atomic():
            active = JobRun.objects.filter(lock_group=group, status__in=ACTIVE).order_by("id").first()
            if active is not None:
                raise _running_conflict(active)
            run = JobRun.objects.create(
                job=job,
                parameters=clean,
                requested_by=user if user is not None and user.is_authenticated else None,
                schedule=schedule,
                lock_group=group,
            )
    except IntegrityError:
        # Another start_run inserted its run between our check and our insert; the partial unique index refused ours.
        active = JobRun.objects.filter(lock_group=group, status__in=ACTIVE).order_by("id").first()
        if active is None:
            raise
        raise _running_conflict(active) from None
    run_id = run.pk
    if synchronous and in_process():
        # The API without a broker: run now, in this thread (inside the caller's transaction, if it has one).
        execute_run(run_id)
    else:
        transaction.on_commit(lambda: dispatch(run_id))
    run.refresh_from_db()
    return run


def dispatch(run_id: int) -> None:
    """Hand a committed run to a worker. If the broker refuses the message, the run fails rather than stay queued."""
    if in_process():
        _start_background(run_id)
        return
    from jobs import tasks

    try:
        tasks.run_job.apply_async(args=[run_id])
    except Exception as exc:
        log.exception("could not queue job run %s", run_id)
        JobRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            error=f"Could not queue the job: {type(exc).__name__}: {exc}",
        )


_background: dict[int, threading.Thread] = {}
_background_lock = threading.Lock()


def _start_background(run_id: int) -> None:
    def target():
        try:
            execute_run(run_id)
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=f"job-run-{run_id}", daemon=True)
    with _background_lock:
        _background[run_id] = thread
    thread.start()


def wait_for_background(timeout: float = 60.0) -> None:
    """Join the in-process job threads (tests, and a clean shutdown). Raises TimeoutError if one is still running."""
    deadline = time.monotonic() + timeout
    with _background_lock:
        threads = list(_background.items())
    for run_id, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise TimeoutError(f"job run {run_id} is still running")
        with _background_lock:
            _background.pop(run_id, None)


# ------------------------------------------------------------------------------------------------------- running


def claim(run_id: int) -> int | None:
    """Take the run (queued -> running) or take over a run whose worker stopped beating: its attempt, or None."""
    with connection.cursor() as cur:
        cur.execute(
            """
            UPDATE jobs_jobrun
               SET status = 'running', attempt = attempt + 1, heartbeat_at = now(),
                   started_at = coalesce(started_at, now())
             WHERE id = %s
               AND (status = 'queued'
                    OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => %s)))
            RETURNING attempt
            """,
            [run_id, settings.JOBS_STALE_AFTER_SECONDS],
        )
        row = cur.fetchone()
    return row[0] if row else None


class _Heartbeat(threading.Thread):
    """Beats for a run every JOBS_HEARTBEAT_SECONDS on its own connection, also while one long batch runs."""

    def __init__(self, run_id: int, attempt: int):
        super().__init__(name=f"job-heartbeat-{run_id}", daemon=True)
        self.run_id, self.attempt = run_id, attempt
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(settings.JOBS_HEARTBEAT_SECONDS):
                try:
                    with connection.cursor() as cur:
                        cur.execute(
                            "UPDATE jobs_jobrun SET heartbeat_at = now() "
                            "WHERE id = %s AND attempt = %s AND status = 'running'",
                            [self.run_id, self.attempt],
                        )
                except Exception:  # noqa: BLE001 - a missed beat is not fatal; the next one may get through
                    log.warning("heartbeat of job run %s failed", self.run_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(5)


class _Progress:
    """The progress callback: writes progress and heartbeat (throttled), stops on cancel or when superseded."""

    def __init__(self, run_id: int, attempt: int):
        self.run_id, self.attempt = run_id, attempt
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        delay = settings.JOBS_TEST_BATCH_DELAY_MS
        if delay:
            time.sleep(delay / 1000)
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        fraction = Decimal(1) if total <= 0 else min(Decimal(1), Decimal(done) / Decimal(total))
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE jobs_jobrun SET progress = %s, heartbeat_at = now() "
                "WHERE id = %s AND attempt = %s AND status = 'running' RETURNING cancel_requested_at IS NOT NULL",
                [fraction.quantize(Decimal("0.0001")), self.run_id, self.attempt],
            )
            row = cur.fetchone()
        if row is None:
            raise Superseded
        if row[0]:
            raise JobCancelled


def _call_service(run: JobRun, progress) -> tuple[dict, str, str]:
    """Run the job's service; (result, error, error item). An error here means the run failed with a report."""
    from costing import gl_posting
    from costing.adjustment import adjust_cost

    params = run.parameters
    if run.job == Job.ADJUST_COST:
        report = adjust_cost(
            params.get("items") or None,
            post_to_gl=params.get("post_to_gl"),
            user=run.requested_by,
            batch_size=params.get("batch_size") or 500,
            progress=progress,
        )
        result = report.as_dict()
        if report.errors:
            item, message = sorted(report.errors.items())[0]
            error = f"Cost adjustment failed for {len(report.errors)} item(s); item {item}: {message}"
            return result, error, item
        return result, "", ""
    posting_date_to = params.get("posting_date_to")
    report = gl_posting.run_post_inventory_cost_to_gl(
        method=params.get("posting_method", PER_ENTRY),
        document_no=params.get("document_no") or None,
        post=params.get("post", True),
        items=params.get("items") or None,
        posting_date_to=date.fromisoformat(posting_date_to) if posting_date_to else None,
        user=run.requested_by,
        chunk_size=params.get("chunk_size") or 50_000,
        progress=progress,
    )
    return report.as_dict(), "", ""


def _finish(run_id: int, attempt: int, **fields) -> bool:
    fields.setdefault("finished_at", timezone.now())
    return bool(JobRun.objects.filter(pk=run_id, attempt=attempt, status=Status.RUNNING).update(**fields))


def _user_label(user) -> str:
    if user is None:
        return _("a user who no longer exists")
    return user.get_full_name() or user.get_username()


def execute_run(run_id: int, *, retry_transient: bool = False) -> str:
    """Claim and run a job run; return what happened (SUCCEEDED, FAILED, SKIPPED, BUSY, SUPERSEDED, RELEASED).

    A run that already finished is SKIPPED (a redelivered message). A run that another live worker is running is BUSY:
    the task looks again later and takes it over if that worker stops beating. With ``retry_transient`` an
    OperationalError (connection lost, deadlock) puts the run back to queued and is raised again for Celery to retry.
    """
    attempt = claim(run_id)
    if attempt is None:
        status = JobRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        return BUSY if status in ACTIVE else SKIPPED
    run = JobRun.objects.select_related("requested_by").get(pk=run_id)
    heartbeat = _Heartbeat(run_id, attempt)
    heartbeat.start()
    try:
        result, error, error_item = _call_service(run, _Progress(run_id, attempt))
    except JobCancelled:
        run.refresh_from_db(fields=["cancel_requested_by"])
        _finish(
            run_id,
            attempt,
            status=Status.FAILED,
            error=f"Cancelled by {_user_label(run.cancel_requested_by)}.",
        )
        return FAILED
    except Superseded:
        log.warning("job run %s attempt %s was taken over or swept; stopping", run_id, attempt)
        return SUPERSEDED
    except OperationalError as exc:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # a lost connection is reopened for the writes below
        if retry_transient:
            JobRun.objects.filter(pk=run_id, attempt=attempt, status=Status.RUNNING).update(
                status=Status.QUEUED, error=f"Retrying after: {exc}"
            )
            raise
        _finish(run_id, attempt, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return FAILED
    except Exception as exc:
        log.exception("job run %s failed", run_id)
        message = getattr(exc, "message", None) or str(exc)
        _finish(run_id, attempt, status=Status.FAILED, error=f"{type(exc).__name__}: {message}")
        return FAILED
    finally:
        heartbeat.stop()
    status = Status.FAILED if error else Status.SUCCEEDED
    done = _finish(
        run_id, attempt, status=status, progress=Decimal(1), result=result, error=error, error_item=error_item
    )
    return status.value if done else SUPERSEDED


# -------------------------------------------------------------------------------------------------- cancel, sweep


def cancel_run(run_id: int, user) -> JobRun:
    """Cancel a run: a queued run fails at once; a running one stops after its current batch (committed batches stay).

    Raises JobRun.DoesNotExist for an unknown run and Conflict(code="job_finished") for a finished one.
    """
    run = JobRun.objects.get(pk=run_id)
    now = timezone.now()
    label = _user_label(user)
    cancelled = JobRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.FAILED,
        finished_at=now,
        error=f"Cancelled by {label}.",
        cancel_requested_by=user,
        cancel_requested_at=now,
    )
    if not cancelled:
        cancelled = JobRun.objects.filter(pk=run_id, status=Status.RUNNING, cancel_requested_at__isnull=True).update(
            cancel_requested_by=user, cancel_requested_at=now
        )
    run.refresh_from_db()
    if not cancelled and run.status not in ACTIVE:
        raise Conflict(_("Run %(id)s has finished; there is nothing to cancel.") % {"id": run_id}, code="job_finished")
    return run


def sweep_stale_runs() -> int:
    """Fail runs whose worker stopped beating (killed, lost) and runs no worker picked up; the number failed.

    The heartbeat condition is in the UPDATE itself, so a run another worker has just taken over is left alone.
    """
    with connection.cursor() as cur:
        cur.execute(
            """
            UPDATE jobs_jobrun SET status = 'failed', finished_at = now(),
                   error = 'Worker lost: no heartbeat for ' || %s || ' seconds. The next run finishes the work.'
             WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => %s)
            """,
            [settings.JOBS_STALE_AFTER_SECONDS, settings.JOBS_STALE_AFTER_SECONDS],
        )
        lost = cur.rowcount
        cur.execute(
            """
            UPDATE jobs_jobrun SET status = 'failed', finished_at = now(),
                   error = 'No worker picked the run up within ' || %s || ' seconds.'
             WHERE status = 'queued' AND created_at < now() - make_interval(secs => %s)
            """,
            [settings.JOBS_QUEUED_TIMEOUT_SECONDS, settings.JOBS_QUEUED_TIMEOUT_SECONDS],
        )
        lost += cur.rowcount
    if lost:
        log.warning("swept %s stale job run(s)", lost)
    return lost


# ------------------------------------------------------------------------------------------------- schedules


def start_scheduled_run(job: str) -> JobRun:
    """What a schedule does: start the job with its scheduled parameters. While another run is active, record a failed
    run that says so (the next scheduled time tries again)."""
    from jobs import schedules

    name = schedules.schedule_name(job)
    try:
        return start_run(job, schedules.SCHEDULED_PARAMETERS[job], schedule=name)
    except Conflict as conflict:
        now = timezone.now()
        return JobRun.objects.create(
            job=job,
            parameters=validate_parameters(job, schedules.SCHEDULED_PARAMETERS[job]),
            schedule=name,
            lock_group=LOCK_GROUPS[job],
            status=Status.FAILED,
            started_at=now,
            finished_at=now,
            error=f"Not started: {conflict.message}",
        )
