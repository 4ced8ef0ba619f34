"""Cancelling a posted document (costing.cancel): each entry reversed at its own cost, the pair nets to zero in
quantity, expected and actual cost and on the G/L, and nothing can be posted against either entry afterwards."""

import pytest
from django.db.models import Sum

from core import invariants
from core.errors import Conflict, NotFound
from costing.adjustment import adjust_cost
from costing.cancel import cancel_document, plan
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import ItemLedgerEntry, ValueEntry
from costing.posting import (
    JournalLine,
    RevaluationLine,
    invoice_item_ledger_entry,
    post_item_charge,
    post_item_journal,
    post_revaluation_journal,
)
from ledger.models import GLEntry
from tests import books
from tests.books import D, d

pytestmark = pytest.mark.django_db


def post(*lines):
    return post_item_journal(list(lines)).item_ledger_entries


def cost(entry_no):
    totals = ValueEntry.objects.filter(item_ledger_entry_id=entry_no).aggregate(
        a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected")
    )
    return (totals["a"] or D("0"), totals["e"] or D("0"))


def gl(account):
    return GLEntry.objects.filter(gl_account_id=account).aggregate(s=Sum("amount"))["s"] or D("0")


@pytest.fixture
def company():
    books.company()
    books.item("A")
    books.item("AVG", "average")


def test_cancel_an_invoiced_receipt_with_an_item_charge(company):
    (receipt,) = post(JournalLine("purchase", d("01-05-26"), "R1", "A", D("10"), unit_cost=D("4.00")))
    post_item_charge(receipt.entry_no, posting_date=d("01-07-26"), document_no="FREIGHT", amount=D("5.00"))
    result = cancel_document("R1")
    (correction,) = result.item_ledger_entries
    assert (correction.quantity, correction.entry_type) == (D("-10"), "purchase")
    assert correction.posting_date == d("01-05-26")
    assert correction.corrects_entry == receipt.entry_no and correction.document_no == "R1"
    adjust_cost()
    run_post_inventory_cost_to_gl()
    # The correction took the receipt's whole cost, the item charge included (fixed application through Adjust Cost).
    assert cost(receipt.entry_no) == (D("45.00"), D("0"))
    assert cost(correction.entry_no) == (D("-45.00"), D("0"))
    assert gl("2130") == D("0") and gl("7291") == D("0")
    assert ItemLedgerEntry.objects.get(entry_no=receipt.entry_no).remaining_quantity == 0
    assert invariants.run(drained=True).counts["I11_cancelled_not_net_zero"] == 0


def test_cancel_a_receipt_not_yet_invoiced_reverses_its_expected_cost(company):
    (receipt,) = post(
        JournalLine("purchase", d("01-05-26"), "R2", "A", D("3"), unit_cost=D("7.00"), invoiced_quantity=D("0"))
    )
    (correction,) = cancel_document("R2", posting_date=d("01-09-26")).item_ledger_entries
    assert correction.posting_date == d("01-09-26") and correction.invoiced_quantity == 0
    adjust_cost()
    assert cost(receipt.entry_no) == (D("0"), D("21.00"))
    assert cost(correction.entry_no) == (D("0"), D("-21.00"))
    with pytest.raises(Conflict) as refused:
        invoice_item_ledger_entry(receipt.entry_no, posting_date=d("01-10-26"), document_no="PI")
    assert refused.value.code == "entry_cancelled"


def test_cancel_a_sale_returns_it_at_its_cost_and_only_once(company):
    post(
        JournalLine("purchase", d("01-02-26"), "R3", "A", D("5"), unit_cost=D("10.00")),
        JournalLine("purchase", d("01-03-26"), "R4", "A", D("5"), unit_cost=D("12.00")),
    )
    (sale,) = post(JournalLine("sale", d("01-10-26"), "S1", "A", D("7")))
    (correction,) = cancel_document("S1").item_ledger_entries
    assert correction.quantity == D("7") and correction.positive
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert cost(sale.entry_no) == (D("-74.00"), D("0"))
    assert cost(correction.entry_no) == (D("74.00"), D("0"))
    assert gl("7290") == D("0")
    with pytest.raises(Conflict) as again:
        cancel_document("S1")
    assert again.value.code == "already_cancelled"
    with pytest.raises(Conflict) as returned:
        post(JournalLine("sale", d("01-11-26"), "SR", "A", D("-1"), applies_from_entry=sale.entry_no))
    assert returned.value.code == "entry_cancelled"


