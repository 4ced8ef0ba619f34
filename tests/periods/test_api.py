"""Inventory periods API (shared/spec/api.md): paths, fields, 409 bodies with problems, the log, and roles."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from core.roles import ensure_roles
from costing.adjustment import adjust_cost
from periods.models import InventoryPeriod
from tests.periods.conftest import line, post

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inventory-periods/"


@pytest.fixture
def api(books):
    ensure_roles()

    def client(role):
        user = User.objects.create_user(f"{role}-user")
        user.groups.add(Group.objects.get(name=role))
        c = APIClient()
        c.force_authenticate(user)
        return c

    return client


def test_create_list_retrieve_rename_and_delete(api):
    controller = api("controller")
    created = controller.post(BASE, {"ending_date": "2026-01-31", "name": "January"}, format="json")
    assert created.status_code == 201
    assert created.json() == {"ending_date": "2026-01-31", "name": "January", "closed": False}
    controller.post(BASE, {"ending_date": "2026-02-28", "name": "February"}, format="json")
    listed = controller.get(BASE).json()
    assert listed["count"] == 2
    assert [p["ending_date"] for p in listed["results"]] == ["2026-01-31", "2026-02-28"]
    assert controller.get(f"{BASE}2026-01-31/").json()["name"] == "January"
    assert controller.get(f"{BASE}2026-03-31/").status_code == 404
    renamed = controller.patch(f"{BASE}2026-02-28/", {"name": "Feb"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Feb"
    assert controller.delete(f"{BASE}2026-02-28/").status_code == 204
    assert list(InventoryPeriod.objects.values_list("ending_date", flat=True)) == [date(2026, 1, 31)]
    duplicate = controller.post(BASE, {"ending_date": "2026-01-31"}, format="json")
    assert duplicate.status_code == 400 and "ending_date" in duplicate.json()["errors"]


def test_close_reopen_and_the_log(api):
    controller = api("controller")
    for end in ("2026-01-31", "2026-02-28", "2026-03-31"):
        controller.post(BASE, {"ending_date": end}, format="json")
    closed = controller.post(f"{BASE}2026-02-28/close/")
    assert closed.status_code == 200
    body = closed.json()
    assert body["period"] == {"ending_date": "2026-02-28", "name": "", "closed": True}
    assert [(e["entry_type"], e["ending_date"], e["user"]) for e in body["entries"]] == [
        ("close", "2026-01-31", "controller-user"),
        ("close", "2026-02-28", "controller-user"),
    ]
    assert controller.delete(f"{BASE}2026-01-31/").json()["code"] == "inventory_period_closed"
    assert controller.patch(f"{BASE}2026-01-31/", {"name": "x"}, format="json").status_code == 409
    before = controller.post(BASE, {"ending_date": "2026-02-15"}, format="json")
    assert before.status_code == 409
    assert before.json()["detail"] == "You are not allowed to insert an inventory period that ends before 2026-03-01."
    reopened = controller.post(f"{BASE}2026-01-31/reopen/")
    assert reopened.status_code == 200
    assert [(e["entry_type"], e["ending_date"]) for e in reopened.json()["entries"]] == [
        ("reopen", "2026-02-28"),
        ("reopen", "2026-01-31"),
    ]
    log = controller.get("/api/v1/inventory-period-entries/").json()
    # Entry numbers come from a sequence, which an earlier test's rolled-back close may have moved on.
    first = log["results"][0]["entry_no"]
    assert [(e["entry_no"] - first, e["entry_type"], e["ending_date"]) for e in log["results"]] == [
        (0, "close", "2026-01-31"),
        (1, "close", "2026-02-28"),
        (2, "reopen", "2026-02-28"),
        (3, "reopen", "2026-01-31"),
    ]
    assert set(log["results"][0]) >= {"user", "created_at", "closing_item_register_no"}
    assert controller.get("/api/v1/inventory-period-entries/?entry_type=reopen").json()["count"] == 2
    detail = controller.get(f"/api/v1/inventory-period-entries/{first}/").json()
    assert detail["close_log"] == []


def test_close_refused_with_problems_and_the_close_test(api):
    controller = api("controller")
    controller.post(BASE, {"ending_date": "2026-01-31"}, format="json")
    post(line("purchase", date(2026, 1, 5), 1, unit_cost=10), line("sale", date(2026, 1, 8), 3))
    adjust_cost()
    test = controller.get(f"{BASE}2026-01-31/close-test/")
    assert test.status_code == 200
    body = test.json()
    assert body["can_close"] is False
    assert [(p["code"], p["item"], p["entry_no"]) for p in body["problems"]] == [("open_outbound_entry", "A", 2)]
    assert [w["code"] for w in body["warnings"]] == ["not_posted_to_gl"]
    refused = controller.post(f"{BASE}2026-01-31/close/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "close_test_failed"
    assert refused.json()["detail"].startswith("The inventory period ending 2026-01-31 cannot be closed")
    assert [(p["code"], p["entry_no"]) for p in refused.json()["problems"]] == [("open_outbound_entry", 2)]
    assert InventoryPeriod.objects.get().closed is False
    assert controller.get("/api/v1/inventory-period-entries/").json()["count"] == 0
    assert controller.get(f"{BASE}2026-02-28/close-test/").status_code == 404


@pytest.mark.parametrize("role", ["accountant", "integration"])
def test_only_controllers_and_admins_change_periods(api, role):
    admin = api("admin")
    admin.post(BASE, {"ending_date": "2026-01-31"}, format="json")
    other = api(role)
    assert other.get(BASE).status_code == 200
    assert other.get(f"{BASE}2026-01-31/close-test/").status_code == 200
    assert other.get("/api/v1/inventory-period-entries/").status_code == 200
    assert other.post(BASE, {"ending_date": "2026-02-28"}, format="json").status_code == 403
    assert other.patch(f"{BASE}2026-01-31/", {"name": "x"}, format="json").status_code == 403
    assert other.delete(f"{BASE}2026-01-31/").status_code == 403
    assert other.post(f"{BASE}2026-01-31/close/").status_code == 403
    assert admin.post(f"{BASE}2026-01-31/close/").status_code == 200
    assert other.post(f"{BASE}2026-01-31/reopen/").status_code == 403
    assert InventoryPeriod.objects.get().closed is True


def test_anonymous_gets_401(books):
    assert APIClient().get(BASE).status_code == 401
