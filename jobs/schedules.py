"""Schedules of the two jobs as django-celery-beat periodic tasks (costing reference 6.2).

"Schedule Cost Adjustment and Posting" creates Adjust Cost daily at 01:00 and Post Inventory Cost to G/L (per entry,
no document no., post) daily at 02:00, as crontab periodic tasks calling ``jobs.tasks.scheduled(job)``, which goes
through ``services.start_run`` like a manual run. A job that already has a schedule gets no second one.

Business Central's "next run date formula" 1D is a crontab on every day of the week; the Jobs page edits the time and
the days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core.errors import Conflict, InvalidInput
from jobs.models import Job

TASK = "jobs.tasks.scheduled"
DEFAULT_TIMES = {Job.ADJUST_COST: (1, 0), Job.POST_INVENTORY_COST_TO_GL: (2, 0)}
SCHEDULED_PARAMETERS = {
    Job.ADJUST_COST: {},
    # Codeunit 2846: report 1002 with Posting Method = per Entry, Document No. blank, Post = Yes.
    Job.POST_INVENTORY_COST_TO_GL: {"posting_method": "per_entry", "document_no": "", "post": True},
}
# Crontab day numbers (0 = Sunday) in the order the page shows them, Monday first.
WEEKDAYS = [1, 2, 3, 4, 5, 6, 0]
EVERY_DAY = "*"

# pg_advisory_xact_lock key for "the job schedules" (any fixed number no other lock uses): creating schedules is
# check-then-insert, so two wizards at once must not both pass the check.
SCHEDULES_LOCK = 0x436F7374_4A6F6273  # "Cost" "Jobs"


def schedule_name(job: str) -> str:
    """The periodic task's name (unique in django-celery-beat; also the run's ``schedule``)."""
    return {Job.ADJUST_COST: "Adjust Cost - Item Entries", Job.POST_INVENTORY_COST_TO_GL: "Post Inventory Cost to G/L"}[
        job
    ]


def _kwargs(job: str) -> str:
    return json.dumps({"job": job})


def periodic_task(job: str) -> PeriodicTask | None:
    """The job's schedule, if it has one (by name, or by task and arguments if someone renamed it in the admin)."""
    return (
        PeriodicTask.objects.select_related("crontab")
        .filter(Q(name=schedule_name(job)) | Q(task=TASK, kwargs=_kwargs(job)))
        .order_by("id")
        .first()
    )


def _crontab(hour: int, minute: int, days: list[int] | None) -> CrontabSchedule:
    if not (0 <= hour <= 23):
        raise InvalidInput.field("time", _("The hour must be from 0 to 23."))
    if not (0 <= minute <= 59):
        raise InvalidInput.field("time", _("The minute must be from 0 to 59."))
    days = sorted(set(days or WEEKDAYS))
    if any(d not in WEEKDAYS for d in days):
        raise InvalidInput.field("days", _("Days are numbers from 0 (Sunday) to 6 (Saturday)."))
    day_of_week = EVERY_DAY if len(days) == 7 else ",".join(str(d) for d in days)
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week=day_of_week,
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    return crontab


def _lock() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULES_LOCK])


def schedule_cost_adjustment_and_posting(*, adjust_cost: bool = True, post_to_gl: bool = True) -> list[PeriodicTask]:
    """The assisted setup: Adjust Cost daily at 01:00 and Post Inventory Cost to G/L daily at 02:00.

    Refuses with Conflict(code="schedule_exists"), creating nothing, when a chosen job already has a schedule.
    """
    jobs = [j for j, wanted in ((Job.ADJUST_COST, adjust_cost), (Job.POST_INVENTORY_COST_TO_GL, post_to_gl)) if wanted]
    if not jobs:
        raise InvalidInput.field("jobs", _("Choose at least one job to schedule."))
    created = []
    with transaction.atomic():
        _lock()
        for job in jobs:
            if periodic_task(job) is not None:
                raise Conflict(
                    _("%(job)s already has a schedule; change that one instead.") % {"job": Job(job).label},
                    code="schedule_exists",
                )
        for job in jobs:
            hour, minute = DEFAULT_TIMES[job]
            created.append(
                PeriodicTask.objects.create(
                    name=schedule_name(job),
                    task=TASK,
                    kwargs=_kwargs(job),
                    crontab=_crontab(hour, minute, None),
                    description=_("Created by Schedule Cost Adjustment and Posting."),
                )
            )
    return created


def update_schedule(job: str, *, hour: int, minute: int, days: list[int] | None, enabled: bool) -> PeriodicTask:
    """Change the time, the days (None or all seven = every day, formula 1D) and whether the schedule is on."""
    with transaction.atomic():
        _lock()
        task = periodic_task(job)
        if task is None:
            raise Conflict(_("%(job)s has no schedule.") % {"job": Job(job).label}, code="no_schedule")
        task.crontab = _crontab(hour, minute, days)
        task.enabled = enabled
        task.save()
    return task


def delete_schedule(job: str) -> None:
    with transaction.atomic():
        _lock()
        task = periodic_task(job)
        if task is None:
            raise Conflict(_("%(job)s has no schedule.") % {"job": Job(job).label}, code="no_schedule")
        task.delete()


@dataclass
class ScheduleInfo:
    job: str
    name: str
    enabled: bool
    hour: int
    minute: int
    days: list[int]
    crontab: str
    formula: str
    next_run: datetime | None
    last_run_at: datetime | None

    @property
    def time(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def describe(job: str) -> ScheduleInfo | None:
    task = periodic_task(job)
    if task is None or task.crontab is None:
        return None
    cron = task.crontab
    days = WEEKDAYS if cron.day_of_week == EVERY_DAY else [int(d) for d in cron.day_of_week.split(",") if d.strip()]
    hour, minute = int(cron.hour), int(cron.minute)
    formula = "1D" if len(days) == 7 else ", ".join(_weekday_name(d) for d in WEEKDAYS if d in days)
    next_run = None
    if task.enabled:
        now = timezone.now()
        # The estimate is computed from Celery's own clock reading; round off the microseconds between the two.
        estimate = now + cron.schedule.remaining_estimate(now) + timedelta(seconds=30)
        next_run = estimate.replace(second=0, microsecond=0)
    return ScheduleInfo(
        job=job,
        name=task.name,
        enabled=task.enabled,
        hour=hour,
        minute=minute,
        days=days,
        crontab=f"{cron.minute} {cron.hour} {cron.day_of_month} {cron.month_of_year} {cron.day_of_week}",
        formula=formula,
        next_run=next_run,
        last_run_at=task.last_run_at,
    )


def _weekday_name(day: int) -> str:
    names = {1: _("Mon"), 2: _("Tue"), 3: _("Wed"), 4: _("Thu"), 5: _("Fri"), 6: _("Sat"), 0: _("Sun")}
    return str(names[day])
