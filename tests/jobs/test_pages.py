"""The Jobs page: what each role sees, run now with a live progress partial, cancel, schedules, the notice."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from core.roles import ensure_roles
from jobs import services
from jobs.models import JobRun
from tests.jobs import support

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    ensure_roles()

    def as_role(role):
        user, _created = User.objects.get_or_create(
            username=f"u-{role}", defaults={"first_name": role.title(), "last_name": "User"}
        )
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        return client

    return as_role


def test_an_accountant_sees_runs_and_schedules_but_no_buttons(login):
    JobRun.objects.create(job="adjust_cost", status="failed", lock_group="inventory_cost", error="Worker lost: test")
    page = login("accountant").get(reverse("jobs"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Worker lost: test" in html
    assert 'id="schedules"' in html
    assert 'id="run-adjust-cost"' not in html
    assert "needs the controller or admin role" in html
    assert login("accountant").post(reverse("jobs-run", args=["adjust_cost"])).status_code == 403
    assert not JobRun.objects.filter(status="queued").exists()


def test_the_notice_shows_until_both_jobs_are_scheduled(login):
    support.company_with_items(1)  # automatic cost posting off, adjustment never
    client = login("controller")
    assert 'id="schedule-notice"' in client.get(reverse("jobs")).content.decode()
    response = client.post(reverse("jobs-schedule-setup"), {"adjust_cost": "on", "post_to_gl": "on"})
    assert response.status_code == 302
    assert PeriodicTask.objects.filter(task="jobs.tasks.scheduled").count() == 2
    html = client.get(reverse("jobs")).content.decode()
    assert 'id="schedule-notice"' not in html
    assert "0 1 * * *" in html and "0 2 * * *" in html and "1D" in html
    again = client.post(reverse("jobs-schedule-setup"), {"adjust_cost": "on"}, follow=True)
    assert "already has a schedule" in again.content.decode()
    assert PeriodicTask.objects.filter(task="jobs.tasks.scheduled").count() == 2


def test_a_schedule_is_edited_and_deleted_on_the_page(login):
    client = login("controller")
    client.post(reverse("jobs-schedule-setup"), {"adjust_cost": "on"})
    edit = reverse("jobs-schedule-edit", args=["adjust_cost"])
    response = client.post(
        edit, {"adjust_cost-time": "03:15", "adjust_cost-days": ["1", "2", "3", "4", "5"]}, follow=True
    )
    html = response.content.decode()
    assert "15 3 * * 1,2,3,4,5" in html and "Mon, Tue, Wed, Thu, Fri" in html
    assert not PeriodicTask.objects.get(name="Adjust Cost - Item Entries").enabled
    client.post(edit, {"delete": "1"})
    assert not PeriodicTask.objects.filter(task="jobs.tasks.scheduled").exists()


@pytest.mark.django_db(transaction=True)
def test_run_now_runs_in_the_background_and_the_partial_polls_while_it_runs(login, settings):
    support.company_with_items(6)
    settings.JOBS_TEST_BATCH_DELAY_MS = 300
    client = login("controller")
    response = client.post(
        reverse("jobs-run", args=["post_inventory_cost_to_gl"]), {"posting_method": "per_entry", "post": "on"}
    )
    assert response.status_code == 302
    run = JobRun.objects.get()
    partial = client.get(reverse("jobs-runs"), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert f'data-run="{run.pk}"' in partial
    refused = client.post(reverse("jobs-run", args=["adjust_cost"]), {}, follow=True).content.decode()
    assert "already" in refused
    services.wait_for_background(30)
    partial = client.get(reverse("jobs-runs")).content.decode()
    assert 'hx-trigger="every 1s"' not in partial
    assert 'data-status="succeeded"' in partial
    assert "18 value entries, 36 G/L entries" in partial
    assert "Controller User" in partial


def test_cancel_a_queued_run_on_the_page(login):
    run = JobRun.objects.create(job="adjust_cost", lock_group="inventory_cost")
    client = login("controller")
    html = client.get(reverse("jobs")).content.decode()
    assert reverse("jobs-cancel", args=[run.pk]) in html
    response = client.post(reverse("jobs-cancel", args=[run.pk]), follow=True)
    assert "is cancelled" in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "Cancelled by Controller User.")


def test_a_bad_option_is_reported_and_nothing_runs(login):
    client = login("controller")
    response = client.post(
        reverse("jobs-run", args=["post_inventory_cost_to_gl"]),
        {"posting_method": "per_posting_group", "document_no": ""},
        follow=True,
    )
    assert "Enter a document no. when posting per posting group." in response.content.decode()
    assert not JobRun.objects.exists()
