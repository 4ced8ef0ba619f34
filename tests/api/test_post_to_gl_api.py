"""Post Inventory Cost to G/L and its test report through the API, with the costing reference's example (1.6)."""

import pytest

from costing.models import PostValueEntryToGL, ValueEntry
from ledger.models import GLEntry
from tests import books

pytestmark = pytest.mark.django_db

D = books.D
JOB = "/api/v1/jobs/post-inventory-cost-to-gl/"
TEST_REPORT = "/api/v1/reports/post-inventory-cost-to-gl-test/"


@pytest.fixture
def controller_api(client_for):
    return client_for("carl", "controller")


@pytest.fixture
def example(accountant_api, db):
    """Purchase 10 of A at 7.00 with overhead rate 1 on 01-01-20, sale of all 10 on 01-15-20, posted by the API."""
    books.company()
    books.item("A", overhead_rate=D("1"))
    response = accountant_api.post(
        "/api/v1/item-journal/post/",
        {
            "lines": [
                {
                    "entry_type": "purchase",
                    "posting_date": "2020-01-01",
                    "document_no": "RCPT-1",
                    "item": "A",
                    "quantity": "10",
                    "unit_cost": "7.00",
                },
                {
                    "entry_type": "sale",
                    "posting_date": "2020-01-15",
                    "document_no": "SHIP-1",
                    "item": "A",
                    "quantity": "10",
                },
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [v["cost_amount_actual"] for v in response.json()["value_entries"]] == ["70.00", "10.00", "-80.00"]


def gl_entries(client, query=""):
    response = client.get(f"/api/v1/gl-entries/{query}")
    assert response.status_code == 200
    return [
        (g["entry_no"], g["posting_date"], g["gl_account"], g["amount"], g["document_no"], g["value_entry_nos"])
        for g in response.json()["results"]
    ]


def test_per_entry_posts_the_example_and_links_every_gl_entry(controller_api, example):
    response = controller_api.post(JOB, {"posting_method": "per_entry"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["job"], body["status"]) == ("post_inventory_cost_to_gl", "succeeded")
    result = body["result"]
    assert (result["posting_method"], result["posted"], result["posted_value_entries"]) == ("per_entry", True, 3)
    assert result["gl_entries"] == [1, 2, 3, 4, 5, 6]
    assert result["skipped"] == []
    assert [(ln["value_entry_no"], ln["gl_account"], ln["amount"]) for ln in result["lines"]] == [
        (1, "2130", "70.00"),
        (1, "7291", "-70.00"),
        (2, "2130", "10.00"),
        (2, "7292", "-10.00"),
        (3, "2130", "-80.00"),
        (3, "7290", "80.00"),
    ]
    assert gl_entries(controller_api) == [
        (1, "2020-01-01", "2130", "70.00", "RCPT-1", [1]),
        (2, "2020-01-01", "7291", "-70.00", "RCPT-1", [1]),
        (3, "2020-01-01", "2130", "10.00", "RCPT-1", [2]),
        (4, "2020-01-01", "7292", "-10.00", "RCPT-1", [2]),
        (5, "2020-01-15", "2130", "-80.00", "SHIP-1", [3]),
        (6, "2020-01-15", "7290", "80.00", "SHIP-1", [3]),
    ]
    posted = controller_api.get("/api/v1/value-entries/").json()["results"]
    assert [v["cost_posted_to_gl"] for v in posted] == ["70.00", "10.00", "-80.00"]
    # A second run finds the queue empty and posts nothing.
    again = controller_api.post(JOB, {"posting_method": "per_entry"}, format="json")
    assert again.status_code == 201
    assert (again.json()["result"]["posted_value_entries"], again.json()["result"]["gl_entries"]) == (0, [])
    assert GLEntry.objects.count() == 6


def test_per_posting_group_posts_under_the_given_document_no(controller_api, example):
    response = controller_api.post(
        JOB, {"posting_method": "per_posting_group", "document_no": "INVT-2020-01"}, format="json"
    )
    assert response.status_code == 201, response.json()
    rows = gl_entries(controller_api)
    assert {row[4] for row in rows} == {"INVT-2020-01"}
    assert sum(D(row[3]) for row in rows) == 0
    by_account = {}
    for _no, _date, account, amount, _doc, _ves in rows:
        by_account[account] = by_account.get(account, D("0")) + D(amount)
    assert by_account == {"2130": D("0.00"), "7291": D("-70.00"), "7292": D("-10.00"), "7290": D("80.00")}
    assert sorted({no for row in rows for no in row[5]}) == [1, 2, 3]


def test_report_only_posts_nothing(controller_api, example):
    response = controller_api.post(JOB, {"posting_method": "per_entry", "post": False}, format="json")
    assert response.status_code == 201, response.json()
    result = response.json()["result"]
    assert (result["posted"], result["posted_value_entries"], result["gl_entries"]) == (False, 3, [])
    assert [(row["gl_account"], row["amount"]) for row in result["by_account"]] == [
        ("2130", "0.00"),
        ("7290", "80.00"),
        ("7291", "-70.00"),
        ("7292", "-10.00"),
    ]
    assert not GLEntry.objects.exists()
    assert PostValueEntryToGL.objects.count() == 3


def test_posting_date_to_and_items_limit_the_run(controller_api, example):
    response = controller_api.post(
        JOB, {"posting_method": "per_entry", "posting_date_to": "2020-01-10", "items": ["A"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["result"]["posted_value_entries"] == 2
    assert response.json()["parameters"]["posting_date_to"] == "2020-01-10"
    assert list(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True)) == [3]
    other = controller_api.post(JOB, {"posting_method": "per_entry", "items": ["ZZ"]}, format="json")
    assert other.json()["result"]["posted_value_entries"] == 0


def test_document_no_is_refused_per_entry(controller_api, example):
    response = controller_api.post(JOB, {"posting_method": "per_entry", "document_no": "X-1"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["document_no"]
    assert not GLEntry.objects.exists()


def test_document_no_is_required_per_posting_group(controller_api, example):
    response = controller_api.post(JOB, {"posting_method": "per_posting_group"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"document_no": ["Enter a document no. when posting per posting group."]}
    assert not GLEntry.objects.exists()


def test_an_unknown_posting_method_is_refused(controller_api, example):
    response = controller_api.post(JOB, {"posting_method": "per_item"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["posting_method"]


def test_a_missing_account_is_skipped_with_its_reason(controller_api, example):
    from costing.models import InventoryPostingSetup

    InventoryPostingSetup.objects.filter(location__isnull=True).update(inventory_account=None)
    response = controller_api.post(JOB, {"posting_method": "per_entry"}, format="json")
    assert response.status_code == 201
    result = response.json()["result"]
    assert [s["value_entry_no"] for s in result["skipped"]] == [1, 2, 3]
    assert all(s["reason"] for s in result["skipped"])
    assert (result["posted_value_entries"], GLEntry.objects.count()) == (0, 0)
    assert list(ValueEntry.objects.values_list("cost_posted_to_gl", flat=True)) == [D("0"), D("0"), D("0")]


def test_idempotency_key_replays_the_run(controller_api, example):
    headers = {"Idempotency-Key": "month-end-2020-01"}
    first = controller_api.post(JOB, {"posting_method": "per_entry"}, format="json", headers=headers)
    again = controller_api.post(JOB, {"posting_method": "per_entry"}, format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert GLEntry.objects.count() == 6


@pytest.mark.parametrize(("role", "status"), [("accountant", 403), ("integration", 403), ("admin", 201)])
def test_running_the_job_needs_run_jobs(client_for, example, role, status):
    response = client_for(f"u-{role}", role).post(JOB, {"posting_method": "per_entry"}, format="json")
    assert response.status_code == status
    assert GLEntry.objects.exists() == (status == 201)


def test_anonymous_gets_401(anonymous_api, example):
    assert anonymous_api.post(JOB, {"posting_method": "per_entry"}, format="json").status_code == 401
    assert anonymous_api.get(TEST_REPORT).status_code == 401


# ------------------------------------------------------------------------------------------------------ test report


def test_test_report_shows_the_lines_and_posts_nothing(accountant_api, example):
    response = accountant_api.get(f"{TEST_REPORT}?posting_method=per_entry")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["posted"], body["posted_value_entries"], body["warnings"]) == (False, 3, [])
    assert [(ln["value_entry_no"], ln["account_type"], ln["gl_account"], ln["amount"]) for ln in body["lines"]] == [
        (1, "inventory", "2130", "70.00"),
        (1, "direct_cost_applied", "7291", "-70.00"),
        (2, "inventory", "2130", "10.00"),
        (2, "overhead_applied", "7292", "-10.00"),
        (3, "inventory", "2130", "-80.00"),
        (3, "cogs", "7290", "80.00"),
    ]
    assert not GLEntry.objects.exists()


def test_test_report_warns_of_a_missing_account(accountant_api, example):
    from ledger.models import GeneralPostingSetup

    GeneralPostingSetup.objects.filter(gen_bus_posting_group__isnull=True).update(cogs_account=None)
    body = accountant_api.get(TEST_REPORT).json()
    assert [w["value_entry_no"] for w in body["warnings"]] == [3]
    assert body["warnings"][0]["message"]
    assert [s["value_entry_no"] for s in body["skipped"]] == [3]


def test_test_report_checks_the_options(accountant_api, example):
    response = accountant_api.get(f"{TEST_REPORT}?posting_method=per_posting_group")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["document_no"]
    response = accountant_api.get(f"{TEST_REPORT}?posting_method=per_posting_group&document_no=INVT-1")
    assert response.status_code == 200
    assert (response.json()["posting_method"], len(response.json()["lines"])) == ("per_posting_group", 6)


def test_test_report_filters_by_item(accountant_api, example):
    books.item("B")
    body = accountant_api.get(f"{TEST_REPORT}?item=B").json()
    assert (body["posted_value_entries"], body["lines"]) == (0, [])
    body = accountant_api.get(f"{TEST_REPORT}?item=A&item=B").json()
    assert body["posted_value_entries"] == 3
