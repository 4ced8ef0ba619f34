"""The WIP and Cost Shares reports on a production order posted through production.services."""

import pytest

from costing.adjustment import adjust_cost
from costing.posting import JournalLine, post_item_journal
from production import services
from production.models import WorkCenter
from reconciliation import selectors as reconciliation
from reports import selectors
from reports.selectors import ReportFilters
from tests.books import D, company, d, item
from tests.reports.examples import post_all

pytestmark = pytest.mark.django_db


def test_wip_and_cost_shares_of_a_production_order():
    company(expected_cost_posting=True)
    item("COMP", "fifo", unit_cost=D("5"))
    item("FG", "fifo")
    WorkCenter.objects.create(no="WC", direct_unit_cost=D("1"), indirect_cost_percent=D("50"), overhead_rate=D("0.5"))
    post_item_journal([JournalLine("purchase", d("01-01-20"), "P1", "COMP", D("10"), unit_cost=D("5"))])
    order = services.create_order(item="FG", quantity=D("2"))
    post_item_journal([JournalLine("consumption", d("01-05-20"), order.no, "COMP", D("10"), order_no=order.no)])
    services.post_capacity(
        order.no, posting_date=d("01-05-20"), document_no=order.no, work_center="WC", run_time=D("10")
    )
    post_item_journal([JournalLine("output", d("01-06-20"), order.no, "FG", D("2"), order_no=order.no)])

    in_process = selectors.inventory_valuation_wip(ReportFilters(date_to=d("01-05-20"))).rows
    assert in_process == [
        {
            "order_no": order.no,
            "item": "",
            "opening_wip": D("0.00"),
            "consumption": D("50.00"),
            "capacity": D("20.00"),
            "output": D("0.00"),
            "closing_wip": D("70.00"),
        }
    ]
    services.finish_order(order.no, posting_date=d("01-06-20"))
    adjust_cost()
    post_all()
    report = selectors.inventory_valuation_wip(ReportFilters(date_from=d("01-06-20")))
    row = report.rows[0]
    assert (row["opening_wip"], row["output"], row["closing_wip"], row["item"]) == (
        D("70.00"),
        D("70.00"),
        D("0.00"),
        "FG",
    )
    # The WIP total ties to the reconciliation's WIP figure.
    matrix = reconciliation.matrix(reconciliation.Filters(date_to=d("01-31-20")), explain=False)
    assert selectors.inventory_valuation_wip(ReportFilters()).totals["closing_wip"] == matrix.cell(
        "total", "wip_inventory"
    )
    assert selectors.inventory_valuation(ReportFilters()).gl["ties"]

    produced = selectors.cost_shares_breakdown(ReportFilters(basis="output")).rows
    assert [(r["item"], r["quantity"], r["material"], r["capacity"], r["overhead"], r["total"]) for r in produced] == [
        ("FG", D("2"), D("50.00"), D("10.00"), D("10.00"), D("70.00"))
    ]
