"""Schedule Cost Adjustment and Posting (costing reference 6.2) with django-celery-beat, and the setup notice."""

import json

import pytest
from django_celery_beat.models import PeriodicTask

from core.errors import Conflict, InvalidInput
from costing.models import InventorySetup
from jobs import schedules, selectors, tasks
from jobs.models import JobRun

pytestmark = pytest.mark.django_db

NOTICE = (
    "If you turn off automatic cost adjustments or posting, you must do those tasks manually or schedule a job queue "
    "entry to run in the background."
)


def crontab(task):
    c = task.crontab
    return f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"


def test_the_assisted_setup_schedules_adjust_at_01_and_post_at_02_daily():
    created = schedules.schedule_cost_adjustment_and_posting()
    assert [(t.name, t.task, json.loads(t.kwargs), crontab(t)) for t in created] == [
        ("Adjust Cost - Item Entries", "jobs.tasks.scheduled", {"job": "adjust_cost"}, "0 1 * * *"),
        ("Post Inventory Cost to G/L", "jobs.tasks.scheduled", {"job": "post_inventory_cost_to_gl"}, "0 2 * * *"),
    ]
    info = schedules.describe("post_inventory_cost_to_gl")
    assert (info.formula, info.time, info.crontab, info.enabled) == ("1D", "02:00", "0 2 * * *", True)
    assert info.next_run is not None and (info.next_run.hour, info.next_run.minute) == (2, 0)


def test_a_job_that_has_a_schedule_gets_no_second_one():
    schedules.schedule_cost_adjustment_and_posting(post_to_gl=False)
    with pytest.raises(Conflict) as refused:
        schedules.schedule_cost_adjustment_and_posting()
    assert refused.value.code == "schedule_exists"
    assert PeriodicTask.objects.filter(task=schedules.TASK).count() == 1
    schedules.schedule_cost_adjustment_and_posting(adjust_cost=False)
    assert PeriodicTask.objects.filter(task=schedules.TASK).count() == 2
    with pytest.raises(InvalidInput):
        schedules.schedule_cost_adjustment_and_posting(adjust_cost=False, post_to_gl=False)


def test_time_and_days_are_editable():
    schedules.schedule_cost_adjustment_and_posting(post_to_gl=False)
    task = schedules.update_schedule("adjust_cost", hour=23, minute=30, days=[1, 3, 5], enabled=False)
    assert (crontab(task), task.enabled) == ("30 23 * * 1,3,5", False)
    info = schedules.describe("adjust_cost")
    assert (info.formula, info.time, info.next_run) == ("Mon, Wed, Fri", "23:30", None)
    task = schedules.update_schedule("adjust_cost", hour=1, minute=0, days=[0, 1, 2, 3, 4, 5, 6], enabled=True)
    assert crontab(task) == "0 1 * * *"
    with pytest.raises(InvalidInput):
        schedules.update_schedule("adjust_cost", hour=24, minute=0, days=None, enabled=True)
    with pytest.raises(Conflict):
        schedules.update_schedule("post_inventory_cost_to_gl", hour=2, minute=0, days=None, enabled=True)
    schedules.delete_schedule("adjust_cost")
    assert schedules.describe("adjust_cost") is None


def test_the_scheduled_task_starts_the_job_through_start_run():
    from tests.jobs import support

    support.company_with_items(1)
    run_id = tasks.scheduled.apply(args=["post_inventory_cost_to_gl"]).get()
    from jobs import services

    services.wait_for_background(30)
    run = JobRun.objects.get(pk=run_id)
    assert (run.schedule, run.requested_by, run.parameters["posting_method"], run.parameters["post"]) == (
        "Post Inventory Cost to G/L",
        None,
        "per_entry",
        True,
    )


@pytest.mark.parametrize(
    ("posting", "adjustment", "scheduled", "shown"),
    [
        (True, "always", [], False),
        (False, "always", [], True),
        (False, "always", ["post"], False),
        (True, "never", [], True),
        (True, "never", ["adjust"], False),
        (False, "never", ["adjust"], True),
        (False, "never", ["adjust", "post"], False),
    ],
)
def test_the_setup_notice(posting, adjustment, scheduled, shown):
    InventorySetup.objects.update_or_create(
        id=1, defaults={"automatic_cost_posting": posting, "automatic_cost_adjustment": adjustment}
    )
    if scheduled:
        schedules.schedule_cost_adjustment_and_posting(
            adjust_cost="adjust" in scheduled, post_to_gl="post" in scheduled
        )
    assert selectors.schedule_notice() == (NOTICE if shown else None)
