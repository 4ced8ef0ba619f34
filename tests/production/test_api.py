"""Production API: an order from creation to finish through the endpoints and the item journal, permissions."""

import pytest

from costing.adjustment import adjust_cost
from production.models import BOMComponent, WorkCenter
from tests.books import D, company, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    company()
    item("LINK", "standard", standard_cost=D("1"), unit_cost=D("1"))
    chain = item("CHAIN", "standard", standard_cost=D("150"), unit_cost=D("150"), overhead_rate=D("25"))
    WorkCenter.objects.create(no="WC1", direct_unit_cost=D("2"), indirect_cost_percent=D("10"))
    BOMComponent.objects.create(item=chain, line_no=1, component_id="LINK", quantity_per=D("150"))


def test_order_through_the_api(books, accountant_api, admin_api):
    api = accountant_api
    r = api.post(
        "/api/v1/item-journal/post/",
        {
            "lines": [
                {
                    "entry_type": "purchase",
                    "posting_date": "2020-01-01",
                    "document_no": "P1",
                    "item": "LINK",
                    "quantity": "150",
                    "unit_cost": "1.10",
                }
            ]
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    r = api.post(
        "/api/v1/production-orders/", {"item": "CHAIN", "quantity": "1", "status": "firm_planned"}, format="json"
    )
    assert r.status_code == 201, r.data
    no = r.data["no"]
    assert r.data["status"] == "firm_planned"
    assert api.post(f"/api/v1/production-orders/{no}/release/").data["status"] == "released"
    r = api.post(
        "/api/v1/item-journal/post/",
        {
            "lines": [
                {
                    "entry_type": "consumption",
                    "posting_date": "2020-02-01",
                    "document_no": no,
                    "item": "LINK",
                    "quantity": "150",
                    "order_no": no,
                }
            ]
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["item_ledger_entries"][0]["entry_type"] == "consumption"
    r = api.post(
        f"/api/v1/production-orders/{no}/capacity/",
        {"posting_date": "2020-02-01", "document_no": no, "work_center": "WC1", "run_time": "60"},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert [v["cost_amount_actual"] for v in r.data["value_entries"]] == ["120.00", "12.00"]
    r = api.post(
        f"/api/v1/production-orders/{no}/output/",
        {"posting_date": "2020-02-15", "document_no": no, "quantity": "1"},
        format="json",
    )
    assert r.status_code == 201, r.data
    r = api.post(f"/api/v1/production-orders/{no}/finish/", {"posting_date": "2020-02-15"}, format="json")
    assert r.data["status"] == "finished"
    assert (
        api.post(f"/api/v1/production-orders/{no}/finish/", {"posting_date": "2020-02-15"}, format="json").status_code
        == 409
    )
    adjust_cost()
    detail = api.get(f"/api/v1/production-orders/{no}/").data
    breakdown = detail["cost_breakdown"]
    assert breakdown["wip"] == "0.00"
    assert breakdown["total"] == {"expected": "150.00", "actual": "307.00", "variance": "-157.00"}
    assert breakdown["output_cost"] == "150.00"
    entries = api.get(f"/api/v1/production-orders/{no}/entries/").data
    assert [e["entry_type"] for e in entries["item_ledger_entries"]] == ["consumption", "output"]
    assert api.get("/api/v1/production-orders/?status=finished").data["count"] == 1
    assert api.get("/api/v1/production-orders/NOPE/").status_code == 404
    # Calculate Standard Cost changes setup: the accountant may not, the admin may.
    assert api.post("/api/v1/items/CHAIN/calculate-standard-cost/").status_code == 403
    r = admin_api.post("/api/v1/items/CHAIN/calculate-standard-cost/")
    assert r.status_code == 200 and r.data["material"] == "150.00000" and r.data["standard_cost"] == "175.00000"


def test_posting_needs_post_entries(books, client_for):
    viewer = client_for("vic", None)
    r = viewer.post("/api/v1/production-orders/", {"item": "CHAIN", "quantity": "1"}, format="json")
    assert r.status_code == 403
