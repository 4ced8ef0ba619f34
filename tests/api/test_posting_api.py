"""Posting through the API: the item journal, invoices, item charges and revaluation, as an integrator sees them.

Amounts are exact, entry by entry; bad input is a 400 naming the line and field, a conflict with the books a 409, and
either posts nothing from the whole request.
"""

import pytest

from core.models import IdempotencyKey
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ItemRegister, ValueEntry
from ledger.models import GLEntry
from tests import books

pytestmark = pytest.mark.django_db

D = books.D


@pytest.fixture
def books_a(db):
    """The company of the costing reference with FIFO item A (overhead rate 1) and Specific item S."""
    books.company()
    books.item("A", overhead_rate=D("1"))
    books.item("B")
    books.item("S", method="specific")


def line(entry_type, quantity, item="A", **fields):
    fields.setdefault("posting_date", "2020-01-01")
    fields.setdefault("document_no", "DOC-1")
    return {"entry_type": entry_type, "item": item, "quantity": quantity, **fields}


def post_journal(client, *lines, **headers):
    return client.post("/api/v1/item-journal/post/", {"lines": list(lines)}, format="json", headers=headers)


def nothing_posted():
    return not (
        ItemLedgerEntry.objects.exists()
        or ValueEntry.objects.exists()
        or ItemApplicationEntry.objects.exists()
        or GLEntry.objects.exists()
        or ItemRegister.objects.exists()
    )


def values(body):
    return [
        (v["entry_no"], v["item_ledger_entry_no"], v["entry_type"], v["cost_amount_actual"], v["cost_amount_expected"])
        for v in body["value_entries"]
    ]


# ----------------------------------------------------------------------------------------------------- item journal


