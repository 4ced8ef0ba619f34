"""The Average running totals (costing_avg_cost_total, migrations/sql/avg_totals_average_items.sql): kept for Average
items only, always equal to the sums over the item's entries, and recounted when an item's costing method changes
whatever path changes it."""

import pytest
from django.db import connection

from costing.models import Item
from costing.posting import post_item_journal
from tests.books import D, company, item
from tests.costing.test_posting_examples import line

pytestmark = pytest.mark.django_db


def totals() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT item_no, location_code, quantity, cost FROM costing_avg_cost_total ORDER BY 1, 2")
        return {(no, loc): (q, c) for no, loc, q, c in cur.fetchall()}


def ledger_sums(item_no: str) -> dict:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT location_code, sum(quantity), sum(cost)
              FROM (SELECT coalesce(location_code, '') AS location_code, quantity, 0 AS cost
                      FROM costing_item_ledger_entry WHERE item_no = %s
                    UNION ALL
                    SELECT coalesce(location_code, ''), 0, cost_amount_actual + cost_amount_expected
                      FROM costing_value_entry WHERE item_no = %s AND item_ledger_entry_no IS NOT NULL) e
             GROUP BY 1 ORDER BY 1
            """,
            [item_no, item_no],
        )
        return {(item_no, loc): (q, c) for loc, q, c in cur.fetchall()}


@pytest.fixture
def posted(db):
    company()
    item("AV", method="average")
    item("FI")
    post_item_journal(
        [
            line("purchase", "01-05-20", 10, item_no="AV", unit_cost=D("3"), location="EAST"),
            line("purchase", "01-05-20", 4, item_no="AV", unit_cost=D("5")),
            line("sale", "01-06-20", 3, item_no="AV", location="EAST"),
            line("purchase", "01-05-20", 7, item_no="FI", unit_cost=D("2"), location="WEST"),
            line("sale", "01-07-20", 2, item_no="FI", location="WEST"),
        ]
    )


def test_only_average_items_have_totals_and_they_are_the_ledger_sums(posted):
    assert totals() == ledger_sums("AV")
    assert set(totals()) == {("AV", ""), ("AV", "EAST")}


def test_a_costing_method_change_recounts_the_item(posted):
    # The service refuses this once there are entries; the admin or SQL can still do it.
    Item.objects.filter(no="FI").update(costing_method="average")
    assert totals() == {**ledger_sums("AV"), **ledger_sums("FI")}
    post_item_journal([line("sale", "01-08-20", 1, item_no="FI", location="WEST")])
    assert totals() == {**ledger_sums("AV"), **ledger_sums("FI")}
    Item.objects.filter(no="AV").update(costing_method="fifo")
    assert totals() == ledger_sums("FI")
