"""Invoicing a posted receipt and assigning an item charge to it from the browser (costing.entry_actions)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Sum

from costing.adjustment import adjust_cost
from costing.models import ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, post_item_journal
from ledger.models import GLSetup
from periods import services as periods
from tests.books import D, company, item

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 5)


@pytest.fixture
def books(accountant):
    """Item A (FIFO): R1 receives 10 at 4.00 not invoiced (expected cost 40.00); P1 receives 10 at 4.00 invoiced
    (actual cost 40.00); S1 sells 3, invoiced."""
    company()
    item("A")
    post_item_journal(
        [JournalLine("purchase", JAN, "R1", "A", D("10"), unit_cost=D("4.00"), invoiced_quantity=Decimal(0))],
        user=accountant,
    )
    post_item_journal([JournalLine("purchase", JAN, "P1", "A", D("10"), unit_cost=D("4.00"))], user=accountant)
    post_item_journal([JournalLine("sale", JAN, "S1", "A", D("3"))], user=accountant)
    return {no: ItemLedgerEntry.objects.get(document_no=no).entry_no for no in ("R1", "P1", "S1")}


def costs(entry_no):
    """The entry's expected and actual cost: the sums over its value entries."""
    sums = ValueEntry.objects.filter(item_ledger_entry_id=entry_no).aggregate(
        expected=Sum("cost_amount_expected"), actual=Sum("cost_amount_actual")
    )
    return sums["expected"], sums["actual"]


def value_count():
    return ValueEntry.objects.count()


def invoice_url(entry_no):
    return f"/item-ledger-entries/{entry_no}/invoice/"


def charge_url(entry_no):
    return f"/item-ledger-entries/{entry_no}/item-charge/"


def viewer():
    """A user who may read the books but not post."""
    user = User.objects.create_user("vera")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="core", codename="view_books"))
    return user


def summary(html):
    return dict(re.findall(r'data-total="(\w+)">(.*?)<', html))


# ------------------------------------------------------------------------------------------------------- invoice


def test_invoice_part_of_a_receipt_at_its_invoiced_cost(accountant_client, books):
    receipt = books["R1"]
    page = accountant_client.get(invoice_url(receipt))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="invoice-entry"' in html and 'name="unit_cost"' in html and "Post invoice" in html
    assert summary(html) == {"left_to_invoice": "10", "cost_amount_expected": "40.00", "cost_amount_actual": "0.00"}
    assert costs(receipt) == (D("40.00"), D("0.00"))

    answer = accountant_client.post(
        invoice_url(receipt),
        {"posting_date": "2026-01-10", "document_no": "PI-1", "quantity": "6", "unit_cost": "4.50"},
    )
    assert answer.status_code == 302
    assert answer.url == f"/item-ledger-entries/{receipt}/"
    # 6 x 4.50 actual; 40.00 expected less the 6 x 4.00 it reverses.
    assert costs(receipt) == (D("16.00"), D("27.00"))
    entry = ItemLedgerEntry.objects.get(entry_no=receipt)
    assert entry.invoiced_quantity == D("6") and not entry.completely_invoiced

    detail = accountant_client.get(answer.url).content.decode()
    assert re.search(rf"Item ledger entry {receipt} invoiced \(item register \d+\)\.", detail)


def test_invoice_the_rest_at_the_received_cost_then_nothing_is_left(accountant_client, books):
    receipt = books["R1"]
    answer = accountant_client.post(invoice_url(receipt), {"posting_date": "2026-01-10", "document_no": "PI-2"})
    assert answer.status_code == 302
    assert costs(receipt) == (D("0.00"), D("40.00"))

    page = accountant_client.get(invoice_url(receipt))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nothing-to-invoice"' in html and 'id="invoice-entry"' not in html
    assert "completely invoiced" in html