def test_refusals_post_nothing(company):
    (receipt,) = post(JournalLine("purchase", d("01-02-26"), "R5", "A", D("5"), unit_cost=D("10.00")))
    post(JournalLine("sale", d("01-04-26"), "S2", "A", D("2")))
    before = ItemLedgerEntry.objects.count()
    with pytest.raises(Conflict) as used:
        cancel_document("R5")
    assert used.value.code == "document_not_cancellable"
    assert list(used.value.errors) == [f"entries.{receipt.entry_no}"]
    with pytest.raises(NotFound):
        cancel_document("NOPE")
    assert ItemLedgerEntry.objects.count() == before
    (reversal,) = plan("R5")
    assert "2 of its 5 units" in reversal.refusal


def test_cancel_a_standard_items_receipt_reverses_its_variance_too(company):
    """Standard cost 5.00, bought 4 at 6.00 with a charge of 2.00: 20.00 on inventory, 26.00 on Direct Cost Applied,
    6.00 on Purchase Variance. The cancellation mirrors all three, so every account comes back to zero."""
    books.item("STD", "standard", standard_cost=D("5.00"), unit_cost=D("5.00"))
    (receipt,) = post(JournalLine("purchase", d("01-05-26"), "R7", "STD", D("4"), unit_cost=D("6.00")))
    post_item_charge(receipt.entry_no, posting_date=d("01-06-26"), document_no="FREIGHT", amount=D("2.00"))
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert (gl("2130"), gl("7291"), gl("7293")) == (D("20.00"), D("-26.00"), D("6.00"))
    (correction,) = cancel_document("R7").item_ledger_entries
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert cost(correction.entry_no) == (D("-20.00"), D("0"))
    assert (gl("2130"), gl("7291"), gl("7293")) == (D("0"), D("0"), D("0"))
    assert invariants.run(drained=True).counts["I11_cancelled_not_net_zero"] == 0


def test_cancel_an_average_items_receipt_leaves_the_average_of_the_rest(company):
    """Average item: 10 at 4.00 and 10 at 6.00 (average 5.00); cancelling the second receipt takes it back at 6.00,
    so a sale of 5 afterwards costs 4.00 a unit, as if the second receipt had never been posted."""
    post(JournalLine("purchase", d("01-05-26"), "R8", "AVG", D("10"), unit_cost=D("4.00")))
    (second,) = post(JournalLine("purchase", d("01-05-26"), "R9", "AVG", D("10"), unit_cost=D("6.00")))
    (correction,) = cancel_document("R9").item_ledger_entries
    (sale,) = post(JournalLine("sale", d("01-08-26"), "S9", "AVG", D("5")))
    adjust_cost()
    assert cost(correction.entry_no) == (D("-60.00"), D("0"))
    assert cost(sale.entry_no) == (D("-20.00"), D("0"))
    assert second.entry_no == correction.corrects_entry


def test_a_receipt_not_invoiced_with_an_item_charge_is_refused(company):
    (receipt,) = post(
        JournalLine("purchase", d("01-05-26"), "R10", "A", D("2"), unit_cost=D("7.00"), invoiced_quantity=D("0"))
    )
    post_item_charge(receipt.entry_no, posting_date=d("01-06-26"), document_no="FREIGHT", amount=D("1.00"))
    (reversal,) = plan("R10")
    assert reversal.refusal == "It carries item charges but is not invoiced: invoice it first, then cancel."
    invoice_item_ledger_entry(receipt.entry_no, posting_date=d("01-07-26"), document_no="PI-10")
    (correction,) = cancel_document("R10").item_ledger_entries
    adjust_cost()
    assert cost(correction.entry_no) == (D("-15.00"), D("0"))


