"""Celery tasks of the jobs: thin, they take ids and call one service (jobs.services).

Correctness comes from the database, not the broker: ``run_job`` may be delivered twice (acks_late, a killed worker,
a visibility timeout) and only the conditional claim in ``services.execute_run`` decides who runs.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from jobs import services

TRANSIENT_RETRIES = 5


@shared_task(
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=TRANSIENT_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_job(self, run_id: int) -> str:
    """Run job run ``run_id``. A run another live worker holds is looked at again once its heartbeat could be stale:
    if that worker died, this one takes the run over; if it finished, there is nothing to do."""
    outcome = services.execute_run(run_id, retry_transient=self.request.retries < TRANSIENT_RETRIES)
    if outcome == services.BUSY:
        raise self.retry(countdown=settings.JOBS_STALE_AFTER_SECONDS + 1, max_retries=None)
    return outcome


@shared_task(acks_late=True)
def scheduled(job: str) -> int:
    """A schedule fired (django-celery-beat): start the job like a manual run; the run's id."""
    return services.start_scheduled_run(job).pk


@shared_task(expires=55)
def sweep() -> int:
    """Every minute (beat): fail runs whose worker stopped beating, so nothing stays running forever."""
    return services.sweep_stale_runs()