def test_a_refused_invoice_shows_why_and_posts_nothing(accountant_client, books):
    receipt = books["R1"]
    before = value_count()
    answer = accountant_client.post(
        invoice_url(receipt), {"posting_date": "2026-01-10", "document_no": "PI-1", "quantity": "20"}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Nothing was posted." in html
    # On the quantity field, said once (the service writes the quantity with its five decimals).
    assert len(re.findall(r"Only 10(?:\.0+)? remain to be invoiced\.", html)) == 1
    assert re.search(r'class="field-error">Only 10(?:\.0+)? remain to be invoiced\.', html)
    assert 'value="20"' in html
    assert value_count() == before

    GLSetup.objects.update_or_create(id=1, defaults={"allow_posting_from": date(2026, 2, 1)})
    answer = accountant_client.post(invoice_url(receipt), {"posting_date": "2026-01-10", "document_no": "PI-1"})
    assert answer.status_code == 400
    assert "is not within the allowed posting dates" in answer.content.decode()
    assert value_count() == before


def test_an_invoice_dated_in_a_closed_period_is_a_conflict(accountant_client, books):
    adjust_cost()
    periods.create_period(ending_date=date(2026, 1, 31))
    periods.close_period(date(2026, 1, 31))
    before = value_count()
    answer = accountant_client.post(invoice_url(books["R1"]), {"posting_date": "2026-01-20", "document_no": "PI-1"})
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "inventory period ending 2026-01-31 is closed" in html
    assert re.search(r'class="field-error">Dated in a closed inventory period\.', html)
    assert value_count() == before


def test_a_form_error_is_a_400_and_posts_nothing(accountant_client, books):
    before = value_count()
    answer = accountant_client.post(invoice_url(books["R1"]), {"posting_date": "2026-01-10", "document_no": ""})
    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    assert value_count() == before


def test_a_shipment_is_invoiced_without_a_unit_cost_field(accountant_client, books):
    post_item_journal(
        [JournalLine("sale", JAN, "S2", "A", D("2"), invoiced_quantity=Decimal(0))],
        user=User.objects.get(username="anna"),
    )
    shipment = ItemLedgerEntry.objects.get(document_no="S2").entry_no
    html = accountant_client.get(invoice_url(shipment)).content.decode()
    assert 'id="invoice-entry"' in html and 'name="unit_cost"' not in html
    answer = accountant_client.post(invoice_url(shipment), {"posting_date": "2026-01-10", "document_no": "SI-2"})
    assert answer.status_code == 302
    assert ItemLedgerEntry.objects.get(entry_no=shipment).completely_invoiced


def test_unknown_entry_is_404(accountant_client, books):
    assert accountant_client.get(invoice_url(999)).status_code == 404
    assert (
        accountant_client.post(invoice_url(999), {"posting_date": "2026-01-10", "document_no": "X"}).status_code == 404
    )
    assert accountant_client.get(charge_url(999)).status_code == 404


# --------------------------------------------------------------------------------------------------- item charge


def test_item_charge_adds_exactly_its_amount_to_the_receipt(accountant_client, books):
    receipt = books["P1"]
    page = accountant_client.get(charge_url(receipt))
    assert page.status_code == 200
    assert 'id="item-charge"' in page.content.decode() and "Post item charge" in page.content.decode()
    expected, actual = costs(receipt)
    assert (expected, actual) == (D("0.00"), D("40.00"))

    answer = accountant_client.post(
        charge_url(receipt), {"posting_date": "2026-01-10", "document_no": "FREIGHT-1", "amount": "5.00"}
    )
    assert answer.status_code == 302
    assert answer.url == f"/item-ledger-entries/{receipt}/"
    assert costs(receipt) == (expected, actual + D("5.00"))
    detail = accountant_client.get(answer.url).content.decode()
    assert re.search(rf"Item charge posted to item ledger entry {receipt} \(item register \d+\)\.", detail)


def test_a_refused_item_charge_posts_nothing(accountant_client, books):
    before = value_count()
    answer = accountant_client.post(
        charge_url(books["P1"]), {"posting_date": "2026-01-10", "document_no": "FREIGHT-1", "amount": "0"}
    )
    assert answer.status_code == 400
    assert re.search(r'class="field-error">The amount must not be zero\.', answer.content.decode())
    assert value_count() == before


def test_an_outbound_entry_takes_no_item_charge(accountant_client, books):
    sale = books["S1"]
    page = accountant_client.get(charge_url(sale))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="no-item-charge"' in html and 'id="item-charge"' not in html
    before = value_count()
    accountant_client.post(charge_url(sale), {"posting_date": "2026-01-10", "document_no": "F", "amount": "5.00"})
    assert value_count() == before


# -------------------------------------------------------------------------------------------- rights and links


def test_both_pages_need_posting_rights(client, books):
    client.force_login(viewer())
    before = value_count()
    for url in (invoice_url(books["R1"]), charge_url(books["P1"])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"posting_date": "2026-01-10", "document_no": "X", "amount": "1"}).status_code == 403
    assert value_count() == before


def test_the_entry_page_links_to_what_applies(accountant_client, books):
    def links(entry_no):
        html = accountant_client.get(f"/item-ledger-entries/{entry_no}/").content.decode()
        return (invoice_url(entry_no) in html, charge_url(entry_no) in html)

    assert links(books["R1"]) == (True, True)  # a receipt not invoiced
    assert links(books["P1"]) == (False, True)  # an invoiced receipt
    assert links(books["S1"]) == (False, False)  # an invoiced sale


def test_a_viewer_sees_neither_link(client, books):
    client.force_login(viewer())
    page = client.get(f"/item-ledger-entries/{books['R1']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert invoice_url(books["R1"]) not in html and charge_url(books["R1"]) not in html


def test_the_pages_render_in_chinese(client, books):
    from core.models import UserProfile

    user = User.objects.create_user("li", password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name="accountant"))
    UserProfile.objects.create(user=user, language="zh-hans")
    client.force_login(user)
    for url in (invoice_url(books["R1"]), charge_url(books["P1"]), charge_url(books["S1"])):
        page = client.get(url)
        assert page.status_code == 200
        assert 'lang="zh-hans"' in page.content.decode() or "zh" in page.headers.get("Content-Language", "")


def test_a_cancelled_entry_says_by_what_and_offers_nothing_to_post(accountant_client, books):
    """P1 cancelled: its page names the correction and offers no invoice, item charge or cancellation; the
    correction's page neither."""
    from costing.cancel import cancel_document

    (correction,) = cancel_document("P1").item_ledger_entries
    html = accountant_client.get(f"/item-ledger-entries/{books['P1']}/").content.decode()
    assert "Cancelled by entry" in html and f'href="/item-ledger-entries/{correction.entry_no}/"' in html
    assert 'id="post-invoice"' not in html and 'id="assign-item-charge"' not in html
    assert "Cancel this document" not in html
    other = accountant_client.get(f"/item-ledger-entries/{correction.entry_no}/").content.decode()
    assert "Cancels entry" in other and 'id="post-invoice"' not in other and "Cancel this document" not in other
