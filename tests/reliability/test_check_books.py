"""check_books, the nightly check and the red banner: clean books pass; a manual posting to an inventory account
(the G/L no longer equals the valuation, I5) fails the command, is recorded and shows the banner."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core.context_processors_invariants import CACHE_KEY
from costing.gl_posting import run_post_inventory_cost_to_gl
from jobs.tasks_invariants import check_books_task
from ledger.services import post_gl_journal
from tests.jobs import support
from tests.reliability.conftest import api_client

pytestmark = pytest.mark.django_db


def test_check_books_passes_on_clean_books_then_fails_and_shows_the_banner(client, record):
    cache.delete(CACHE_KEY)
    support.company_with_items(3)
    run_post_inventory_cost_to_gl()
    call_command("check_books", "--drained", "--rerun")
    assert check_books_task() is True

    post_gl_journal(
        [
            {"gl_account": acc, "amount": Decimal(amount), "posting_date": date(2026, 1, 9), "document_no": "MAN-1"}
            for acc, amount in (("2130", "5.00"), ("7290", "-5.00"))
        ]
    )
    with pytest.raises(CommandError) as failed:
        call_command("check_books")
    assert failed.value.returncode == 1 and "I5_inventory_differs_from_valuation" in str(failed.value)
    assert check_books_task() is False

    user = api_client("alice", "accountant").user
    client.force_login(user)
    page = client.get("/")
    assert "The books check failed." in page.content.decode()
    assert "I5_inventory_differs_from_valuation" in page.content.decode()
    record.figures = {"banner_shown": True, "command_exit_status": failed.value.returncode}


def test_i10_counts_a_cent_left_at_a_location_only_once_its_receipt_is_invoiced():
    """I10 per item and location: a receipt of 3 at 10.00, not invoiced, sold one at a time at 3.33 each leaves 0.01
    with no quantity. Business Central posts that rounding when the receipt's cost is final (at its invoice), so I10
    waits for it; once invoiced and adjusted the location is at exactly 0.00. Stock elsewhere does not hide it."""
    from costing.adjustment import adjust_cost
    from costing.models import ValueEntry
    from costing.posting import JournalLine, invoice_item_ledger_entry, post_item_journal
    from tests import books
    from tests.books import D, d

    books.company()
    books.item("R")
    receipt = post_item_journal(
        [JournalLine("purchase", d("01-02-26"), "R1", "R", D("3"), unit_cost=D("3.333333"), invoiced_quantity=D("0"))]
    ).item_ledger_entries[0]
    post_item_journal([JournalLine("purchase", d("01-02-26"), "R2", "R", D("4"), unit_cost=D("5"), location="EAST")])
    for n in range(3):
        post_item_journal([JournalLine("sale", d("01-03-26"), f"S{n}", "R", D("1"))])
    adjust_cost()
    run_post_inventory_cost_to_gl()

    def left_at_blank():
        return sum(
            v.cost_amount_actual + v.cost_amount_expected
            for v in ValueEntry.objects.filter(item_id="R", location_id=None)
        )

    assert left_at_blank() == D("0.01")  # 10.00 expected in, 3 x 3.33 out
    call_command("check_books", "--drained")  # not yet: the receipt is not invoiced
    invoice_item_ledger_entry(receipt.entry_no, posting_date=d("01-09-26"), document_no="PI1")
    adjust_cost()
    run_post_inventory_cost_to_gl()
    assert left_at_blank() == D("0.00")
    assert ValueEntry.objects.filter(item_id="R", entry_type="rounding").count() == 1
    call_command("check_books", "--drained", "--rerun")
