"""Inventory period pages: the list with its actions, confirmation pages that say what will happen, the close test,
the log with each close's log, and the controller's close checklist."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from costing.adjustment import adjust_cost
from costing.models import Item, PostValueEntryToGL
from periods import services
from periods.models import InventoryPeriod, InventoryPeriodEntry
from tests.periods.conftest import FEB28, JAN31, MAR31, line, post

pytestmark = pytest.mark.django_db


def signed_in(client, role):
    user = User.objects.create_user(f"{role}-user", password="x-long-enough-pass")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def controller(client, books):
    return signed_in(client, "controller")


@pytest.fixture
def accountant(client, books):
    return signed_in(client, "accountant")


@pytest.fixture
def periods(books):
    for end, name in ((JAN31, "January"), (FEB28, "February"), (MAR31, "March")):
        services.create_period(ending_date=end, name=name)


def test_list_and_create(controller, periods):
    page = controller.get("/inventory-periods/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "January" in html and "/inventory-periods/2026-01-31/close/" in html
    created = controller.post("/inventory-periods/", {"ending_date": "2026-04-30", "name": "April"})
    assert created.status_code == 302
    assert InventoryPeriod.objects.filter(ending_date=date(2026, 4, 30), name="April").exists()
    services.close_period(MAR31)
    refused = controller.post("/inventory-periods/", {"ending_date": "2026-03-15"})
    assert refused.status_code == 200
    assert "You are not allowed to insert an inventory period that ends before 2026-04-01." in refused.content.decode()


def test_accountant_sees_the_periods_but_cannot_change_them(accountant, periods):
    html = accountant.get("/inventory-periods/").content.decode()
    assert "January" in html and "/close/" not in html and 'name="ending_date"' not in html
    assert accountant.post("/inventory-periods/", {"ending_date": "2026-04-30"}).status_code == 403
    assert accountant.get("/inventory-periods/2026-01-31/close/").status_code == 403
    assert accountant.post("/inventory-periods/2026-01-31/close/").status_code == 403
    assert accountant.post("/inventory-periods/2026-01-31/delete/").status_code == 403
    assert accountant.post("/close-checklist/adjust-cost/").status_code == 403
    assert accountant.get("/inventory-periods/2026-01-31/close-test/").status_code == 200
    assert accountant.get("/close-checklist/").status_code == 200
    assert not InventoryPeriod.objects.filter(closed=True).exists()


def test_close_confirmation_lists_the_earlier_open_periods_it_closes(controller, periods):
    page = controller.get("/inventory-periods/2026-02-28/close/").content.decode()
    assert "This function closes the inventory up to 2026-02-28." in page
    assert "Closing this period also closes these earlier open periods:" in page
    assert "2026-01-31 January" in page and "2026-03-31" not in page
    done = controller.post("/inventory-periods/2026-02-28/close/")
    assert done.status_code == 302
    assert list(InventoryPeriod.objects.filter(closed=True).values_list("name", flat=True)) == ["January", "February"]


def test_close_page_shows_the_problems_and_refuses(controller, periods):
    post(line("sale", date(2026, 1, 8), 3))
    adjust_cost()
    page = controller.get("/inventory-periods/2026-01-31/close/").content.decode()
    assert "Item ledger entry 1 is open" in page and "Yes, close the period" not in page
    refused = controller.post("/inventory-periods/2026-01-31/close/")
    assert refused.status_code == 409
    assert "Item ledger entry 1 is open" in refused.content.decode()
    assert not InventoryPeriod.objects.filter(closed=True).exists()


def test_reopen_confirmation_lists_the_closes_it_reverses_newest_first(controller, periods):
    services.close_period(MAR31)
    page = controller.get("/inventory-periods/2026-02-28/reopen/").content.decode()
    assert "These closes are reversed, newest first:" in page
    assert page.index("2026-03-31 March") < page.index("2026-02-28 February")
    assert "2026-01-31 January" not in page
    assert controller.post("/inventory-periods/2026-02-28/reopen/").status_code == 302
    assert list(InventoryPeriod.objects.filter(closed=True).values_list("name", flat=True)) == ["January"]


def test_a_closed_period_cannot_be_deleted_from_the_page(controller, periods):
    services.close_period(JAN31)
    assert (
        "A closed period cannot be deleted." in controller.get("/inventory-periods/2026-01-31/delete/").content.decode()
    )
    response = controller.post("/inventory-periods/2026-01-31/delete/", follow=True)
    assert "is closed: you cannot delete it" in response.content.decode()
    assert controller.post("/inventory-periods/2026-02-28/delete/").status_code == 302
    assert not InventoryPeriod.objects.filter(ending_date=FEB28).exists()


def test_close_test_page(controller, periods):
    post(line("negative_adjmt", date(2026, 1, 10), 2, location="EAST"))
    post(line("positive_adjmt", date(2026, 1, 11), 2, location="WEST", applies_from_entry=1))
    adjust_cost()
    html = controller.get("/inventory-periods/2026-01-31/close-test/").content.decode()
    assert "2 problems prevent closing this period." in html
    assert "Post a positive adjustment of 2 at location EAST with Applies-from Entry 1" in html
    assert "value entries of item A dated on or before 2026-01-31 are not posted to the G/L yet" in html


def test_log_pages_show_each_close_and_its_close_log(controller, periods):
    post(line("purchase", date(2026, 1, 5), 5, unit_cost=10, invoiced_quantity=0))
    post(line("sale", date(2026, 1, 10), 2))
    adjust_cost()
    services.close_period(JAN31)
    services.reopen_period(JAN31)
    html = controller.get("/inventory-period-entries/").content.decode()
    assert "Re-open" in html and "1 warning" in html
    entry = InventoryPeriodEntry.objects.get(entry_type="close")
    detail = controller.get(f"/inventory-period-entries/{entry.entry_no}/").content.decode()
    assert "it is applied to receipt 1, which is not completely invoiced" in detail


def test_close_checklist_steps_and_buttons(controller, periods):
    post(line("purchase", date(2026, 1, 5), 5, unit_cost=10), line("sale", date(2026, 1, 10), 2))
    page = controller.get("/close-checklist/?period=2026-01-31")
    html = page.content.decode()
    assert page.context["steps_done"] == {
        "adjust": False,
        "post": False,
        "reconcile": False,
        "test": False,
        "close": False,
    }
    assert "Run Adjust Cost - Item Entries" in html
    controller.post("/close-checklist/adjust-cost/", {"period": "2026-01-31"})
    assert Item.objects.get(no="A").cost_is_adjusted
    controller.post("/close-checklist/post-to-gl/", {"period": "2026-01-31"})
    assert not PostValueEntryToGL.objects.exists()
    page = controller.get("/close-checklist/?period=2026-01-31")
    assert page.context["steps_done"] == {"adjust": True, "post": True, "reconcile": True, "test": True, "close": False}
    recon = page.context["reconciliation"]
    assert (recon.gl_balance, recon.inventory_value, recon.difference) == (30, 30, 0)
    assert "/inventory-periods/2026-01-31/close/" in page.content.decode()
