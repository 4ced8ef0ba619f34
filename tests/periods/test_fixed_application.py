"""Seed 004: a fixed application made with Applies-from Entry applies cost, not quantity. When the inbound entry does
not close the outbound entry it takes its cost from, both stay open and the period cannot be closed until the two
corrective postings of the seed close them."""

from datetime import date

import pytest

from costing.adjustment import adjust_cost
from costing.models import ItemApplicationEntry, ItemLedgerEntry
from periods import selectors, services
from periods.models import InventoryPeriod
from tests.periods.conftest import JAN31, line, post

pytestmark = pytest.mark.django_db


def open_entries():
    return list(ItemLedgerEntry.objects.filter(open=True).order_by("entry_no").values_list("entry_no", flat=True))


def test_a_return_fixed_applied_to_a_closed_sale_is_ordinary_stock(books):
    services.create_period(ending_date=JAN31)
    post(line("purchase", date(2026, 1, 5), 5, unit_cost=10))
    post(line("sale", date(2026, 1, 10), 2))
    post(line("positive_adjmt", date(2026, 1, 12), 1, applies_from_entry=2))  # the return of one unit
    post(line("transfer", date(2026, 1, 14), 1, new_location="EAST"))
    adjust_cost()
    assert open_entries() == [1, 3, 5]
    assert selectors.close_test(JAN31).clean
    services.close_period(JAN31)


def test_fixed_application_keeps_entries_open_until_the_two_corrective_postings(books):
    services.create_period(ending_date=JAN31, name="January")
    # A negative adjustment at EAST with nothing in stock, "corrected" by a positive adjustment at WEST that takes its
    # cost from it (Applies-from Entry): the cost is applied, the quantity is not.
    post(line("negative_adjmt", date(2026, 1, 10), 2, location="EAST"))
    post(line("positive_adjmt", date(2026, 1, 11), 2, location="WEST", applies_from_entry=1))
    assert ItemApplicationEntry.objects.filter(item_ledger_entry=2, outbound_item_entry=1, cost_application=True)
    adjust_cost()
    assert open_entries() == [1, 2]

    test = selectors.close_test(JAN31)
    assert [(p.code, p.entry_no, p.entries) for p in test.problems] == [
        ("open_outbound_entry", 1, [1]),
        ("fixed_application_open", 2, [2, 1]),
    ]
    fixed = test.problems[1]
    assert fixed.message == (
        "Item ledger entry 2 (item A, 2026-01-11) takes its cost from outbound entry 1 (2026-01-10) by a fixed "
        "application that applies cost only, not quantity: entry 1 is still open and entry 2 remains open."
    )
    assert fixed.guidance == (
        "Close both entries with two corrective postings in the item journal: 1. Post a positive adjustment of 2 at "
        "location EAST with Applies-from Entry 1; this closes the original negative entry 1 by fixed application. "
        "2. Post a negative adjustment of 2 at location WEST with Applies-to Entry 2; this closes the original "
        "corrective positive entry 2 by fixed application."
    )
    with pytest.raises(services.PeriodNotClean) as refused:
        services.close_period(JAN31)
    assert {p["code"] for p in refused.value.problems} == {"open_outbound_entry", "fixed_application_open"}

    # Corrective posting 1: a positive adjustment with Applies-from Entry 1 closes the negative entry 1.
    post(line("positive_adjmt", date(2026, 1, 31), 2, location="EAST", applies_from_entry=1, document_no="CORR-1"))
    adjust_cost()
    assert open_entries() == [2]
    test = selectors.close_test(JAN31)
    assert [(p.code, p.entry_no) for p in test.problems] == [("fixed_application_open", 2)]
    assert test.problems[0].guidance == (
        "Make the second corrective posting in the item journal: post a negative adjustment of 2 at location WEST "
        "with Applies-to Entry 2; this closes the original corrective positive entry 2 by fixed application."
    )
    with pytest.raises(services.PeriodNotClean):
        services.close_period(JAN31)

    # Corrective posting 2: a negative adjustment with Applies-to Entry 2 closes the corrective positive entry 2.
    post(line("negative_adjmt", date(2026, 1, 31), 2, location="WEST", applies_to_entry=2, document_no="CORR-2"))
    adjust_cost()
    assert open_entries() == []
    assert selectors.close_test(JAN31).clean
    services.close_period(JAN31)
    assert InventoryPeriod.objects.get(ending_date=JAN31).closed
