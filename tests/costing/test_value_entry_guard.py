"""The value entry guard and the posted amounts beside it (costing/migrations/sql/ve_gl_posting.sql).

Value entries never change after their posting; what Post Inventory Cost to G/L has posted of one is a row of
costing_value_entry_gl_posting (``ValueEntryGLPosting``) that later postings only add to and nothing deletes."""

import pytest
from django.db import IntegrityError, connection, transaction

from core.invariants import gl_link_counts, i3_lost_postings, inventory_accounts
from costing.gl_posting import PER_ENTRY, post_value_entries, run_post_inventory_cost_to_gl
from costing.models import InventorySetup, ValueEntry, ValueEntryGLPosting
from costing.posting import invoice_item_ledger_entry, post_item_journal
from tests.books import D, company, d, item
from tests.costing.test_posting_examples import line

pytestmark = pytest.mark.django_db


def test_no_column_of_a_value_entry_may_change_and_none_is_deleted():
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 2, unit_cost=D("3"))])
    ve = ValueEntry.objects.get()
    for statement in (
        "UPDATE costing_value_entry SET cost_amount_actual = 7 WHERE entry_no = %s",
        "UPDATE costing_value_entry SET document_no = 'X' WHERE entry_no = %s",
        "UPDATE costing_value_entry SET description = description WHERE entry_no = %s",
        "DELETE FROM costing_value_entry WHERE entry_no = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [ve.entry_no])
    assert ValueEntry.objects.get().cost_amount_actual == D("6")


def test_posted_amounts_are_kept_beside_the_value_entry_and_only_added_to():
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 2, unit_cost=D("3"))])
    ve = ValueEntry.objects.get()
    assert (ve.cost_posted_to_gl, ve.expected_cost_posted_to_gl) == (0, 0)
    assert not ValueEntryGLPosting.objects.exists()

    post_value_entries([ve.entry_no], method=PER_ENTRY)
    assert ValueEntry.objects.get().cost_posted_to_gl == D("6.00")
    posted = ValueEntryGLPosting.objects.get()
    assert (posted.value_entry_id, posted.cost_posted_to_gl, posted.expected_cost_posted_to_gl) == (
        ve.entry_no,
        D("6.00"),
        0,
    )
    # Posting it again finds nothing left to post and adds nothing.
    post_value_entries([ve.entry_no], method=PER_ENTRY)
    assert ValueEntryGLPosting.objects.get().cost_posted_to_gl == D("6.00")

    for statement in (
        "DELETE FROM costing_value_entry_gl_posting WHERE value_entry_no = %s",
        "UPDATE costing_value_entry_gl_posting SET value_entry_no = value_entry_no + 1 WHERE value_entry_no = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [ve.entry_no])


def test_posted_amounts_must_name_an_existing_value_entry():
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 2, unit_cost=D("3"))])
    with pytest.raises(IntegrityError, match="value entry 999, which does not exist"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO costing_value_entry_gl_posting (value_entry_no, cost_posted_to_gl,"
                " expected_cost_posted_to_gl) VALUES (1, 0, 0), (999, 5, 0)"
            )


def test_expected_cost_posted_later_adds_to_the_row_of_the_entry():
    """Section 4.4's receipt (expected cost 95.00) and invoice (actual 100.00, expected -95.00), with expected cost
    posting off: the run posts the invoice's actual cost only (a new row) and leaves the receipt. Turned on, posting
    both entries (``post_value_entries``: the run's queue no longer holds them) posts the receipt's expected cost (a
    new row) and adds the invoice's expected -95.00 to its row."""
    company(expected_cost_posting=False)
    item("A")
    post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("95"), invoiced_quantity=D("0"))])
    invoice_item_ledger_entry(1, posting_date=d("01-15-20"), document_no="INV1", unit_cost=D("100"))

    def posted():
        return list(
            ValueEntry.objects.order_by("entry_no").values_list(
                "entry_no", "cost_posted_to_gl", "expected_cost_posted_to_gl"
            )
        )

    run_post_inventory_cost_to_gl(method=PER_ENTRY)
    assert posted() == [(1, 0, 0), (2, D("100.00"), 0)]
    assert ValueEntryGLPosting.objects.count() == 1
    setup = InventorySetup.get()
    setup.expected_cost_posting_to_gl = True
    setup.save()
    post_value_entries([1, 2], method=PER_ENTRY)
    assert posted() == [(1, 0, D("95.00")), (2, D("100.00"), D("-95.00"))]
    assert ValueEntryGLPosting.objects.count() == 2
    # The books agree with it: I2 per value entry, I3 nothing left to post.
    assert gl_link_counts(inventory_accounts())["I2_posted_differs_from_gl"] == 0
    assert i3_lost_postings(True, drained=True) == 0
