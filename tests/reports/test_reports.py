"""The valuation reports on worked examples: exact quantities and amounts, the tie to the Inventory G/L account."""

from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Sum

from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import invoice_item_ledger_entry, post_item_journal
from reports import selectors
from reports.selectors import ReportFilters
from tests.books import D, company, d, item
from tests.reports.examples import line, overhead_example, post_all, production_order, revaluation_example

pytestmark = pytest.mark.django_db


def only(report, **match):
    rows = [r for r in report.rows if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, report.rows
    return rows[0]


def figures(row, names=selectors.VALUATION_FIELDS):
    return {n: row[n] for n in names}


def test_valuation_of_purchase_with_overhead_then_sale():
    overhead_example()
    whole = selectors.inventory_valuation(ReportFilters())
    assert figures(only(whole, item="A", location="")) == {
        "opening_quantity": D("0"),
        "opening_value": D("0.00"),
        "increase_quantity": D("10"),
        "increase_value": D("80.00"),
        "decrease_quantity": D("10"),
        "decrease_value": D("80.00"),
        "closing_quantity": D("0"),
        "closing_value": D("0.00"),
    }
    assert whole.gl["ties"] and whole.gl["gl_balance"] == D("0.00")

    first_days = selectors.inventory_valuation(ReportFilters(date_from=d("01-01-20"), date_to=d("01-10-20")))
    row = only(first_days, item="A")
    assert (row["increase_quantity"], row["increase_value"], row["closing_quantity"], row["closing_value"]) == (
        D("10"),
        D("80.00"),
        D("10"),
        D("80.00"),
    )
    assert first_days.gl["gl_balance"] == D("80.00") and first_days.gl["ties"]

    rest = selectors.inventory_valuation(ReportFilters(date_from=d("01-11-20"), date_to=d("01-31-20")))
    row = only(rest, item="A")
    assert (row["opening_quantity"], row["opening_value"]) == (D("10"), D("80.00"))
    assert (row["decrease_quantity"], row["decrease_value"]) == (D("10"), D("80.00"))
    assert (row["closing_quantity"], row["closing_value"]) == (D("0"), D("0.00"))
    assert rest.totals["decrease_value"] == D("80.00")


def test_valuation_shows_the_gap_of_unposted_cost():
    overhead_example()
    post_item_journal([line("purchase", "02-01-20", 5, unit_cost=D("4"))])  # 20.00 + 5.00 overhead, not posted
    report = selectors.inventory_valuation(ReportFilters(date_to=d("02-28-20")))
    assert report.totals["closing_value"] == D("25.00")
    assert report.gl["gl_balance"] == D("0.00")
    assert report.gl["difference"] == D("25.00")
    assert report.gl["not_posted"] == D("25.00") and report.gl["other"] == D("0.00")
    assert not report.gl["ties"]
    assert "25.00" in str(report.gl["message"])
    post_all()
    assert selectors.inventory_valuation(ReportFilters(date_to=d("02-28-20"))).gl["ties"]


def test_expected_cost_receipt_then_invoice():
    company()
    item("E")
    receipt = post_item_journal(
        [line("purchase", "02-01-20", 10, item_no="E", unit_cost=D("5"), invoiced_quantity=D("0"))]
    ).item_ledger_entries[0]
    invoice_item_ledger_entry(receipt.entry_no, posting_date=d("02-10-20"), document_no="INV-1", unit_cost=D("6"))
    post_all()

    received = ReportFilters(date_from=d("02-01-20"), date_to=d("02-05-20"))
    assert selectors.inventory_valuation(received).rows == []  # nothing invoiced yet: no actual cost, no quantity
    with_expected = selectors.inventory_valuation(
        ReportFilters(date_from=d("02-01-20"), date_to=d("02-05-20"), include_expected_cost=True)
    )
    row = only(with_expected, item="E")
    assert (row["increase_quantity"], row["increase_value"], row["closing_value"]) == (D("10"), D("50.00"), D("50.00"))

    for include in (False, True):
        row = only(selectors.inventory_valuation(ReportFilters(include_expected_cost=include)), item="E")
        assert (row["increase_quantity"], row["increase_value"], row["closing_value"]) == (
            D("10"),
            D("60.00"),
            D("60.00"),
        )
    assert selectors.inventory_valuation(ReportFilters()).gl["ties"]

    # As of 02-05: by valuation date the invoice (posted 02-10, valued 02-01) already counts; by posting date not.
    by_valuation = only(selectors.inventory_as_of(ReportFilters(as_of=d("02-05-20"))), item="E")
    assert (by_valuation["quantity"], by_valuation["cost_amount_actual"], by_valuation["cost_amount_expected"]) == (
        D("10"),
        D("60.00"),
        D("0.00"),
    )
    by_posting = only(
        selectors.inventory_as_of(ReportFilters(as_of=d("02-05-20"), basis="posting_date", include_expected_cost=True)),
        item="E",
    )
    assert (by_posting["cost_amount_actual"], by_posting["cost_amount_expected"], by_posting["value"]) == (
        D("0.00"),
        D("50.00"),
        D("50.00"),
    )
    spec = only(selectors.cost_spec(ReportFilters(as_of=d("02-05-20"))), item="E")
    assert (spec["quantity"], spec["direct_cost_actual"], spec["direct_cost_expected"], spec["total"]) == (
        D("10"),
        D("60.00"),
        D("0.00"),
        D("60.00"),
    )


def test_revaluation_in_every_report():
    revaluation_example()
    row = only(selectors.inventory_valuation(ReportFilters()), item="R")
    assert figures(row) == {
        "opening_quantity": D("0"),
        "opening_value": D("0.00"),
        "increase_quantity": D("10"),
        "increase_value": D("120.00"),
        "decrease_quantity": D("4"),
        "decrease_value": D("48.00"),
        "closing_quantity": D("6"),
        "closing_value": D("72.00"),
    }
    report = selectors.inventory_valuation(ReportFilters())
    assert report.gl["ties"] and report.gl["gl_balance"] == D("72.00")

    spec = only(selectors.cost_spec(ReportFilters(as_of=d("03-20-20"))), item="R")
    assert spec["quantity"] == D("6")
    assert (spec["direct_cost_actual"], spec["revaluation_actual"], spec["total_actual"]) == (
        D("60.00"),
        D("12.00"),
        D("72.00"),
    )
    assert spec["indirect_cost_actual"] == spec["rounding_actual"] == spec["variance_actual"] == D("0.00")
    before = only(selectors.cost_spec(ReportFilters(as_of=d("03-05-20"))), item="R")
    assert (before["quantity"], before["direct_cost_actual"], before["revaluation_actual"]) == (
        D("10"),
        D("100.00"),
        D("0.00"),
    )

    shares = only(selectors.cost_shares_breakdown(ReportFilters()), item="R")
    assert (shares["quantity"], shares["material"], shares["revaluation"], shares["rounding"], shares["total"]) == (
        D("4"),
        D("40.00"),
        D("8.00"),
        D("0.00"),
        D("48.00"),
    )
    as_of = only(selectors.inventory_as_of(ReportFilters(as_of=d("03-31-20"))), item="R")
    assert (as_of["quantity"], as_of["value"]) == (D("6"), D("72.00"))
    as_of = only(selectors.inventory_as_of(ReportFilters(as_of=d("03-12-20"))), item="R")
    assert (as_of["quantity"], as_of["value"]) == (D("10"), D("120.00"))


def test_cost_spec_and_shares_of_the_overhead_example():
    overhead_example()
    spec = only(selectors.cost_spec(ReportFilters(as_of=d("01-10-20"))), item="A")
    assert (spec["quantity"], spec["direct_cost_actual"], spec["indirect_cost_actual"], spec["total"]) == (
        D("10"),
        D("70.00"),
        D("10.00"),
        D("80.00"),
    )
    assert selectors.cost_spec(ReportFilters(as_of=d("01-20-20"))).rows == []
    shares = only(selectors.cost_shares_breakdown(ReportFilters(date_to=d("01-31-20"))), item="A")
    assert (shares["quantity"], shares["material"], shares["overhead"], shares["total"]) == (
        D("10"),
        D("70.00"),
        D("10.00"),
        D("80.00"),
    )
    assert selectors.cost_shares_breakdown(ReportFilters(date_to=d("01-14-20"))).rows == []


def test_wip_report_on_production_shaped_value_entries():
    company()
    item("C")
    item("P")
    production_order()
    whole = only(selectors.inventory_valuation_wip(ReportFilters()), order_no="PO-1")
    assert whole == {
        "order_no": "PO-1",
        "item": "P",
        "opening_wip": D("0.00"),
        "consumption": D("50.00"),
        "capacity": D("36.00"),
        "output": D("86.00"),
        "closing_wip": D("0.00"),
    }
    until = only(selectors.inventory_valuation_wip(ReportFilters(date_to=d("04-02-20"))), order_no="PO-1")
    assert (until["consumption"], until["capacity"], until["output"], until["closing_wip"]) == (
        D("50.00"),
        D("36.00"),
        D("0.00"),
        D("86.00"),
    )
    later = only(selectors.inventory_valuation_wip(ReportFilters(date_from=d("04-03-20"))), order_no="PO-1")
    assert (later["opening_wip"], later["consumption"], later["output"], later["closing_wip"]) == (
        D("86.00"),
        D("0.00"),
        D("86.00"),
        D("0.00"),
    )
    produced = only(selectors.cost_shares_breakdown(ReportFilters(basis="output")), item="P")
    assert (produced["quantity"], produced["material"], produced["capacity"], produced["overhead"]) == (
        D("1"),
        D("50.00"),
        D("30.00"),
        D("6.00"),
    )
    assert produced["total"] == D("86.00") and produced["rounding"] == D("0.00")


def test_demo_company_totals_tie():
    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    post_all()
    report = selectors.inventory_valuation(ReportFilters())
    everything = ValueEntry.objects.exclude(item_ledger_entry=None).aggregate(s=Sum("cost_amount_actual"))["s"]
    assert report.totals["closing_value"] == everything
    assert report.gl["ties"], report.gl
    assert report.totals["closing_value"] == report.gl["gl_balance"]
    assert report.totals["closing_value"] == (
        report.totals["opening_value"] + report.totals["increase_value"] - report.totals["decrease_value"]
    )
    on_hand = ItemLedgerEntry.objects.aggregate(s=Sum("quantity"))["s"]
    with_expected = selectors.inventory_valuation(ReportFilters(include_expected_cost=True))
    assert with_expected.totals["closing_quantity"] == on_hand
    last = ValueEntry.objects.order_by("-posting_date").values_list("posting_date", flat=True).first()
    as_of = selectors.inventory_as_of(ReportFilters(as_of=last, basis="posting_date"))
    assert as_of.totals["value"] == report.totals["closing_value"]
    assert as_of.totals["quantity"] == on_hand
    # A month split in two adds up: closing of the first part is the opening of the second.
    first = selectors.inventory_valuation(ReportFilters(date_to=last.replace(day=1)))
    second = selectors.inventory_valuation(ReportFilters(date_from=last.replace(day=2)))
    assert first.totals["closing_value"] == second.totals["opening_value"]
    assert first.gl["ties"]
    # Cost shares add up to the cost of goods sold.
    shares = selectors.cost_shares_breakdown(ReportFilters())
    cogs = -ValueEntry.objects.filter(
        item_ledger_entry__entry_type="sale", item_ledger_entry__positive=False
    ).aggregate(s=Sum("cost_amount_actual"))["s"]
    assert shares.totals["total"] == cogs
    parts = sum((shares.totals[k] for k in selectors.SHARES), Decimal(0))
    assert parts == cogs


def test_a_backdated_receipt_that_closes_negative_inventory_is_on_hand_until_the_shipment():
    """A shipment of 4 on 01-10 with nothing on hand, then a receipt of 10 dated 01-05 that closes it: the application
    is dated 01-10, when both exist, as Business Central dates it. On 01-07 the receipt's 10 were all on hand; on 01-10
    6 were left."""
    company()
    item("C")
    shipment = post_item_journal([line("sale", "01-10-20", 4, "C")]).item_ledger_entries[0]
    receipt = post_item_journal([line("purchase", "01-05-20", 10, "C", unit_cost=D("10"))]).item_ledger_entries[0]
    closing = ItemApplicationEntry.objects.get(
        item_ledger_entry_id=receipt.entry_no, outbound_item_entry_id=shipment.entry_no
    )
    assert closing.posting_date == d("01-10-20") and closing.quantity == D("4")
    on_the_7th = only(selectors.cost_spec(ReportFilters(as_of=d("01-07-20"))), item="C")
    assert (on_the_7th["quantity"], on_the_7th["total"]) == (D("10"), D("100.00"))
    on_the_10th = only(selectors.cost_spec(ReportFilters(as_of=d("01-10-20"))), item="C")
    assert (on_the_10th["quantity"], on_the_10th["total"]) == (D("6"), D("60.00"))
