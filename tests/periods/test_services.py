"""Inventory period services (costing reference 4.10): create, rename, delete, close and reopen with their cascades
and log entries; closing refuses with the close test's problems and changes nothing."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from core.errors import Conflict, InvalidInput
from costing.adjustment import adjust_cost
from costing.models import ItemRegister
from periods import services
from periods.models import InventoryPeriod, InventoryPeriodEntry
from tests.periods.conftest import FEB28, JAN31, MAR31, line, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_periods(books):
    for end, name in ((JAN31, "January"), (FEB28, "February"), (MAR31, "March")):
        services.create_period(ending_date=end, name=name)


def closed():
    return list(InventoryPeriod.objects.filter(closed=True).values_list("ending_date", flat=True))


def log():
    return list(InventoryPeriodEntry.objects.order_by("entry_no").values_list("entry_type", "ending_date"))


def test_closing_a_period_closes_every_earlier_open_one_with_one_log_entry_each(three_periods):
    controller = User.objects.create_user("carl")
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10))
    adjust_cost()
    entries = services.close_period(FEB28, user=controller)
    assert closed() == [JAN31, FEB28]
    assert log() == [("close", JAN31), ("close", FEB28)]
    last_register = ItemRegister.objects.order_by("-no").first().no
    assert [(e.user, e.closing_item_register_no) for e in entries] == [(controller, last_register)] * 2
    assert InventoryPeriodEntry.objects.get(ending_date=JAN31).description == "Closed with February."


def test_reopening_a_period_reopens_every_later_closed_one_newest_first(three_periods):
    services.close_period(MAR31)
    services.reopen_period(FEB28)
    assert closed() == [JAN31]
    assert log()[3:] == [("reopen", MAR31), ("reopen", FEB28)]
    # Reopening the earliest now reverses only what is still closed.
    services.reopen_period(JAN31)
    assert closed() == []
    assert log()[5:] == [("reopen", JAN31)]


def test_closing_or_reopening_twice_is_refused(three_periods):
    services.close_period(JAN31)
    with pytest.raises(Conflict) as refused:
        services.close_period(JAN31)
    assert refused.value.code == "already_closed"
    with pytest.raises(Conflict) as refused:
        services.reopen_period(FEB28)
    assert refused.value.code == "not_closed"


def test_closing_with_problems_is_refused_listing_them_and_nothing_changes(three_periods):
    post(line("sale", date(2026, 1, 20), 2))  # negative inventory: an open outbound entry
    with pytest.raises(services.PeriodNotClean) as refused:
        services.close_period(FEB28)
    assert refused.value.status_code == 409
    codes = {(p["code"], p["item"], p["entry_no"]) for p in refused.value.problems}
    assert ("open_outbound_entry", "A", 1) in codes
    assert ("item_not_adjusted", "A", 1) in codes
    assert closed() == []
    assert log() == []


def test_a_closed_period_cannot_be_deleted_or_renamed(three_periods):
    services.close_period(JAN31)
    with pytest.raises(Conflict) as refused:
        services.delete_period(JAN31)
    assert refused.value.code == "inventory_period_closed"
    with pytest.raises(Conflict):
        services.rename_period(JAN31, name="Jan")
    assert InventoryPeriod.objects.get(ending_date=JAN31).name == "January"
    services.rename_period(FEB28, name="Feb")
    services.delete_period(MAR31)
    assert list(InventoryPeriod.objects.values_list("ending_date", "name")) == [(JAN31, "January"), (FEB28, "Feb")]


def test_a_period_ending_on_or_before_a_closed_period_cannot_be_inserted(three_periods):
    services.close_period(FEB28)
    for end in (date(2026, 2, 10), FEB28, date(2025, 12, 31)):
        with pytest.raises(Conflict) as refused:
            services.create_period(ending_date=end)
        assert refused.value.message == "You are not allowed to insert an inventory period that ends before 2026-03-01."
    services.create_period(ending_date=date(2026, 4, 30))
    with pytest.raises(InvalidInput):
        services.create_period(ending_date=MAR31)


def test_close_log_records_what_could_not_be_settled_up_to_the_closing_date(three_periods):
    """Seed 003: issues applied to receipts not completely invoiced (provisional cost), and issues settled against
    receipts posted after the closing date, are logged per close and can be read afterwards."""
    post(line("purchase", date(2026, 1, 5), 5, unit_cost=10, invoiced_quantity=0))  # 1: received, not invoiced
    post(line("sale", date(2026, 1, 10), 2))  # 2: applied to 1 -> provisional cost
    post(line("purchase", date(2026, 1, 12), 3, unit_cost=10))  # 3: invoiced
    post(line("sale", date(2026, 1, 20), 6))  # 4: 3 from entry 1, 3 from entry 3; nothing left
    post(line("sale", date(2026, 1, 25), 1, location="EAST"))  # 5: negative inventory at EAST
    post(line("purchase", date(2026, 2, 3), 1, unit_cost=10, location="EAST"))  # 6: closes 5 after Jan 31
    adjust_cost()
    services.close_period(FEB28)
    january = InventoryPeriodEntry.objects.get(ending_date=JAN31)
    assert list(
        january.log_lines.order_by("item_ledger_entry_no", "inbound_entry_no").values_list(
            "reason", "item_ledger_entry_no", "quantity", "inbound_entry_no"
        )
    ) == [
        ("provisional_cost", 2, 2, 1),
        ("provisional_cost", 4, 3, 1),
        ("receipt_after_closing_date", 5, 1, 6),
    ]
    line5 = january.log_lines.get(item_ledger_entry_no=5)
    assert "received on 2026-02-03, after the closing date" in line5.message
    # February's close covers February's issues only: none.
    assert InventoryPeriodEntry.objects.get(ending_date=FEB28).log_lines.count() == 0