def test_purchase_and_sale_answer_the_created_entries_with_exact_amounts(accountant_api, books_a):
    response = post_journal(
        accountant_api,
        line("purchase", "10", unit_cost="7.00"),
        line("sale", "10", posting_date="2020-01-15", document_no="SHIP-1"),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [
        (e["entry_no"], e["item"], e["entry_type"], e["location"], e["quantity"], e["remaining_quantity"], e["open"])
        for e in body["item_ledger_entries"]
    ] == [
        (1, "A", "purchase", "", "10.00000", "0.00000", False),
        (2, "A", "sale", "", "-10.00000", "0.00000", False),
    ]
    first, second = body["item_ledger_entries"]
    assert (first["cost_amount_actual"], first["cost_amount_expected"]) == ("80.00", "0.00")
    assert (second["cost_amount_actual"], second["cost_amount_expected"]) == ("-80.00", "0.00")
    assert (first["invoiced_quantity"], first["completely_invoiced"], first["positive"]) == ("10.00000", True, True)
    assert values(body) == [
        (1, 1, "direct_cost", "70.00", "0.00"),
        (2, 1, "indirect_cost", "10.00", "0.00"),
        (3, 2, "direct_cost", "-80.00", "0.00"),
    ]
    assert [
        (a["item_ledger_entry_no"], a["inbound_item_entry_no"], a["outbound_item_entry_no"], a["quantity"])
        for a in body["item_application_entries"]
    ] == [(1, 1, None, "10.00000"), (2, 1, 2, "-10.00000")]
    # Automatic cost posting is off: the value entries wait for Post Inventory Cost to G/L.
    assert body["gl_entries"] == []
    assert ItemRegister.objects.get().user == accountant_api.user


def test_automatic_cost_posting_answers_the_gl_entries(accountant_api, db):
    books.company(automatic_cost_posting=True)
    books.item("A")
    response = post_journal(accountant_api, line("purchase", "4", unit_cost="2.50"))
    assert response.status_code == 201, response.json()
    assert [(g["gl_account"], g["amount"], g["value_entry_nos"]) for g in response.json()["gl_entries"]] == [
        ("2130", "10.00", [1]),
        ("7291", "-10.00", [1]),
    ]


def test_receipt_with_zero_invoiced_quantity_books_expected_cost_then_the_invoice(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "5", item="B", unit_cost="3.00", invoiced_quantity="0"))
    assert response.status_code == 201, response.json()
    assert values(response.json()) == [(1, 1, "direct_cost", "0.00", "15.00")]
    entry = response.json()["item_ledger_entries"][0]
    assert (entry["invoiced_quantity"], entry["completely_invoiced"]) == ("0.00000", False)

    response = accountant_api.post(
        "/api/v1/item-ledger-entries/1/invoice/",
        {"posting_date": "2020-01-10", "document_no": "INV-1", "quantity": "5", "unit_cost": "3.20"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["item_ledger_entries"] == []
    assert values(body) == [(2, 1, "direct_cost", "16.00", "-15.00")]
    assert body["value_entries"][0]["invoiced_quantity"] == "5.00000"
    listed = accountant_api.get("/api/v1/item-ledger-entries/1/").json()
    assert (listed["cost_amount_actual"], listed["cost_amount_expected"], listed["completely_invoiced"]) == (
        "16.00",
        "0.00",
        True,
    )


def test_invoice_quantity_defaults_to_all_not_yet_invoiced(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "5", item="B", unit_cost="3.00", invoiced_quantity="2"))
    response = accountant_api.post(
        "/api/v1/item-ledger-entries/1/invoice/", {"posting_date": "2020-01-10", "document_no": "INV-2"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert values(response.json()) == [(3, 1, "direct_cost", "9.00", "-9.00")]
    again = accountant_api.post(
        "/api/v1/item-ledger-entries/1/invoice/", {"posting_date": "2020-01-11", "document_no": "INV-3"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "completely_invoiced"


def test_invoice_of_an_unknown_entry_is_a_404(accountant_api, books_a):
    response = accountant_api.post(
        "/api/v1/item-ledger-entries/99/invoice/", {"posting_date": "2020-01-10", "document_no": "INV-1"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Item ledger entry 99 does not exist."


def test_item_charge_adds_direct_cost_without_invoiced_quantity(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="7.00"))
    response = accountant_api.post(
        "/api/v1/item-ledger-entries/1/item-charges/",
        {"posting_date": "2020-01-05", "document_no": "FREIGHT-1", "amount": "12.50"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    charge = response.json()["value_entries"]
    assert values(response.json()) == [(2, 1, "direct_cost", "12.50", "0.00")]
    assert (charge[0]["item_charge"], charge[0]["invoiced_quantity"], charge[0]["document_no"]) == (
        True,
        "0.00000",
        "FREIGHT-1",
    )
    assert accountant_api.get("/api/v1/item-ledger-entries/1/").json()["cost_amount_actual"] == "82.50"


def test_item_charge_on_an_outbound_entry_is_refused(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="7.00"), line("sale", "1", item="B"))
    response = accountant_api.post(
        "/api/v1/item-ledger-entries/2/item-charges/",
        {"posting_date": "2020-01-05", "document_no": "FREIGHT-1", "amount": "12.50"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"entry_no": ["Item charges are assigned to inbound entries only."]}
    assert ValueEntry.objects.count() == 2


def test_revaluation_of_one_inbound_entry(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="7.00"), line("sale", "4", item="B"))
    response = accountant_api.post(
        "/api/v1/revaluation-journal/post/",
        {
            "lines": [
                {
                    "item": "B",
                    "posting_date": "2020-01-20",
                    "document_no": "REVAL-1",
                    "applies_to_entry": 1,
                    "unit_cost_revalued": "8.00",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert values(body) == [(3, 1, "revaluation", "6.00", "0.00")]
    assert (body["value_entries"][0]["valued_quantity"], body["value_entries"][0]["posting_date"]) == (
        "6.00000",
        "2020-01-20",
    )


def test_revaluation_of_a_cancelled_receipt_is_refused_with_the_field(accountant_api, books_a):
    """Received on 01-01, cancelled on 01-15: on 01-10 its units look on hand, but a cancelled receipt is not revalued
    (409 entry_cancelled, nothing posted)."""
    post_journal(accountant_api, line("purchase", "5", item="B", unit_cost="7.00", document_no="PO-9"))
    cancelled = accountant_api.post(
        "/api/v1/documents/cancel/", {"document_no": "PO-9", "posting_date": "2020-01-15"}, format="json"
    )
    assert cancelled.status_code == 201, cancelled.data
    before = ValueEntry.objects.count()
    reval = {"item": "B", "posting_date": "2020-01-10", "document_no": "REVAL-9", "applies_to_entry": 1}
    response = accountant_api.post(
        "/api/v1/revaluation-journal/post/", {"lines": [{**reval, "unit_cost_revalued": "8.00"}]}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "entry_cancelled"
    assert response.json()["detail"] == "Item ledger entry 1 is cancelled; a cancelled receipt is not revalued."
    assert ValueEntry.objects.count() == before


def test_revaluation_with_both_or_neither_target_value_names_the_field(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="7.00"))
    response = accountant_api.post(
        "/api/v1/revaluation-journal/post/",
        {"lines": [{"item": "B", "posting_date": "2020-01-20", "document_no": "REVAL-1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[0].unit_cost_revalued"]


# -------------------------------------------------------------------------------------------------------- bad input


def test_unknown_item_names_the_line(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "1", unit_cost="1.00"), line("purchase", "1", item="ZZ"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[1].item": ["Item ZZ does not exist."]}
    assert nothing_posted()


def test_unknown_location_names_the_line(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "1", location="NORTH", unit_cost="1.00"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[0].location": ["Location NORTH does not exist."]}
    assert nothing_posted()


def test_zero_quantity_is_refused(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "0", unit_cost="1.00"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[0].quantity": ["Quantity must not be zero."]}
    assert nothing_posted()


@pytest.mark.parametrize(
    ("invoiced", "message"),
    [
        ("11", "Invoiced quantity must not exceed the quantity."),
        ("-1", "Invoiced quantity must have the same sign as the quantity."),
    ],
)
def test_invoiced_quantity_above_the_quantity_or_of_the_other_sign_is_refused(
    accountant_api, books_a, invoiced, message
):
    response = post_journal(accountant_api, line("purchase", "10", unit_cost="1.00", invoiced_quantity=invoiced))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[0].invoiced_quantity": [message]}
    assert nothing_posted()


def test_applying_to_another_items_entry_is_refused(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="1.00"))
    response = post_journal(
        accountant_api, line("purchase", "5", unit_cost="1.00"), line("sale", "1", applies_to_entry=1)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[1].applies_to_entry": ["Entry 1 belongs to another item."]}
    assert ItemLedgerEntry.objects.count() == 1


def test_applying_to_a_closed_entry_is_a_409(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "2", unit_cost="1.00"), line("sale", "2"))
    post_journal(accountant_api, line("purchase", "5", unit_cost="1.00"))
    response = post_journal(accountant_api, line("sale", "1", applies_to_entry=1))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "entry_closed"
    assert body["detail"] == "Item ledger entry 1 is already closed; there is nothing left to apply to."
    assert ItemLedgerEntry.objects.count() == 3


def test_specific_item_outbound_line_without_application_is_refused(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "2", item="S", unit_cost="5.00"))
    response = post_journal(accountant_api, line("sale", "1", item="S"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "lines[0].applies_to_entry": ["Item S uses Specific costing: an outbound line must apply to an entry."]
    }
    fixed = post_journal(accountant_api, line("sale", "1", item="S", applies_to_entry=1))
    assert fixed.status_code == 201
    assert values(fixed.json()) == [(2, 2, "direct_cost", "-5.00", "0.00")]


def test_a_json_number_instead_of_a_string_is_refused(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", 10, unit_cost="7.00"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "lines[0].quantity": ['Send decimals as JSON strings, for example "150.00", not as numbers.']
    }
    assert nothing_posted()


def test_a_float_unit_cost_is_refused(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "10", unit_cost=7.1))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[0].unit_cost"]
    assert nothing_posted()


def test_an_amount_with_three_decimals_is_refused(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", unit_cost="7.00"))
    response = accountant_api.post(
        "/api/v1/item-ledger-entries/1/item-charges/",
        {"posting_date": "2020-01-05", "document_no": "FREIGHT-1", "amount": "12.505"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": ["Ensure that there are no more than 2 decimal places."]}
    assert ValueEntry.objects.count() == 1


def test_a_unit_cost_with_six_decimals_is_refused(accountant_api, books_a):
    response = post_journal(accountant_api, line("purchase", "10", unit_cost="7.123456"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[0].unit_cost": ["Ensure that there are no more than 5 decimal places."]}


def test_a_bad_third_line_posts_nothing_of_the_request(accountant_api, books_a):
    response = post_journal(
        accountant_api,
        line("purchase", "10", unit_cost="7.00"),
        line("sale", "3"),
        line("sale", "1", location="NOWHERE"),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[2].location": ["Location NOWHERE does not exist."]}
    assert nothing_posted()


def test_a_conflict_on_the_third_line_posts_nothing_of_the_request(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "1", item="B", unit_cost="1.00"), line("sale", "1", item="B"))
    response = post_journal(
        accountant_api,
        line("purchase", "10", unit_cost="7.00"),
        line("sale", "3"),
        line("sale", "1", item="B", applies_to_entry=1),
    )
    assert response.status_code == 409
    assert ItemLedgerEntry.objects.count() == 2
    assert ValueEntry.objects.count() == 2


def test_missing_required_line_fields_are_named(accountant_api, books_a):
    response = post_journal(accountant_api, {"entry_type": "purchase", "item": "A"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines[0].posting_date", "lines[0].document_no", "lines[0].quantity"}


def test_an_unknown_entry_type_is_refused(accountant_api, books_a):
    response = post_journal(accountant_api, line("gift", "1"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[0].entry_type"]


def test_an_empty_journal_is_refused(accountant_api, books_a):
    response = accountant_api.post("/api/v1/item-journal/post/", {"lines": []}, format="json")
    assert response.status_code == 400
    [(field, messages)] = response.json()["errors"].items()
    assert field.startswith("lines")
    assert messages == ["This list may not be empty."]


# ---------------------------------------------------------------------------------------------------- transfers


def test_transfer_moves_stock_and_cost_between_locations(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", location="EAST", unit_cost="7.00"))
    response = post_journal(
        accountant_api, line("transfer", "4", item="B", location="EAST", new_location="", document_no="TR-1")
    )
    assert response.status_code == 201, response.json()
    entries = response.json()["item_ledger_entries"]
    assert [(e["location"], e["quantity"], e["cost_amount_actual"]) for e in entries] == [
        ("EAST", "-4.00000", "-28.00"),
        ("", "4.00000", "28.00"),
    ]


def test_transfer_without_a_new_location_is_refused(accountant_api, books_a):
    post_journal(accountant_api, line("purchase", "10", item="B", location="EAST", unit_cost="7.00"))
    response = post_journal(accountant_api, line("transfer", "4", item="B", location="EAST"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[0].new_location": ["A transfer needs a new location."]}


# ------------------------------------------------------------------------------------------------------ idempotency


def test_the_same_idempotency_key_and_body_replays_the_first_answer(accountant_api, books_a):
    body = line("purchase", "10", unit_cost="7.00")
    first = post_journal(accountant_api, body, **{"Idempotency-Key": "order-4711"})
    assert first.status_code == 201
    again = post_journal(accountant_api, body, **{"Idempotency-Key": "order-4711"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert ItemLedgerEntry.objects.count() == 1
    assert ValueEntry.objects.count() == 2
    other = post_journal(accountant_api, line("purchase", "11", unit_cost="7.00"), **{"Idempotency-Key": "order-4711"})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert ItemLedgerEntry.objects.count() == 1


def test_a_failed_posting_keeps_no_idempotency_key(accountant_api, books_a):
    bad = post_journal(accountant_api, line("purchase", "1", item="ZZ"), **{"Idempotency-Key": "k-1"})
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = post_journal(accountant_api, line("purchase", "1", unit_cost="1.00"), **{"Idempotency-Key": "k-1"})
    assert good.status_code == 201


# ---------------------------------------------------------------------------------------------------- authorization


@pytest.mark.parametrize("role", ["accountant", "controller", "integration", "admin"])
def test_posting_roles_may_post(client_for, books_a, role):
    response = post_journal(client_for(f"user-{role}", role), line("purchase", "1", unit_cost="1.00"))
    assert response.status_code == 201


def test_a_user_without_a_role_gets_403(client_for, books_a):
    response = post_journal(client_for("nobody", None), line("purchase", "1", unit_cost="1.00"))
    assert response.status_code == 403
    assert nothing_posted()


def test_anonymous_gets_401(anonymous_api, books_a):
    for path in (
        "/api/v1/item-journal/post/",
        "/api/v1/revaluation-journal/post/",
        "/api/v1/item-ledger-entries/1/invoice/",
        "/api/v1/item-ledger-entries/1/item-charges/",
    ):
        assert anonymous_api.post(path, {}, format="json").status_code == 401, path
    assert nothing_posted()


def test_revaluation_of_the_blank_location_only(accountant_api, books_a):
    """``"location": ""`` is the blank location (as everywhere in the API); omitting it revalues every location."""
    post_journal(
        accountant_api,
        line("purchase", "10", item="B", unit_cost="7.00"),
        line("purchase", "5", item="B", location="EAST", unit_cost="7.00"),
    )
    reval = {"item": "B", "posting_date": "2020-01-20", "document_no": "REVAL-1", "unit_cost_revalued": "8.00"}
    response = accountant_api.post(
        "/api/v1/revaluation-journal/post/", {"lines": [{**reval, "location": ""}]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert [(v["item_ledger_entry_no"], v["location"], v["cost_amount_actual"]) for v in values_of(response)] == [
        (1, "", "10.00")
    ]
    response = accountant_api.post("/api/v1/revaluation-journal/post/", {"lines": [reval]}, format="json")
    assert response.status_code == 201, response.json()
    assert [(v["item_ledger_entry_no"], v["location"], v["cost_amount_actual"]) for v in values_of(response)] == [
        (2, "EAST", "5.00")
    ]


def values_of(response):
    return response.json()["value_entries"]


# ------------------------------------------------------------------------------------------------ cancel a document


def test_cancel_document_preview_then_post_then_refuse_again(books_a, integration_api, accountant_api):
    response = post_journal(
        integration_api,
        line("purchase", "4", unit_cost="2.50", document_no="PO-7"),
        line("purchase", "2", item="B", unit_cost="3.00", document_no="PO-7"),
    )
    assert response.status_code == 201, response.data
    receipt_a, receipt_b = (e["entry_no"] for e in response.data["item_ledger_entries"])
    preview = accountant_api.get("/api/v1/documents/cancel/", {"document_no": "PO-7"})
    assert preview.status_code == 200, preview.data
    assert preview.data["cancellable"] is True
    assert [(e["entry_no"], e["reversible"], e["refusal"]) for e in preview.data["entries"]] == [
        (receipt_a, True, ""),
        (receipt_b, True, ""),
    ]
    assert ItemLedgerEntry.objects.count() == 2  # the preview posts nothing
    posted = integration_api.post("/api/v1/documents/cancel/", {"document_no": "PO-7"}, format="json")
    assert posted.status_code == 201, posted.data
    corrections = posted.data["item_ledger_entries"]
    assert [(e["corrects_entry"], e["quantity"], e["document_no"]) for e in corrections] == [
        (receipt_a, "-4.00000", "PO-7"),
        (receipt_b, "-2.00000", "PO-7"),
    ]
    # At each receipt's cost, split as it was: A's direct 4 x 2.50 and overhead 4 x 1.00 (Overhead Applied is
    # reversed too), B's 2 x 3.00.
    assert [v["cost_amount_actual"] for v in posted.data["value_entries"]] == ["-10.00", "-4.00", "-6.00"]
    again = integration_api.post("/api/v1/documents/cancel/", {"document_no": "PO-7"}, format="json")
    assert again.status_code == 409 and again.data["code"] == "already_cancelled"
    unknown = integration_api.post("/api/v1/documents/cancel/", {"document_no": "NONE"}, format="json")
    assert unknown.status_code == 404 and unknown.data["code"] == "not_found"
    charge = integration_api.post(
        f"/api/v1/item-ledger-entries/{receipt_a}/item-charges/",
        {"posting_date": "2020-01-02", "document_no": "FR-1", "amount": "1.00"},
        format="json",
    )
    assert charge.status_code == 409 and charge.data["code"] == "entry_cancelled"
