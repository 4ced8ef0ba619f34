"""The manual G/L journal and the G/L entries list, as an integrator sees them."""

import json
from datetime import date

import pytest

from core.models import IdempotencyKey
from costing.models import GLItemLedgerRelation, ItemRegister, ValueEntry
from ledger.models import GLEntry, GLSetup

pytestmark = pytest.mark.django_db


def journal(*pairs, document_no="GJ-1", posting_date="2026-01-05"):
    return {
        "lines": [
            {
                "gl_account": acc,
                "posting_date": posting_date,
                "document_no": document_no,
                "amount": amount,
                "description": f"Line {i}",
            }
            for i, (acc, amount) in enumerate(pairs)
        ]
    }


def post(client, body, **headers):
    return client.post("/api/v1/gl-journal/post/", body, format="json", headers=headers)


def test_balanced_journal_posts_and_answers_the_entries(accountant_api, chart):
    response = post(accountant_api, journal(("2130", "150.00"), ("7291", "-150.00")))
    assert response.status_code == 201
    entries = response.json()["gl_entries"]
    assert [(e["entry_no"], e["gl_account"], e["amount"], e["transaction_no"]) for e in entries] == [
        (1, "2130", "150.00", 1),
        (2, "7291", "-150.00", 1),
    ]
    assert entries[0]["posting_date"] == "2026-01-05"
    assert entries[0]["document_no"] == "GJ-1"
    assert entries[0]["description"] == "Line 0"
    assert entries[0]["value_entry_nos"] == []
    assert GLEntry.objects.get(entry_no=1).user == accountant_api.user


def test_unbalanced_journal_is_a_400_and_posts_nothing(accountant_api, chart):
    response = post(accountant_api, journal(("2130", "150.00"), ("7291", "-149.99")))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "lines[0]": ["Document GJ-1 on 2026-01-05 does not balance: its lines sum to 0.01."]
    }
    assert not GLEntry.objects.exists()


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ("2000", "G/L account 2000 is a heading; post to a posting account."),
        ("9999", "G/L account 9999 is blocked."),
        ("4711", "G/L account 4711 does not exist."),
    ],
)
def test_heading_blocked_or_unknown_account_names_the_line(accountant_api, chart, account, message):
    response = post(accountant_api, journal(("2130", "10.00"), (account, "-10.00")))
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines[1].gl_account": [message]}
    assert not GLEntry.objects.exists()


