"""Adjust Cost - Item Entries: the reference's cost adjustment, average cost, rounding and posting-date examples."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import Item, ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, invoice_item_ledger_entry, post_item_charge, post_item_journal
from ledger.models import GLEntry, GLSetup
from periods.models import InventoryPeriod
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def line(entry_type, date_text, quantity, item_no="A", **kw):
    kw.setdefault("document_no", f"DOC-{date_text}")
    return JournalLine(entry_type=entry_type, posting_date=d(date_text), item=item_no, quantity=D(str(quantity)), **kw)


def cost(entry_no):
    agg = ValueEntry.objects.filter(item_ledger_entry=entry_no).aggregate(
        a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected")
    )
    return agg["a"] + agg["e"]


def adjustments():
    return list(
        ValueEntry.objects.filter(adjustment=True)
        .order_by("entry_no")
        .values_list(
            "item_ledger_entry_id",
            "entry_type",
            "posting_date",
            "cost_amount_actual",
            "cost_amount_expected",
            "applies_to_entry",
        )
    )


def test_cost_adjustment_example_section_4_1():
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("10")), line("sale", "01-15-20", 1)])
    adjust_cost()
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert GLEntry.objects.count() == 4
    post_item_charge(1, posting_date=d("02-10-20"), document_no="CHG", amount=D("2.00"))
    report = adjust_cost()
    assert report.items_adjusted == ["A"]
    assert list(
        ValueEntry.objects.filter(entry_no__gte=3)
        .order_by("entry_no")
        .values_list(
            "entry_no",
            "posting_date",
            "item_ledger_entry_type",
            "cost_amount_actual",
            "invoiced_quantity",
            "adjustment",
        )
    ) == [
        (3, d("02-10-20"), "purchase", D("2.00"), D("0"), False),
        (4, d("01-15-20"), "sale", D("-2.00"), D("0"), True),
    ]
    assert ValueEntry.objects.get(entry_no=4).applies_to_entry == 2
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert list(
        GLEntry.objects.filter(entry_no__gte=5).values_list(
            "entry_no", "posting_date", "gl_account_id", "amount", "register_id"
        )
    ) == [
        (5, d("02-10-20"), "2130", D("2.00"), 2),
        (6, d("02-10-20"), "7291", D("-2.00"), 2),
        (7, d("01-15-20"), "2130", D("-2.00"), 2),
        (8, d("01-15-20"), "7290", D("2.00"), 2),
    ]


def test_adjusting_twice_creates_nothing_the_second_time():
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("10")), line("sale", "01-15-20", 1)])
    post_item_charge(1, posting_date=d("02-10-20"), document_no="CHG", amount=D("2.00"))
    first = adjust_cost()
    assert len(first.value_entries) == 1
    Item.objects.filter(no="A").update(cost_is_adjusted=False)  # even when forced to look again
    second = adjust_cost()
    assert second.value_entries == [] and ValueEntry.objects.count() == 4


def test_average_cost_day_item_example_section_4_3():
    company(average_calc_type="item", average_period="day")
    item("AV", method="average")
    post_item_journal(
        [
            line("purchase", "01-01-23", 1, item_no="AV", unit_cost=D("20")),
            line("purchase", "01-01-23", 1, item_no="AV", unit_cost=D("40")),
            line("sale", "01-01-23", 1, item_no="AV"),
            line("sale", "02-01-23", 1, item_no="AV"),
            line("purchase", "02-02-23", 1, item_no="AV", unit_cost=D("100")),
            line("sale", "02-03-23", 1, item_no="AV"),
        ]
    )
    adjust_cost()
    assert (cost(3), cost(4), cost(6)) == (D("-30.00"), D("-30.00"), D("-100.00"))
    # A late item charge on the second purchase raises the 01-01-23 average to 40: both sales follow, each adjusted
    # on its own date (4.9), the 02-03-23 sale is untouched.
    post_item_charge(2, posting_date=date(2023, 3, 1), document_no="CHG", amount=D("20"))
    adjust_cost()
    assert (cost(3), cost(4), cost(6)) == (D("-40.00"), D("-40.00"), D("-100.00"))
    assert [(a[0], a[2], a[3]) for a in adjustments()] == [
        (3, d("01-01-23"), D("-10.00")),
        (4, d("02-01-23"), D("-10.00")),
    ]
    assert ValueEntry.objects.filter(item_id="AV").aggregate(s=Sum("cost_amount_actual"))["s"] == 0


def test_average_exact_cost_return_follows_its_adjusted_sale():
    """An exact-cost sales return of an Average item takes its sale's cost as adjusted, and the later average with
    it. (Until the averaging re-read a return each pass, the return kept the sale's booked cost: 10.00 here, and the
    later sale 23.43 instead of 24.00.)"""
    company(average_calc_type="item", average_period="day")
    item("AV", method="average")
    post_item_journal([line("purchase", "01-01-20", 10, item_no="AV", unit_cost=D("10"))])
    post_item_journal([line("sale", "01-10-20", 4, item_no="AV")])
    post_item_journal([line("sale", "01-12-20", -1, item_no="AV", applies_from_entry=2)])
    post_item_journal([line("sale", "01-15-20", 2, item_no="AV")])
    adjust_cost()
    assert [cost(n) for n in (1, 2, 3, 4)] == [D("100.00"), D("-40.00"), D("10.00"), D("-20.00")]
    post_item_charge(1, posting_date=date(2020, 2, 1), document_no="FREIGHT", amount=D("20.00"))
    adjust_cost()
    # 12.00 a unit after the charge: the sale of 4, the return of 1 at the sale's cost, the later sale of 2
    # from (120 - 48 + 12) / 7.
    assert [cost(n) for n in (1, 2, 3, 4)] == [D("120.00"), D("-48.00"), D("12.00"), D("-24.00")]
    assert ValueEntry.objects.filter(item_id="AV").aggregate(s=Sum("cost_amount_actual"))["s"] == D("60.00")
    assert adjust_cost().value_entries == []


def test_rounding_average_item_carries_the_residual_section_4_7():
    company(average_calc_type="item", average_period="day")
    item("AV", method="average")
    post_item_journal(
        [
            line("purchase", "01-01-20", 3, item_no="AV", unit_cost=D("3.33333")),
            line("sale", "02-01-20", 1, item_no="AV"),
            line("sale", "03-01-20", 1, item_no="AV"),
            line("sale", "04-01-20", 1, item_no="AV"),
        ]
    )
    adjust_cost()
    assert (cost(1), cost(2), cost(3), cost(4)) == (D("10.00"), D("-3.33"), D("-3.34"), D("-3.33"))


def test_rounding_non_average_item_posts_a_rounding_entry_section_4_7():
    company()
    item("A")
    post_item_journal(
        [
            line("purchase", "01-01-20", 3, unit_cost=D("3.33333")),
            line("sale", "02-01-20", 1),
            line("sale", "03-01-20", 1),
            line("sale", "04-01-20", 1),
        ]
    )
    adjust_cost()
    assert adjustments() == [(1, "rounding", d("01-01-20"), D("-0.01"), D("0.00"), 1)]
    assert (cost(1), cost(2), cost(3), cost(4)) == (D("9.99"), D("-3.33"), D("-3.33"), D("-3.33"))
    rounding = ValueEntry.objects.get(entry_type="rounding")
    assert (rounding.item_ledger_entry_quantity, rounding.valued_quantity) == (0, 1)
    assert adjust_cost().value_entries == []


def test_adjustment_dated_after_closed_period_and_allow_posting_from_section_4_9():
    company()
    item("A")
    post_item_journal([line("purchase", "09-01-20", 1, unit_cost=D("10"), invoiced_quantity=D("0"))])
    post_item_journal([line("sale", "09-05-20", 1, invoiced_quantity=D("0"), document_no="102033")])
    invoice_item_ledger_entry(2, posting_date=d("09-06-20"), document_no="103022")
    invoice_item_ledger_entry(1, posting_date=d("09-08-20"), document_no="PINV", unit_cost=D("11"))
    InventoryPeriod.objects.create(ending_date=date(2020, 8, 31), name="August", closed=True)
    GLSetup.objects.update_or_create(
        id=1, defaults={"allow_posting_from": date(2020, 9, 10), "allow_posting_to": date(2020, 9, 30)}
    )
    adjust_cost()
    invoice_ve = ValueEntry.objects.get(item_ledger_entry=2, document_no="103022", adjustment=False)
    assert adjustments() == [(2, "direct_cost", date(2020, 9, 10), D("-1.00"), D("0.00"), invoice_ve.entry_no)]
    assert ValueEntry.objects.get(adjustment=True).document_no == "103022"
    assert cost(2) == D("-11.00")


def test_adjustment_keeps_its_own_date_when_allowed_section_4_9():
    company()
    item("A")
    post_item_journal([line("purchase", "09-01-20", 1, unit_cost=D("10"), invoiced_quantity=D("0"))])
    post_item_journal([line("sale", "09-05-20", 1, invoiced_quantity=D("0"))])
    invoice_item_ledger_entry(2, posting_date=d("09-06-20"), document_no="103022")
    invoice_item_ledger_entry(1, posting_date=d("09-08-20"), document_no="PINV", unit_cost=D("11"))
    InventoryPeriod.objects.create(ending_date=date(2020, 8, 31), name="August", closed=True)
    adjust_cost()
    assert [a[2] for a in adjustments()] == [date(2020, 9, 6)]


def test_back_dated_charge_ripples_through_transfer_and_returns():
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 10, location="EAST", unit_cost=D("10"))])
    post_item_journal([line("transfer", "01-05-20", 5, location="EAST", new_location="WEST")])
    post_item_journal([line("sale", "01-10-20", 3, location="WEST")])
    post_item_journal([line("sale", "01-12-20", -1, location="WEST", applies_from_entry=4)])
    post_item_journal([line("purchase", "01-15-20", -2, location="EAST", applies_to_entry=1)])
    post_item_charge(1, posting_date=date(2020, 2, 1), document_no="FREIGHT", amount=D("20.00"))
    adjust_cost()
    # unit cost 12.00 everywhere downstream of the purchase
    assert cost(1) == D("120.00")
    assert (cost(2), cost(3)) == (D("-60.00"), D("60.00"))  # transfer out of EAST, into WEST
    assert cost(4) == D("-36.00")  # sale of 3 at WEST
    assert cost(5) == D("12.00")  # exact-cost sales return of 1
    assert cost(6) == D("-24.00")  # purchase return of 2 fixed-applied to the purchase
    assert all(e.applied_entry_to_adjust is False for e in ItemLedgerEntry.objects.all())
    assert Item.objects.get(no="A").cost_is_adjusted is True
    assert adjust_cost().value_entries == []


def test_standard_item_variance_stays_after_item_charge():
    company()
    item("S", method="standard", standard_cost=D("100"), unit_cost=D("100"))
    post_item_journal(
        [line("purchase", "01-01-20", 2, item_no="S", unit_cost=D("90")), line("sale", "01-05-20", 1, item_no="S")]
    )
    post_item_charge(1, posting_date=d("01-10-20"), document_no="CHG", amount=D("20"))
    assert adjust_cost().value_entries == []
    assert cost(2) == D("-100.00")


def test_outbound_cost_equals_cost_of_what_it_applies_to_fifo_and_lifo():
    company()
    item("F", method="fifo")
    item("L", method="lifo")
    for no in ("F", "L"):
        post_item_journal(
            [
                line("purchase", "01-01-20", 5, item_no=no, unit_cost=D("10")),
                line("purchase", "01-02-20", 5, item_no=no, unit_cost=D("20")),
                line("sale", "01-03-20", 7, item_no=no),
            ]
        )
    adjust_cost()
    fifo_sale = ItemLedgerEntry.objects.get(item_id="F", entry_type="sale").entry_no
    lifo_sale = ItemLedgerEntry.objects.get(item_id="L", entry_type="sale").entry_no
    assert cost(fifo_sale) == D("-90.00")  # 5 x 10 + 2 x 20
    assert cost(lifo_sale) == D("-120.00")  # 5 x 20 + 2 x 10


def test_negative_inventory_is_costed_when_stock_arrives():
    company()
    item("A")
    post_item_journal([line("sale", "01-01-20", 2)])
    outbound = ItemLedgerEntry.objects.get()
    assert (outbound.open, outbound.remaining_quantity) == (True, D("-2"))
    post_item_journal([line("purchase", "01-02-20", 5, unit_cost=D("7"))])
    outbound.refresh_from_db()
    assert (outbound.open, outbound.remaining_quantity) == (False, 0)
    adjust_cost()
    assert cost(1) == D("-14.00")
    assert Decimal(ItemLedgerEntry.objects.get(entry_no=2).remaining_quantity) == D("3")


def adjustment_valuation_dates(entry_no):
    return list(
        ValueEntry.objects.filter(item_ledger_entry=entry_no, adjustment=True)
        .order_by("entry_no")
        .values_list("valuation_date", "cost_amount_actual")
    )


def test_negative_inventory_average_item_is_valued_in_the_period_of_the_stock_that_covers_it():
    """Reference 4.3: "If inventory is negative after the decrease, the decrease's valuation date is first its own
    posting date; it may change when the increase is applied." A sale of 2 on 01-10 with nothing on hand (valued at
    the item's unit cost, 5.00), then 5 bought at 10.00 on 01-15: the sale is valued on 01-15, in the day's average
    of 10.00 (not in 01-10's period without stock, at whatever unit cost the item has when Adjust Cost runs: 13.33
    before), and the 3 left are worth 30.00."""
    company()
    item("V", "average", unit_cost=D("5"))
    sale = post_item_journal([line("sale", "01-10-20", 2, "V")]).item_ledger_entries[0].entry_no
    receipt = post_item_journal([line("purchase", "01-15-20", 5, "V", unit_cost=D("10"))]).item_ledger_entries[0]
    adjust_cost()
    assert cost(sale) == D("-20.00")
    assert adjustment_valuation_dates(sale) == [(d("01-15-20"), D("-10.00"))]
    assert cost(receipt.entry_no) + cost(sale) == D("30.00")
    assert adjust_cost().items_adjusted == []


def test_negative_inventory_fifo_adjustment_takes_the_receipts_valuation_date():
    company()
    item("F", unit_cost=D("5"))
    sale = post_item_journal([line("sale", "01-10-20", 2, "F")]).item_ledger_entries[0].entry_no
    post_item_journal([line("purchase", "01-15-20", 5, "F", unit_cost=D("10"))])
    adjust_cost()
    assert cost(sale) == D("-20.00")
    assert adjustment_valuation_dates(sale) == [(d("01-15-20"), D("-10.00"))]


def test_a_moved_valuation_date_follows_a_transfer_and_the_sale_of_what_it_brought():
    """Average per item and location. A transfer of 2 from EAST to WEST on 01-10 with nothing at EAST, sold at WEST on
    01-12; 5 bought at EAST at 10.00 on 01-15 cover the transfer. The transfer, its receipt at WEST and the sale at
    WEST are all valued on 01-15 (Business Central's UpdateLinkedValuationDate), at 10.00 a unit: before, each took
    the unit cost of a period without stock."""
    company(average_calc_type="item_location_variant")
    item("T", "average", unit_cost=D("5"))
    transfer = JournalLine(
        entry_type="transfer", posting_date=d("01-10-20"), document_no="TR-1", item="T", quantity=D("2"),
        location="EAST", new_location="WEST",
    )  # fmt: skip
    out_leg, in_leg = post_item_journal([transfer]).item_ledger_entries
    sale = post_item_journal([line("sale", "01-12-20", 2, "T", location="WEST")]).item_ledger_entries[0].entry_no
    post_item_journal([line("purchase", "01-15-20", 5, "T", location="EAST", unit_cost=D("10"))])
    adjust_cost()
    assert (cost(out_leg.entry_no), cost(in_leg.entry_no), cost(sale)) == (D("-20.00"), D("20.00"), D("-20.00"))
    for entry in (out_leg.entry_no, in_leg.entry_no, sale):
        assert {date_ for date_, _amount in adjustment_valuation_dates(entry)} == {d("01-15-20")}, entry
    assert adjust_cost().items_adjusted == []


@pytest.mark.parametrize(
    ("mode", "adjusted"),
    [
        ("never", False),
        ("day", False),
        ("week", False),
        ("month", True),
        ("quarter", True),
        ("year", True),
        ("always", True),
    ],
)
def test_automatic_cost_adjustment_example_section_4_2(mode, adjusted):
    """10 Jan purchase, 15 Jan sale, 5 Feb freight charge on the purchase, work date 5 Feb."""
    company()
    from costing.models import InventorySetup

    InventorySetup.objects.filter(id=1).update(automatic_cost_adjustment=mode)
    item("A")
    post_item_journal([line("purchase", "01-10-20", 1, unit_cost=D("10"))], work_date=d("01-10-20"))
    post_item_journal([line("sale", "01-15-20", 1)], work_date=d("01-15-20"))
    from costing.posting import Posting

    with Posting(work_date=d("02-05-20")) as posting:
        posting.item_charge(1, posting_date=d("02-05-20"), document_no="FREIGHT", amount=D("3.00"))
    assert cost(2) == (D("-13.00") if adjusted else D("-10.00"))
    a = Item.objects.get(no="A")
    assert a.cost_is_adjusted is adjusted
    assert a.allow_online_adjustment is (adjusted or mode == "never")
    if not adjusted:
        adjust_cost()  # the batch job catches up
        assert cost(2) == D("-13.00")
        assert Item.objects.get(no="A").allow_online_adjustment is True
