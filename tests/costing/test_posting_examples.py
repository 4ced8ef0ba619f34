"""Worked examples of the costing reference that involve posting, entry by entry with exact amounts."""

from decimal import Decimal

import pytest

from costing import gl_posting
from costing.models import GLItemLedgerRelation, ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import (
    JournalLine,
    RevaluationLine,
    invoice_item_ledger_entry,
    post_item_charge,
    post_item_journal,
    post_revaluation_journal,
)
from ledger.models import GLEntry
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def line(entry_type, date_text, quantity, item_no="A", **kw):
    kw.setdefault("document_no", f"DOC-{date_text}")
    return JournalLine(entry_type=entry_type, posting_date=d(date_text), item=item_no, quantity=D(str(quantity)), **kw)


def value_entries():
    return list(
        ValueEntry.objects.order_by("entry_no").values_list(
            "entry_no",
            "posting_date",
            "entry_type",
            "cost_amount_actual",
            "cost_amount_expected",
            "item_ledger_entry_id",
        )
    )


def gl():
    return list(
        GLEntry.objects.order_by("entry_no").values_list(
            "entry_no", "posting_date", "gl_account_id", "amount", "register_id"
        )
    )


def relations():
    return sorted(GLItemLedgerRelation.objects.values_list("gl_entry_id", "value_entry_id", "gl_register_id"))


def test_inventory_posting_example_section_1_6():
    """Purchase 10 at 7.00 with overhead rate 1 on 01-01-20, sale of 10 on 01-15-20, Post Inventory Cost to G/L."""
    company()
    item("A", overhead_rate=D("1"))
    post_item_journal([line("purchase", "01-01-20", 10, unit_cost=D("7")), line("sale", "01-15-20", 10)])
    assert value_entries() == [
        (1, d("01-01-20"), "direct_cost", D("70.00"), D("0.00"), 1),
        (2, d("01-01-20"), "indirect_cost", D("10.00"), D("0.00"), 1),
        (3, d("01-15-20"), "direct_cost", D("-80.00"), D("0.00"), 2),
    ]
    report = gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert report.posted_value_entries == 3 and report.skipped == []
    assert gl() == [
        (1, d("01-01-20"), "2130", D("70.00"), 1),
        (2, d("01-01-20"), "7291", D("-70.00"), 1),
        (3, d("01-01-20"), "2130", D("10.00"), 1),
        (4, d("01-01-20"), "7292", D("-10.00"), 1),
        (5, d("01-15-20"), "2130", D("-80.00"), 1),
        (6, d("01-15-20"), "7290", D("80.00"), 1),
    ]
    assert relations() == [(1, 1, 1), (2, 1, 1), (3, 2, 1), (4, 2, 1), (5, 3, 1), (6, 3, 1)]
    assert list(ValueEntry.objects.order_by("entry_no").values_list("cost_posted_to_gl", flat=True)) == [
        D("70.00"),
        D("10.00"),
        D("-80.00"),
    ]
    # Running it again posts nothing: the queue is empty.
    again = gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert again.posted_value_entries == 0 and GLEntry.objects.count() == 6


def test_expected_cost_posting_example_section_4_4():
    """Receipt with expected cost 95.00 on 01-01-20, invoiced at 100.00 on 01-15-20, automatic cost posting on."""
    company(automatic_cost_posting=True, expected_cost_posting=True)
    item("A")
    receipt = post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("95"), invoiced_quantity=D("0"))])
    assert [(g.gl_account_id, g.amount) for g in receipt.gl_entries] == [("2131", D("95.00")), ("5530", D("-95.00"))]
    invoice = invoice_item_ledger_entry(1, posting_date=d("01-15-20"), document_no="INV1", unit_cost=D("100"))
    assert value_entries() == [
        (1, d("01-01-20"), "direct_cost", D("0.00"), D("95.00"), 1),
        (2, d("01-15-20"), "direct_cost", D("100.00"), D("-95.00"), 1),
    ]
    ve1, ve2 = ValueEntry.objects.order_by("entry_no")
    assert (ve1.expected_cost, ve1.expected_cost_posted_to_gl, ve1.cost_posted_to_gl) == (True, D("95.00"), 0)
    assert (ve2.expected_cost, ve2.cost_posted_to_gl, ve2.expected_cost_posted_to_gl) == (False, D("100"), D("-95"))
    assert [(g.entry_no, g.gl_account_id, g.amount) for g in invoice.gl_entries] == [
        (3, "2130", D("100.00")),
        (4, "7291", D("-100.00")),
        (5, "2131", D("-95.00")),
        (6, "5530", D("95.00")),
    ]
    assert relations() == [(1, 1, 1), (2, 1, 1), (3, 2, 2), (4, 2, 2), (5, 2, 2), (6, 2, 2)]
    ile = ItemLedgerEntry.objects.get()
    assert (ile.invoiced_quantity, ile.completely_invoiced) == (D("1"), True)