def test_posting_date_outside_the_allowed_range_is_a_400(accountant_api, chart):
    GLSetup.objects.update_or_create(
        id=1, defaults={"allow_posting_from": date(2026, 2, 1), "allow_posting_to": date(2026, 2, 28)}
    )
    response = post(accountant_api, journal(("2130", "10.00"), ("7291", "-10.00"), posting_date="2026-01-31"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[0].posting_date"]
    assert "2026-02-01 to 2026-02-28" in response.json()["errors"]["lines[0].posting_date"][0]
    assert not GLEntry.objects.exists()


@pytest.mark.parametrize(
    "amount",
    [
        150,
        150.0,
        "1.5e2",
        "1E2",
        "NaN",
        "Infinity",
        "-Infinity",
        "150.001",
        " 150.00",
        "150.",
        ".5",
        "+150.00",
        "",
        None,
        "123456789012345678901.00",
        "1234567890123456789.00",
    ],
)
def test_amounts_must_be_plain_decimal_strings_with_two_decimals(accountant_api, chart, amount):
    body = journal(("2130", "150.00"), ("7291", "-150.00"))
    body["lines"][0]["amount"] = amount
    response = post(accountant_api, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[0].amount"]
    assert not GLEntry.objects.exists()


def test_the_widest_amount_the_column_holds_is_accepted(accountant_api, chart):
    big = "999999999999999999.99"
    response = post(accountant_api, journal(("2130", big), ("7291", "-" + big)))
    assert response.status_code == 201
    assert response.json()["gl_entries"][0]["amount"] == big


def test_bare_nan_in_the_json_body_is_refused(accountant_api, chart):
    raw = '{"lines": [{"gl_account": "2130", "posting_date": "2026-01-05", "document_no": "X", "amount": NaN}]}'
    response = accountant_api.post("/api/v1/gl-journal/post/", raw, content_type="application/json")
    assert response.status_code == 400
    assert not GLEntry.objects.exists()


@pytest.mark.parametrize("body", [{}, {"lines": []}, {"lines": [{"gl_account": "2130"}]}, {"lines": "x"}])
def test_missing_lines_or_fields_are_a_400(accountant_api, chart, body):
    response = post(accountant_api, body)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_two_documents_in_one_request_are_two_transactions(accountant_api, chart):
    body = journal(("2130", "1.10"), ("7291", "-1.10"))
    body["lines"] += journal(("2131", "2.00"), ("7290", "-2.00"), document_no="GJ-2")["lines"]
    response = post(accountant_api, body)
    assert [e["transaction_no"] for e in response.json()["gl_entries"]] == [1, 1, 2, 2]


def test_same_idempotency_key_and_body_replays_without_posting_again(integration_api, chart):
    body = journal(("2130", "150.00"), ("7291", "-150.00"))
    first = post(integration_api, body, **{"Idempotency-Key": "order-4711"})
    assert first.status_code == 201
    assert "Idempotent-Replay" not in first.headers
    again = post(integration_api, body, **{"Idempotency-Key": "order-4711"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
    assert GLEntry.objects.count() == 2


def test_same_idempotency_key_with_another_body_is_a_409(integration_api, chart):
    post(integration_api, journal(("2130", "150.00"), ("7291", "-150.00")), **{"Idempotency-Key": "k1"})
    other = post(integration_api, journal(("2130", "99.00"), ("7291", "-99.00")), **{"Idempotency-Key": "k1"})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert GLEntry.objects.count() == 2


def test_a_refused_posting_does_not_use_up_its_idempotency_key(integration_api, chart):
    bad = post(integration_api, journal(("2130", "150.00"), ("7291", "-1.00")), **{"Idempotency-Key": "k2"})
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = post(integration_api, journal(("2130", "150.00"), ("7291", "-150.00")), **{"Idempotency-Key": "k2"})
    assert good.status_code == 201


@pytest.fixture
def posted(accountant_api, chart):
    post(accountant_api, journal(("2130", "150.00"), ("7291", "-150.00"), posting_date="2026-01-05"))
    post(accountant_api, journal(("2130", "20.00"), ("7290", "-20.00"), document_no="GJ-2", posting_date="2026-01-20"))
    post(accountant_api, journal(("2131", "5.25"), ("7291", "-5.25"), document_no="GJ-3", posting_date="2026-02-03"))


def test_gl_entries_list_filters(accountant_api, posted):
    def entry_nos(query):
        response = accountant_api.get(f"/api/v1/gl-entries/{query}")
        assert response.status_code == 200
        return [e["entry_no"] for e in response.json()["results"]]

    assert entry_nos("") == [1, 2, 3, 4, 5, 6]
    assert entry_nos("?gl_account=2130") == [1, 3]
    assert entry_nos("?posting_date_after=2026-01-06&posting_date_before=2026-01-31") == [3, 4]
    assert entry_nos("?document_no=GJ-3") == [5, 6]
    assert entry_nos("?transaction_no=2") == [3, 4]
    assert entry_nos("?ordering=-amount") == [1, 3, 5, 6, 4, 2]
    page = accountant_api.get("/api/v1/gl-entries/?page_size=4").json()
    assert page["count"] == 6 and len(page["results"]) == 4


def test_gl_entry_detail_by_entry_no(accountant_api, posted):
    response = accountant_api.get("/api/v1/gl-entries/6/")
    assert response.status_code == 200
    assert response.json()["amount"] == "-5.25"
    assert response.json()["gl_account"] == "7291"
    assert accountant_api.get("/api/v1/gl-entries/7/").status_code == 404


def test_gl_entries_name_their_value_entries_without_a_query_per_row(
    accountant_api, posted, item, django_assert_max_num_queries
):
    register = ItemRegister.objects.create(no=1, source_code="ITEMJNL")
    for no in (7, 8):
        ValueEntry.objects.create(
            entry_no=no,
            item=item,
            entry_type="direct_cost",
            posting_date=date(2026, 1, 5),
            valuation_date=date(2026, 1, 5),
            document_no="P1",
            source_code="ITEMJNL",
            register=register,
        )
    gl_entry = GLEntry.objects.get(entry_no=1)
    for no in (8, 7):
        GLItemLedgerRelation.objects.create(gl_entry=gl_entry, value_entry_id=no, gl_register_id=gl_entry.register_id)

    with django_assert_max_num_queries(6):
        results = accountant_api.get("/api/v1/gl-entries/?page_size=1000").json()["results"]
    assert results[0]["value_entry_nos"] == [7, 8]
    assert all(row["value_entry_nos"] == [] for row in results[1:])
    assert accountant_api.get("/api/v1/gl-entries/1/").json()["value_entry_nos"] == [7, 8]


def test_gl_entries_are_read_only(admin_api, posted):
    assert admin_api.post("/api/v1/gl-entries/", {}, format="json").status_code == 405
    assert admin_api.delete("/api/v1/gl-entries/1/").status_code == 405
    assert json.loads(admin_api.get("/api/v1/gl-entries/1/").content)["amount"] == "150.00"


def test_an_overlong_idempotency_key_is_a_400(integration_api, chart):
    body = journal(("2130", "150.00"), ("7291", "-150.00"))
    response = post(integration_api, body, **{"Idempotency-Key": "k" * 201})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not GLEntry.objects.exists()


@pytest.mark.parametrize(
    "query", ["?transaction_no=1.5", "?transaction_no=1e400", "?entry_no_min=x", "?posting_date_after=2026-13-01"]
)
def test_bad_filters_are_a_400(accountant_api, query):
    response = accountant_api.get(f"/api/v1/gl-entries/{query}")
    assert response.status_code == 400


def test_entry_no_range_and_huge_lookups(accountant_api, posted):
    response = accountant_api.get("/api/v1/gl-entries/?entry_no_min=2&entry_no_max=3")
    assert [e["entry_no"] for e in response.json()["results"]] == [2, 3]
    assert accountant_api.get("/api/v1/gl-entries/99999999999999999999999/").status_code == 404
