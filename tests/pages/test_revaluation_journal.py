"""The revaluation journal page: Calculate shows what each line would revalue, Post revalues in one transaction, a
refusal shows on its line and posts nothing; the journals sit in the side menu of those who may post."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from costing.cancel import cancel_document
from costing.models import ValueEntry
from costing.posting import post_item_journal
from tests.pages.test_costing_pages import books, journal_data, line, rows  # noqa: F401 - books is a fixture

pytestmark = pytest.mark.django_db


def reval_line(**fields):
    base = {"posting_date": "2026-01-25", "document_no": "RV-1", "item": "A"}
    return base | fields


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_renders_with_csrf_and_two_blank_lines(accountant_client, books):  # noqa: F811
    response = accountant_client.get("/revaluation-journal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html and 'name="lines-TOTAL_FORMS" value="3"' in html
    assert "Calculate inventory value" in html and "Unit cost (revalued)" in html


def test_calculate_shows_the_revaluable_quantity_and_value_and_posts_nothing(accountant_client, books):  # noqa: F811
    """Item A on the 25th: of the 10 received at EAST (7.00 + overhead 1.00) 6 remain, worth 48.00; the 3 received at
    WEST are not invoiced, so not revaluable (a FIFO item)."""
    before = ValueEntry.objects.count()
    data = journal_data(reval_line(unit_cost_revalued="9")) | {"action": "calculate"}
    response = accountant_client.post("/revaluation-journal/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revaluable quantity" in html
    first = rows(html)[0]
    assert first[-3:] == ["6", "48.00", "8"]
    assert ValueEntry.objects.count() == before


def test_post_revalues_and_goes_to_the_revaluation_entries(accountant_client, books):  # noqa: F811
    response = accountant_client.post(
        "/revaluation-journal/", journal_data(reval_line(unit_cost_revalued="9.00")) | {"action": "post"}
    )
    assert response.status_code == 302
    assert response.url == "/value-entries/?entry_type=revaluation&document_no=RV-1"
    (revaluation,) = ValueEntry.objects.filter(entry_type="revaluation")
    assert (revaluation.item_ledger_entry_id, revaluation.cost_amount_actual) == (1, Decimal("6.00"))
    assert revaluation.valued_quantity == Decimal("6")
    page = accountant_client.get(response.url).content.decode()
    assert "Posted 1 revaluation value entry" in page and "RV-1" in page


def test_a_refusal_shows_on_its_line_and_posts_nothing(accountant_client, books):  # noqa: F811
    """Applies-to entry 3 is the WEST receipt, not invoiced: nothing to revalue (409); a cancelled receipt: 409 too."""
    before = ValueEntry.objects.count()
    data = journal_data(reval_line(applies_to_entry="3", unit_cost_revalued="9")) | {"action": "post"}
    response = accountant_client.post("/revaluation-journal/", data)
    assert response.status_code == 409
    assert "Entry 3 has no revaluable quantity on 2026-01-25." in text(response.content.decode())
    assert "Nothing was posted" in response.content.decode()
    (receipt,) = post_item_journal(
        [line("purchase", 24, "2", unit_cost=Decimal("5"), document_no="PO-9")]
    ).item_ledger_entries
    cancel_document("PO-9", posting_date=date(2026, 1, 26))
    before = ValueEntry.objects.count()
    data = journal_data(reval_line(applies_to_entry=str(receipt.entry_no), unit_cost_revalued="9")) | {"action": "post"}
    refused = accountant_client.post("/revaluation-journal/", data)
    assert refused.status_code == 409
    message = f"Item ledger entry {receipt.entry_no} is cancelled; a cancelled receipt is not revalued."
    assert message in text(refused.content.decode())
    assert ValueEntry.objects.count() == before


def test_both_or_neither_value_is_refused_on_the_line(accountant_client, books):  # noqa: F811
    response = accountant_client.post("/revaluation-journal/", journal_data(reval_line()) | {"action": "post"})
    assert response.status_code == 400
    assert "Give either the revalued unit cost or the revalued inventory value." in text(response.content.decode())


def test_the_journals_are_in_the_menu_of_those_who_may_post(client, accountant_client, books):  # noqa: F811
    menu = accountant_client.get("/items/").content.decode().split('class="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/item-journal/"' in menu and 'href="/revaluation-journal/"' in menu
    assert 'href="/cancel-document/"' in menu
    viewer = User.objects.create_user("vera")
    client.force_login(viewer)
    assert client.get("/revaluation-journal/").status_code == 403
    assert client.post("/revaluation-journal/", journal_data(reval_line(unit_cost_revalued="9"))).status_code == 403
