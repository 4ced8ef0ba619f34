"""Reads for the Jobs page, the API and other apps' pages (the inventory setup notice)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs import schedules
from jobs.models import ACTIVE, Job, JobRun

SCHEDULE_NOTICE = gettext_noop(
    "If you turn off automatic cost adjustments or posting, you must do those tasks manually or schedule a job queue "
    "entry to run in the background."
)


def job_runs(job: str | None = None, status: str | None = None) -> QuerySet[JobRun]:
    """Runs, newest first, with who asked for them."""
    runs = JobRun.objects.select_related("requested_by", "cancel_requested_by").order_by("-id")
    if job:
        runs = runs.filter(job=job)
    if status:
        runs = runs.filter(status=status)
    return runs


def latest_runs(job: str | None = None, limit: int = 20) -> list[JobRun]:
    return list(job_runs(job)[:limit])


def active_runs() -> list[JobRun]:
    return list(job_runs().filter(status__in=ACTIVE))


def last_successful_run(job: str) -> JobRun | None:
    return job_runs(job, "succeeded").first()


def schedules_by_job() -> dict[str, schedules.ScheduleInfo | None]:
    return {job: schedules.describe(job) for job in Job.values}


def schedule_notice() -> str | None:
    """Costing reference 6.2 (codeunit 2847): the inventory setup notice, or None.

    Shown when automatic cost posting is off and Post Inventory Cost to G/L has no schedule, or when automatic cost
    adjustment is Never and Adjust Cost has no schedule. Business Central shows it on the change itself; a page shows
    it whenever the condition holds, which is also when its "Schedule a job queue entry" action is visible.
    """
    from costing.models import InventorySetup

    setup = InventorySetup.get()
    posting_unscheduled = (
        not setup.automatic_cost_posting and schedules.periodic_task(Job.POST_INVENTORY_COST_TO_GL) is None
    )
    adjusting_unscheduled = (
        setup.automatic_cost_adjustment == "never" and schedules.periodic_task(Job.ADJUST_COST) is None
    )
    if posting_unscheduled or adjusting_unscheduled:
        return _(SCHEDULE_NOTICE)
    return None