def test_a_cancelled_receipt_is_not_revalued_even_before_its_correction(company):
    """Received 01-05 and cancelled on 01-20 (its own period closed, say): a revaluation dated 01-10, between the two,
    would find the receipt's 4 units still on hand. It is refused by entry (409 entry_cancelled) and passed over by an
    item-wide revaluation (invariant I11: nothing is posted for a cancelled document)."""
    (receipt,) = post(JournalLine("purchase", d("01-05-26"), "R11", "A", D("4"), unit_cost=D("5.00")))
    cancel_document("R11", posting_date=d("01-20-26"))
    before = ValueEntry.objects.count()
    with pytest.raises(Conflict) as by_entry:
        post_revaluation_journal(
            [RevaluationLine("A", d("01-10-26"), "RV1", applies_to_entry=receipt.entry_no, unit_cost_revalued=D("6"))]
        )
    assert by_entry.value.code == "entry_cancelled"
    assert list(by_entry.value.errors) == ["lines[0].applies_to_entry"]
    with pytest.raises(Conflict) as item_wide:
        post_revaluation_journal([RevaluationLine("A", d("01-10-26"), "RV1", unit_cost_revalued=D("6"))])
    assert item_wide.value.code == "nothing_to_revalue"
    assert ValueEntry.objects.count() == before


def test_stock_a_cancelled_sale_brought_back_is_revalued_like_any_stock(company):
    """5 bought at 10.00, a sale of 3 cancelled: the 3 are stock again at 10.00, beside the 2 never sold. An item-wide
    revaluation to 12.00 revalues all 5 (the correction's 3 included: +6.00 and +4.00), a later sale of 5 costs
    60.00, and the cancelled pair still nets to zero (the revaluation is the stock's, not the sale's: I11 0)."""
    (receipt,) = post(JournalLine("purchase", d("01-02-26"), "R12", "A", D("5"), unit_cost=D("10.00")))
    post(JournalLine("sale", d("01-03-26"), "S12", "A", D("3")))
    (correction,) = cancel_document("S12").item_ledger_entries
    post_revaluation_journal([RevaluationLine("A", d("01-15-26"), "RV2", unit_cost_revalued=D("12.00"))])
    revaluations = ValueEntry.objects.filter(entry_type="revaluation").order_by("item_ledger_entry_id")
    assert [(v.item_ledger_entry_id, v.cost_amount_actual) for v in revaluations] == [
        (receipt.entry_no, D("4.00")),
        (correction.entry_no, D("6.00")),
    ]
    (sale,) = post(JournalLine("sale", d("01-20-26"), "S13", "A", D("5")))
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert cost(sale.entry_no) == (D("-60.00"), D("0"))
    assert (gl("2130"), gl("7270")) == (D("0"), D("-10.00"))
    counts = invariants.run(drained=True).counts
    assert (counts["I11_posted_for_cancelled"], counts["I11_cancelled_not_net_zero"]) == (0, 0)


def test_cancel_a_revalued_receipt_reverses_the_revaluation_on_inventory_adjustment(company):
    """4 bought at 5.00 (Direct Cost Applied 20.00), revalued to 6.00 (+4.00 to Inventory Adjmt.), then cancelled:
    the correction mirrors the revaluation as a revaluation, so Inventory Adjmt. comes back to zero with the rest
    (mirrored as direct cost, it went to Direct Cost Applied: 7291 +4.00 and 7270 -4.00 left behind)."""
    (receipt,) = post(JournalLine("purchase", d("01-05-26"), "R13", "A", D("4"), unit_cost=D("5.00")))
    post_revaluation_journal(
        [RevaluationLine("A", d("01-10-26"), "RV3", applies_to_entry=receipt.entry_no, unit_cost_revalued=D("6.00"))]
    )
    (correction,) = cancel_document("R13", posting_date=d("01-12-26")).item_ledger_entries
    mirrored = ValueEntry.objects.filter(item_ledger_entry_id=correction.entry_no).order_by("entry_no")
    assert [(v.entry_type, v.cost_amount_actual) for v in mirrored] == [
        ("direct_cost", D("-20.00")),
        ("revaluation", D("-4.00")),
    ]
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert cost(correction.entry_no) == (D("-24.00"), D("0"))
    assert (gl("2130"), gl("7291"), gl("7270")) == (D("0"), D("0"), D("0"))
    counts = invariants.run(drained=True).counts
    assert (counts["I11_posted_for_cancelled"], counts["I11_cancelled_not_net_zero"]) == (0, 0)
