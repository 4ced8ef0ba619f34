"""The jobs API: start (201 in-process, 202 queued, 409 running), runs list and detail, cancel, roles."""

import pytest
from django.utils import timezone

from costing.models import Item, PostValueEntryToGL
from jobs import services
from jobs.models import JobRun
from tests.jobs import support

pytestmark = pytest.mark.django_db

ADJUST_URL = "/api/v1/jobs/adjust-cost/"
POST_URL = "/api/v1/jobs/post-inventory-cost-to-gl/"
CONTRACT_FIELDS = {"id", "job", "status", "parameters", "started_at", "finished_at", "progress", "result", "error"}


@pytest.fixture
def controller_api(client_for):
    return client_for("carl", "controller")


def test_adjust_cost_runs_in_process_and_answers_201_with_the_finished_run(controller_api):
    support.company_with_items(2)
    response = controller_api.post(ADJUST_URL, {"items": ["J001"], "post_to_gl": False}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert (body["job"], body["status"], body["progress"], body["error"]) == ("adjust_cost", "succeeded", 1.0, "")
    assert body["parameters"] == {"items": ["J001"], "post_to_gl": False}
    assert body["result"]["items_adjusted"] == 1
    assert body["requested_by"] == "carl"
    assert list(Item.objects.order_by("no").values_list("cost_is_adjusted", flat=True)) == [False, True]
    detail = controller_api.get(f"/api/v1/job-runs/{body['id']}/")
    assert detail.status_code == 200
    assert detail.json() == body


def test_a_running_job_gives_409(controller_api):
    running = JobRun.objects.create(
        job="adjust_cost", status="running", lock_group="inventory_cost", heartbeat_at=timezone.now()
    )
    for url, data in ((ADJUST_URL, {}), (POST_URL, {"posting_method": "per_entry"})):
        response = controller_api.post(url, data, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "job_running"
        assert str(running.pk) in response.json()["detail"]


def test_with_a_broker_the_run_is_queued_and_answers_202(
    controller_api, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs import tasks

    sent = []
    monkeypatch.setattr(services, "in_process", lambda: False)
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = controller_api.post(POST_URL, {"posting_method": "per_entry", "post": False}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["started_at"], body["progress"]) == ("queued", None, 0.0)
    assert sent == [[body["id"]]]


def test_a_broker_that_refuses_the_message_fails_the_run(
    controller_api, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs import tasks

    def refuse(args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(services, "in_process", lambda: False)
    monkeypatch.setattr(tasks.run_job, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = controller_api.post(ADJUST_URL, {}, format="json")
    run = JobRun.objects.get(pk=response.json()["id"])
    assert run.status == "failed" and "Redis is down" in run.error
    # So the next request is not refused as running.
    monkeypatch.setattr(tasks.run_job, "apply_async", lambda args: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert controller_api.post(ADJUST_URL, {}, format="json").status_code == 202


def test_post_options_are_checked(controller_api):
    response = controller_api.post(POST_URL, {"posting_method": "per_entry", "document_no": "X"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["document_no"]
    response = controller_api.post(POST_URL, {"posting_method": "per_posting_group"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["document_no"]
    response = controller_api.post(ADJUST_URL, {"post_to_gl": "maybe"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["post_to_gl"]
    assert not JobRun.objects.exists()


def test_runs_list_filters_by_job_and_status(controller_api, accountant_api):
    support.company_with_items(1)
    controller_api.post(ADJUST_URL, {}, format="json")
    controller_api.post(POST_URL, {"posting_method": "per_entry"}, format="json")
    JobRun.objects.create(job="adjust_cost", status="failed", lock_group="inventory_cost", error="boom")
    everything = accountant_api.get("/api/v1/job-runs/").json()
    assert [r["job"] for r in everything["results"]] == ["adjust_cost", "post_inventory_cost_to_gl", "adjust_cost"]
    adjust = accountant_api.get("/api/v1/job-runs/?job=adjust_cost&status=succeeded").json()
    assert [(r["job"], r["status"]) for r in adjust["results"]] == [("adjust_cost", "succeeded")]
    assert accountant_api.get("/api/v1/job-runs/999999/").status_code == 404
    assert not PostValueEntryToGL.objects.exists()


def test_cancel_a_queued_run(controller_api, accountant_api):
    run = JobRun.objects.create(job="adjust_cost", lock_group="inventory_cost")
    assert accountant_api.post(f"/api/v1/job-runs/{run.pk}/cancel/").status_code == 403
    response = controller_api.post(f"/api/v1/job-runs/{run.pk}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["error"]) == ("failed", "Cancelled by carl.")
    again = controller_api.post(f"/api/v1/job-runs/{run.pk}/cancel/")
    assert (again.status_code, again.json()["code"]) == (409, "job_finished")
    assert controller_api.post("/api/v1/job-runs/999999/cancel/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("accountant", 403), ("integration", 403), ("admin", 201)])
def test_starting_a_job_needs_run_jobs(client_for, role, status):
    support.company_with_items(1)
    api = client_for(f"u-{role}", role)
    assert api.post(ADJUST_URL, {}, format="json").status_code == status
    assert api.get("/api/v1/job-runs/").status_code == 200


def test_anonymous_gets_401(anonymous_api):
    assert anonymous_api.post(ADJUST_URL, {}, format="json").status_code == 401
    assert anonymous_api.get("/api/v1/job-runs/").status_code == 401
