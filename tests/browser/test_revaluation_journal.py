"""In a real browser: from the side menu to the revaluation journal, add a line, calculate what it would revalue, post,
and land on the revaluation value entry; then invoice a receipt from its entry page."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import ensure_roles
from costing.models import ValueEntry
from costing.posting import JournalLine, post_item_journal
from tests import books
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_revalue_an_item_then_invoice_a_receipt(live_server, page):
    ensure_roles()
    books.company()
    books.item("A")
    received, _sold, pending = post_item_journal(
        [
            JournalLine("purchase", books.d("01-05-26"), "PO-1", "A", Decimal("8"), unit_cost=Decimal("2.50")),
            JournalLine("sale", books.d("01-06-26"), "SO-1", "A", Decimal("3")),
            JournalLine(
                "purchase", books.d("01-07-26"), "PO-2", "A", Decimal("4"), unit_cost=Decimal("3.00"),
                invoiced_quantity=Decimal("0"),
            ),
        ]
    ).item_ledger_entries  # fmt: skip
    user = get_user_model().objects.create_user(username="rita", password="a-long-browser-test-password")
    user.groups.add(Group.objects.get(name="accountant"))
    sign_in(page, live_server, "rita", "a-long-browser-test-password")

    page.goto(live_server.url + reverse("items"))
    with page.expect_navigation():
        page.locator("nav.sidenav").get_by_role("link", name="Revaluation journal").click()
    page.fill("#id_lines-0-posting_date", "2026-01-10")
    page.fill("#id_lines-0-document_no", "RV-7")
    page.fill("#id_lines-0-item", "A")
    page.fill("#id_lines-0-unit_cost_revalued", "3.10")
    with page.expect_navigation():
        page.get_by_role("button", name="Calculate inventory value").click()
    # 5 of the 8 received at 2.50 remain (the uninvoiced receipt is not revaluable): 12.50.
    expect(page.locator("#journal-lines tr").first).to_contain_text("12.50")
    with page.expect_navigation():
        page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Posted 1 revaluation value entry")
    revaluation = ValueEntry.objects.get(entry_type="revaluation")
    assert (revaluation.item_ledger_entry_id, revaluation.cost_amount_actual) == (received.entry_no, Decimal("3.00"))

    page.goto(live_server.url + reverse("item-ledger-entry", args=[pending.entry_no]))
    with page.expect_navigation():
        page.get_by_role("link", name="Post invoice").click()
    page.fill("#id_document_no", "PI-2")
    page.fill("#id_unit_cost", "3.25")
    with page.expect_navigation():
        page.get_by_role("button", name="Post invoice").click()
    expect(page.locator(".messages")).to_contain_text(f"Item ledger entry {pending.entry_no} invoiced")
    actual = sum(v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry_id=pending.entry_no))
    assert actual == Decimal("13.00")