def test_item_charge_example_section_4_1_posting_part():
    """Purchase 1 at 10.00, sale, then an item charge of 2.00 on the purchase on 02-10-20."""
    company(automatic_cost_posting=True)
    item("A")
    first = post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("10")), line("sale", "01-15-20", 1)])
    assert [(g.gl_account_id, g.amount) for g in first.gl_entries] == [
        ("2130", D("10.00")),
        ("7291", D("-10.00")),
        ("2130", D("-10.00")),
        ("7290", D("10.00")),
    ]
    charge = post_item_charge(1, posting_date=d("02-10-20"), document_no="CHG1", amount=D("2.00"))
    ve = ValueEntry.objects.get(entry_no=3)
    assert (
        ve.posting_date,
        ve.item_ledger_entry_type,
        ve.cost_amount_actual,
        ve.invoiced_quantity,
        ve.adjustment,
        ve.item_charge,
        ve.valuation_date,
    ) == (d("02-10-20"), "purchase", D("2.00"), 0, False, True, d("01-01-20"))
    assert [(g.entry_no, g.posting_date, g.gl_account_id, g.amount, g.register_id) for g in charge.gl_entries] == [
        (5, d("02-10-20"), "2130", D("2.00"), 2),
        (6, d("02-10-20"), "7291", D("-2.00"), 2),
    ]
    assert ItemLedgerEntry.objects.get(entry_no=1).applied_entry_to_adjust is True


def test_rounding_inputs_section_4_7_non_average():
    company()
    item("A")
    post_item_journal(
        [
            line("purchase", "01-01-20", 3, unit_cost=D("3.33333")),
        ]
    )
    ve = ValueEntry.objects.get()
    assert ve.cost_amount_actual == D("10.00")
    post_item_journal([line("sale", "02-01-20", 1), line("sale", "03-01-20", 1), line("sale", "04-01-20", 1)])
    assert [v[3] for v in value_entries()] == [D("10.00"), D("-3.33"), D("-3.33"), D("-3.33")]
    inbound = ItemLedgerEntry.objects.get(entry_no=1)
    assert (inbound.remaining_quantity, inbound.open) == (0, False)


def test_purchase_return_with_fixed_application_section_4_8():
    company()
    item("A")
    post_item_journal(
        [line("purchase", "01-04-20", 10, unit_cost=D("10")), line("purchase", "01-05-20", 10, unit_cost=D("20"))]
    )
    post_item_journal([line("purchase", "01-06-20", -10, applies_to_entry=2)])
    ret = ItemLedgerEntry.objects.get(entry_no=3)
    assert (ret.quantity, ret.positive, ret.applies_to_entry) == (D("-10"), False, 2)
    assert ValueEntry.objects.get(item_ledger_entry=3).cost_amount_actual == D("-200.00")
    assert list(
        ItemApplicationEntry.objects.filter(item_ledger_entry=3).values_list(
            "inbound_item_entry_id", "outbound_item_entry_id", "quantity"
        )
    ) == [(2, 3, D("-10"))]
    assert ItemLedgerEntry.objects.get(entry_no=2).open is False
    assert ItemLedgerEntry.objects.get(entry_no=1).remaining_quantity == 10


def test_purchase_return_without_fixed_application_takes_fifo_cost():
    company()
    item("A")
    post_item_journal(
        [
            line("purchase", "01-04-20", 10, unit_cost=D("10")),
            line("purchase", "01-05-20", 10, unit_cost=D("20")),
            line("purchase", "01-06-20", -10),
        ]
    )
    assert ValueEntry.objects.get(item_ledger_entry=3).cost_amount_actual == D("-100.00")


def test_application_entries_for_receipt_and_shipment_section_4_8():
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 10, unit_cost=D("5")), line("sale", "01-03-20", 5)])
    assert list(
        ItemApplicationEntry.objects.order_by("entry_no").values_list(
            "item_ledger_entry_id", "inbound_item_entry_id", "outbound_item_entry_id", "quantity", "posting_date"
        )
    ) == [(1, 1, None, D("10"), d("01-01-20")), (2, 1, 2, D("-5"), d("01-03-20"))]


