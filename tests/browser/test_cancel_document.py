"""In a real browser: from an item ledger entry, cancel its document: see the preview, confirm, land on the document's
entries with the correction beside the original."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import ensure_roles
from costing.models import ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, post_item_journal
from tests import books
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cancel_a_receipt_from_its_entry(live_server, page):
    ensure_roles()
    books.company()
    books.item("A")
    (receipt,) = post_item_journal(
        [JournalLine("purchase", books.d("01-05-26"), "PO-42", "A", Decimal("6"), unit_cost=Decimal("2.50"))]
    ).item_ledger_entries
    user = get_user_model().objects.create_user(username="carl", password="a-long-browser-test-password")
    user.groups.add(Group.objects.get(name="accountant"))
    sign_in(page, live_server, "carl", "a-long-browser-test-password")

    page.goto(live_server.url + reverse("item-ledger-entry", args=[receipt.entry_no]))
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel this document").click()
    expect(page.locator("#reversals")).to_contain_text("Correction of -6 dated 2026-01-05, at actual cost")
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel document PO-42").click()
    expect(page.locator(".messages")).to_contain_text("Document PO-42 cancelled: 1 correction entry posted")
    correction = ItemLedgerEntry.objects.get(corrects_entry=receipt.entry_no)
    assert ValueEntry.objects.get(item_ledger_entry_id=correction.entry_no).cost_amount_actual == Decimal("-15.00")
    assert "document_no=PO-42" in page.url
