"""The inventory ledgers through the API: item ledger, value and item application entries, read-only and filterable."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from costing.posting import JournalLine, post_item_journal
from tests import books

pytestmark = pytest.mark.django_db

D = books.D


@pytest.fixture
def posted(db):
    """Purchases of A at EAST and at the blank location, a receipt of B (expected cost only), sales of A."""
    books.company()
    books.item("A", overhead_rate=D("1"))
    books.item("B")

    def line(entry_type, day, quantity, item="A", **kw):
        kw.setdefault("document_no", f"DOC-{day}")
        return JournalLine(
            entry_type=entry_type, posting_date=books.d(f"01-{day}-20"), item=item, quantity=D(quantity), **kw
        )

    post_item_journal(
        [
            line("purchase", "01", "10", unit_cost=D("7"), location="EAST"),
            line("purchase", "02", "5", unit_cost=D("9")),
            line("purchase", "03", "4", item="B", unit_cost=D("2.5"), invoiced_quantity=D("0")),
            line("sale", "15", "6", location="EAST", gen_bus_posting_group="DOMESTIC"),
        ]
    )


def results(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_item_ledger_entries_with_cost_sums_and_codes(accountant_api, posted):
    rows = results(accountant_api.get("/api/v1/item-ledger-entries/"))
    assert [
        (
            r["entry_no"],
            r["item"],
            r["location"],
            r["entry_type"],
            r["quantity"],
            r["remaining_quantity"],
            r["cost_amount_actual"],
            r["cost_amount_expected"],
        )
        for r in rows
    ] == [
        (1, "A", "EAST", "purchase", "10.00000", "4.00000", "80.00", "0.00"),
        (2, "A", "", "purchase", "5.00000", "5.00000", "50.00", "0.00"),
        (3, "B", "", "purchase", "4.00000", "4.00000", "0.00", "10.00"),
        (4, "A", "EAST", "sale", "-6.00000", "0.00000", "-48.00", "0.00"),
    ]
    assert set(rows[0]) >= {
        "entry_no",
        "item",
        "posting_date",
        "entry_type",
        "document_no",
        "location",
        "quantity",
        "remaining_quantity",
        "invoiced_quantity",
        "open",
        "positive",
        "completely_invoiced",
        "applies_to_entry",
        "cost_amount_expected",
        "cost_amount_actual",
    }
    assert (rows[2]["invoiced_quantity"], rows[2]["completely_invoiced"], rows[2]["open"]) == ("0.00000", False, True)
    assert (rows[3]["positive"], rows[3]["open"], rows[3]["gen_bus_posting_group"]) == (False, False, "DOMESTIC")


def test_item_ledger_list_runs_a_fixed_number_of_queries(accountant_api, posted):
    """The cost sums come from subqueries, not a query per row."""
    with CaptureQueriesContext(connection) as few:
        results(accountant_api.get("/api/v1/item-ledger-entries/?page_size=1"))
    with CaptureQueriesContext(connection) as many:
        results(accountant_api.get("/api/v1/item-ledger-entries/?page_size=100"))
    assert len(many) == len(few)


def test_item_ledger_entry_by_number_and_404(accountant_api, posted):
    response = accountant_api.get("/api/v1/item-ledger-entries/4/")
    assert response.status_code == 200
    assert (response.json()["entry_no"], response.json()["cost_amount_actual"]) == (4, "-48.00")
    assert accountant_api.get("/api/v1/item-ledger-entries/99/").status_code == 404


@pytest.mark.parametrize(
    ("query", "entry_nos"),
    [
        ("item=A", [1, 2, 4]),
        ("item=B", [3]),
        ("location=EAST", [1, 4]),
        ("posting_date_after=2020-01-02&posting_date_before=2020-01-03", [2, 3]),
        ("entry_type=sale", [4]),
        ("entry_type=purchase&entry_type=sale&item=A", [1, 2, 4]),
        ("document_no=DOC-02", [2]),
        ("open=true", [1, 2, 3]),
        ("open=false", [4]),
        ("positive=false", [4]),
        ("completely_invoiced=false", [3]),
        ("ordering=-entry_no", [4, 3, 2, 1]),
        ("ordering=cost_amount_actual", [4, 3, 2, 1]),
        ("ordering=-posting_date&item=A", [4, 2, 1]),
    ],
)
def test_item_ledger_entry_filters_and_ordering(accountant_api, posted, query, entry_nos):
    rows = results(accountant_api.get(f"/api/v1/item-ledger-entries/?{query}"))
    assert [r["entry_no"] for r in rows] == entry_nos


def test_value_entries_with_the_contract_field_names(accountant_api, posted):
    rows = results(accountant_api.get("/api/v1/value-entries/"))
    assert [
        (
            r["entry_no"],
            r["item_ledger_entry_no"],
            r["item"],
            r["item_ledger_entry_type"],
            r["entry_type"],
            r["variance_type"],
            r["cost_amount_actual"],
            r["cost_amount_expected"],
            r["expected_cost"],
            r["location"],
        )
        for r in rows
    ] == [
        (1, 1, "A", "purchase", "direct_cost", "", "70.00", "0.00", False, "EAST"),
        (2, 1, "A", "purchase", "indirect_cost", "", "10.00", "0.00", False, "EAST"),
        (3, 2, "A", "purchase", "direct_cost", "", "45.00", "0.00", False, ""),
        (4, 2, "A", "purchase", "indirect_cost", "", "5.00", "0.00", False, ""),
        (5, 3, "B", "purchase", "direct_cost", "", "0.00", "10.00", True, ""),
        (6, 4, "A", "sale", "direct_cost", "", "-48.00", "0.00", False, "EAST"),
    ]
    sale = rows[5]
    assert (
        sale["valued_quantity"],
        sale["invoiced_quantity"],
        sale["posting_date"],
        sale["valuation_date"],
        sale["inventory_posting_group"],
        sale["gen_bus_posting_group"],
        sale["gen_prod_posting_group"],
        sale["document_no"],
        sale["cost_posted_to_gl"],
        sale["expected_cost_posted_to_gl"],
        sale["adjustment"],
        sale["item_charge"],
        sale["applies_to_entry"],
    ) == (
        "-6.00000",
        "-6.00000",
        "2020-01-15",
        "2020-01-15",
        "RESALE",
        "DOMESTIC",
        "RETAIL",
        "DOC-15",
        "0.00",
        "0.00",
        False,
        False,
        None,
    )
    assert rows[0]["gen_bus_posting_group"] == ""


@pytest.mark.parametrize(
    ("query", "entry_nos"),
    [
        ("item=B", [5]),
        ("location=EAST", [1, 2, 6]),
        ("item_ledger_entry_no=2", [3, 4]),
        ("entry_type=indirect_cost", [2, 4]),
        ("item_ledger_entry_type=sale", [6]),
        ("expected_cost=true", [5]),
        ("posting_date_after=2020-01-03", [5, 6]),
        ("posting_date_before=2020-01-01", [1, 2]),
        ("valuation_date_after=2020-01-15", [6]),
        ("document_no=DOC-15", [6]),
        ("gen_bus_posting_group=DOMESTIC", [6]),
        ("ordering=-cost_amount_actual", [1, 3, 2, 4, 5, 6]),
    ],
)
def test_value_entry_filters_and_ordering(accountant_api, posted, query, entry_nos):
    rows = results(accountant_api.get(f"/api/v1/value-entries/?{query}"))
    assert [r["entry_no"] for r in rows] == entry_nos


def test_value_entry_by_number(accountant_api, posted):
    response = accountant_api.get("/api/v1/value-entries/5/")
    assert response.status_code == 200
    assert response.json()["cost_amount_expected"] == "10.00"
    assert accountant_api.get("/api/v1/value-entries/77/").status_code == 404


def test_item_application_entries(accountant_api, posted):
    rows = results(accountant_api.get("/api/v1/item-application-entries/"))
    assert [
        (
            r["entry_no"],
            r["item_ledger_entry_no"],
            r["inbound_item_entry_no"],
            r["outbound_item_entry_no"],
            r["quantity"],
            r["posting_date"],
            r["cost_application"],
        )
        for r in rows
    ] == [
        (1, 1, 1, None, "10.00000", "2020-01-01", False),
        (2, 2, 2, None, "5.00000", "2020-01-02", False),
        (3, 3, 3, None, "4.00000", "2020-01-03", False),
        (4, 4, 1, 4, "-6.00000", "2020-01-15", False),
    ]
    outbound = results(accountant_api.get("/api/v1/item-application-entries/?outbound_item_entry_no=4"))
    assert [r["entry_no"] for r in outbound] == [4]
    inbound = results(
        accountant_api.get("/api/v1/item-application-entries/?inbound_item_entry_no=1&ordering=-entry_no")
    )
    assert [r["entry_no"] for r in inbound] == [4, 1]
    of_b = results(accountant_api.get("/api/v1/item-application-entries/?item=B"))
    assert [r["entry_no"] for r in of_b] == [3]


def test_lists_are_paginated(accountant_api, posted):
    body = accountant_api.get("/api/v1/value-entries/?page_size=4").json()
    assert body["count"] == 6
    assert [r["entry_no"] for r in body["results"]] == [1, 2, 3, 4]
    assert body["next"].endswith("page=2&page_size=4")
    assert body["previous"] is None


def test_ledgers_are_read_only(admin_api, posted):
    assert admin_api.post("/api/v1/item-ledger-entries/", {}, format="json").status_code == 405
    assert admin_api.delete("/api/v1/value-entries/1/").status_code == 405
    assert admin_api.patch("/api/v1/item-application-entries/1/", {}, format="json").status_code == 405


def test_reading_needs_a_role_and_a_login(client_for, anonymous_api, posted):
    assert client_for("nobody", None).get("/api/v1/value-entries/").status_code == 403
    assert anonymous_api.get("/api/v1/item-ledger-entries/").status_code == 401
    assert client_for("ivan", "integration").get("/api/v1/item-application-entries/").status_code == 200