def test_valuation_dates_example_section_4_3():
    """Purchase 2 (20.00), item charge 8.00, sale, revaluation, then a sale back-dated before the revaluation."""
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 2, unit_cost=D("10"))])
    post_item_charge(1, posting_date=d("01-15-20"), document_no="CHG", amount=D("8.00"))
    post_item_journal([line("sale", "02-01-20", 1)])
    post_revaluation_journal(
        [
            RevaluationLine(
                item="A", posting_date=d("03-01-20"), document_no="REV", applies_to_entry=1, unit_cost_revalued=D("10")
            )
        ]
    )
    post_item_journal([line("sale", "02-01-20", 1)])
    assert list(
        ValueEntry.objects.order_by("entry_no").values_list(
            "posting_date",
            "entry_type",
            "valuation_date",
            "valued_quantity",
            "cost_amount_actual",
            "item_ledger_entry_id",
        )
    ) == [
        (d("01-01-20"), "direct_cost", d("01-01-20"), D("2"), D("20.00"), 1),
        (d("01-15-20"), "direct_cost", d("01-01-20"), D("2"), D("8.00"), 1),
        (d("02-01-20"), "direct_cost", d("02-01-20"), D("-1"), D("-14.00"), 2),
        (d("03-01-20"), "revaluation", d("03-01-20"), D("1"), D("-4.00"), 1),
        (d("02-01-20"), "direct_cost", d("03-01-20"), D("-1"), D("-10.00"), 3),
    ]
    total = sum(ValueEntry.objects.values_list("cost_amount_actual", flat=True), Decimal(0))
    assert total == 0


def test_sale_shipped_then_invoiced_section_4_9_entries():
    company()
    item("A")
    post_item_journal([line("purchase", "09-01-20", 1, unit_cost=D("10"))])
    post_item_journal([line("sale", "09-05-20", 1, invoiced_quantity=D("0"), document_no="102033")])
    invoice_item_ledger_entry(2, posting_date=d("09-06-20"), document_no="103022")
    rows = list(
        ValueEntry.objects.filter(item_ledger_entry=2)
        .order_by("entry_no")
        .values_list(
            "posting_date",
            "document_no",
            "item_ledger_entry_quantity",
            "invoiced_quantity",
            "cost_amount_actual",
            "cost_amount_expected",
            "adjustment",
            "expected_cost",
        )
    )
    assert rows == [
        (d("09-05-20"), "102033", D("-1"), D("0"), D("0.00"), D("-10.00"), False, True),
        (d("09-06-20"), "103022", D("0"), D("-1"), D("-10.00"), D("10.00"), False, False),
    ]


def test_standard_cost_purchase_variance_section_4_5():
    company(automatic_cost_posting=True)
    item("S", method="standard", standard_cost=D("100"), unit_cost=D("100"))
    post_item_journal([line("purchase", "01-01-20", 1, item_no="S", unit_cost=D("90"))])
    post_item_charge(1, posting_date=d("01-10-20"), document_no="CHG", amount=D("20"))
    post_revaluation_journal(
        [RevaluationLine(item="S", posting_date=d("01-20-20"), document_no="REV", unit_cost_revalued=D("70"))]
    )
    assert list(ValueEntry.objects.order_by("entry_no").values_list("entry_type", "cost_amount_actual")) == [
        ("direct_cost", D("90.00")),
        ("variance", D("10.00")),
        ("direct_cost", D("20.00")),
        ("variance", D("-20.00")),
        ("revaluation", D("-30.00")),
    ]
    balances = {}
    for account, amount in GLEntry.objects.values_list("gl_account_id", "amount"):
        balances[account] = balances.get(account, 0) + amount
    assert balances == {"2130": D("70.00"), "7291": D("-110.00"), "7293": D("10.00"), "7270": D("30.00")}


def test_transfer_of_average_item_is_valued_at_average_section_4_3():
    company(average_calc_type="item_location_variant")
    item("AV", method="average")
    post_item_journal(
        [
            line("purchase", "01-01-20", 1, item_no="AV", location="EAST", unit_cost=D("10")),
            line("purchase", "01-01-20", 1, item_no="AV", location="EAST", unit_cost=D("20")),
            line("transfer", "01-02-20", 1, item_no="AV", location="EAST", new_location="WEST"),
        ]
    )
    transfer = list(
        ValueEntry.objects.filter(item_ledger_entry_type="transfer")
        .order_by("entry_no")
        .values_list("location_id", "cost_amount_actual")
    )
    assert transfer == [("EAST", D("-15.00")), ("WEST", D("15.00"))]


def test_transfer_of_standard_item_traces_cost_to_the_original_increase():
    company()
    std = item("ST", method="standard", standard_cost=D("10"), unit_cost=D("10"))
    post_item_journal([line("purchase", "01-01-20", 1, item_no="ST", location="EAST", unit_cost=D("10"))])
    std.standard_cost = D("12")
    std.save()
    post_item_journal([line("transfer", "01-02-20", 1, item_no="ST", location="EAST", new_location="WEST")])
    assert list(
        ValueEntry.objects.filter(item_ledger_entry_type="transfer")
        .values_list("cost_amount_actual", flat=True)
        .order_by("entry_no")
    ) == [D("-10.00"), D("10.00")]
