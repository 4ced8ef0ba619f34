"""What an accountant sees on the inventory pages, amount by amount, and posting through the item journal."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from costing import gl_posting
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, post_item_journal
from tests.books import company, item

pytestmark = pytest.mark.django_db


def rows(html, after=None):
    """The body rows of the first grid (after the text ``after``, if given) as lists of cell texts."""
    if after:
        html = html.split(after, 1)[1]
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def totals(html):
    return dict(re.findall(r'data-total="(\w+)">(.*?)<', html))


def line(entry_type, day, quantity, **kw):
    kw.setdefault("document_no", f"DOC-{day:02}")
    kw.setdefault("item", "A")
    return JournalLine(entry_type=entry_type, posting_date=date(2026, 1, day), quantity=Decimal(quantity), **kw)


@pytest.fixture
def books(accountant):
    """Item A (FIFO, overhead 1.00): purchase 10 at 7.00 on the 5th at EAST, sale of 4 on the 20th at EAST, a receipt
    of 3 at 8.00 on the 22nd at WEST, not invoiced (expected cost 27.00 with the overhead); item B (Average)
    untouched. Then Post Inventory Cost to G/L."""
    company()
    item("A", overhead_rate=Decimal("1"))
    item("B", method="average", unit_cost=Decimal("2.5"))
    post_item_journal(
        [
            line("purchase", 5, "10", unit_cost=Decimal("7"), location="EAST", document_no="PO-1"),
            line("sale", 20, "4", location="EAST", document_no="SO-1"),
        ],
        user=accountant,
    )
    post_item_journal(
        [line("purchase", 22, "3", unit_cost=Decimal("8"), invoiced_quantity=Decimal("0"), location="WEST")],
        user=accountant,
    )
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")


def test_items_list_shows_inventory_and_value(accountant_client, books):
    response = accountant_client.get("/items/")
    assert response.status_code == 200
    html = response.content.decode()
    # A: 10 - 4 + 3 = 9 in stock; actual value 70.00 + 10.00 overhead - 32.00 for the sale = 48.00 (the receipt of 3
    # carries expected cost only).
    assert rows(html) == [
        ["A", "Item A", "FIFO", "7.00", "0.00", "9", "48.00", "No"],
        ["B", "Item B", "Average", "2.50", "0.00", "0", "0.00", "Yes"],
    ]
    assert '<a href="/items/A/">A</a>' in html


@pytest.mark.parametrize(
    ("query", "nos"),
    [("text=item+b", ["B"]), ("costing_method=fifo", ["A"]), ("text=a&costing_method=average", [])],
)
def test_items_filters(accountant_client, books, query, nos):
    html = accountant_client.get(f"/items/?{query}").content.decode()
    assert [row[0] for row in rows(html) if len(row) > 1] == nos


def test_item_card_lists_its_entries_latest_first(accountant_client, books):
    response = accountant_client.get("/items/A/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-field="inventory">9<', html)
    assert re.search(r'data-field="value">48.00<', html)
    entries = rows(html)
    assert [row[0] for row in entries] == ["3", "2", "1"]
    assert entries[2] == ["1", "2026-01-05", "Purchase", "PO-1", "A", "EAST", "10", "10", "6", "Yes", "0.00", "80.00"]
    assert '<a href="/item-ledger-entries/3/">3</a>' in html
    assert accountant_client.get("/items/NOPE/").status_code == 404


def test_item_ledger_entries_show_cost_amounts(accountant_client, books):
    response = accountant_client.get("/item-ledger-entries/")
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [
        ["1", "2026-01-05", "Purchase", "PO-1", "A", "EAST", "10", "10", "6", "Yes", "0.00", "80.00"],
        ["2", "2026-01-20", "Sale", "SO-1", "A", "EAST", "-4", "-4", "0", "No", "0.00", "-32.00"],
        ["3", "2026-01-22", "Purchase", "DOC-22", "A", "WEST", "3", "0", "3", "Yes", "27.00", "0.00"],
    ]
    assert totals(html) == {"quantity": "9", "cost_amount_expected": "27.00", "cost_amount_actual": "48.00"}
    assert 'class="num neg">-32.00<' in html


def test_item_ledger_entry_cost_amounts_take_no_query_per_row(accountant_client, books):
    with CaptureQueriesContext(connection) as queries:
        accountant_client.get("/item-ledger-entries/")
    reading_values = [q["sql"] for q in queries.captured_queries if '"costing_value_entry"' in q["sql"]]
    # The page (sums as subqueries of the one select) and the totals.
    assert len(reading_values) == 2


@pytest.mark.parametrize(
    ("query", "entry_nos", "actual"),
    [
        ("item=A", ["1", "2", "3"], "48.00"),
        ("item=B", [], "0.00"),
        ("location=WEST", ["3"], "0.00"),
        ("date_from=2026-01-10&date_to=2026-01-21", ["2"], "-32.00"),
        ("entry_type=sale", ["2"], "-32.00"),
        ("document_no=PO-1", ["1"], "80.00"),
        ("open=yes", ["1", "3"], "80.00"),
        ("open=no", ["2"], "-32.00"),
        ("register_no=2", ["3"], "0.00"),
        ("register_no=99", [], "0.00"),
    ],
)
def test_item_ledger_entry_filters(accountant_client, books, query, entry_nos, actual):
    html = accountant_client.get(f"/item-ledger-entries/?{query}").content.decode()
    assert [row[0] for row in rows(html) if len(row) > 1] == entry_nos
    assert totals(html)["cost_amount_actual"] == actual


def test_contradictory_dates_show_an_error_not_all_entries(accountant_client, books):
    html = accountant_client.get("/item-ledger-entries/?date_from=2026-02-01&date_to=2026-01-01").content.decode()
    assert "The end date is before the start date." in html
    assert "PO-1" not in html


def test_htmx_filter_gets_only_the_table(accountant_client, books):
    response = accountant_client.get("/item-ledger-entries/?entry_type=sale", headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<div id="results" class="results">')
    assert "filter-bar" not in html and "<html" not in html
    assert [row[0] for row in rows(html)] == ["2"]


def test_value_entries_page(accountant_client, books):
    html = accountant_client.get("/value-entries/").content.decode()
    found = [[row[0], row[4], row[10], row[14], row[15], row[17]] for row in rows(html)]
    assert found == [
        ["1", "Direct Cost", "1", "0.00", "70.00", "70.00"],
        ["2", "Indirect Cost", "1", "0.00", "10.00", "10.00"],
        ["3", "Direct Cost", "2", "0.00", "-32.00", "-32.00"],
        ["4", "Direct Cost", "3", "27.00", "0.00", "0.00"],
    ]
    assert totals(html) == {
        "cost_amount_expected": "27.00",
        "cost_amount_actual": "48.00",
        "expected_cost_posted_to_gl": "0.00",
        "cost_posted_to_gl": "48.00",
    }
    assert '<a href="/item-ledger-entries/2/">2</a>' in html


@pytest.mark.parametrize(
    ("query", "entry_nos"),
    [
        ("entry_type=indirect_cost", ["2"]),
        ("item_ledger_entry=1", ["1", "2"]),
        ("item_ledger_entry_type=sale", ["3"]),
        ("expected_cost=yes", ["4"]),
        ("location=EAST&date_from=2026-01-06", ["3"]),
        ("document_no=PO-1", ["1", "2"]),
    ],
)
def test_value_entry_filters(accountant_client, books, query, entry_nos):
    html = accountant_client.get(f"/value-entries/?{query}").content.decode()
    assert [row[0] for row in rows(html) if len(row) > 1] == entry_nos


def test_application_entries_page(accountant_client, books):
    html = accountant_client.get("/item-application-entries/").content.decode()
    assert rows(html) == [
        ["1", "2026-01-05", "A", "1", "1", "", "10", "No"],
        ["2", "2026-01-20", "A", "2", "1", "2", "-4", "No"],
        ["3", "2026-01-22", "A", "3", "3", "", "3", "No"],
    ]
    only_2 = accountant_client.get("/item-application-entries/?item_ledger_entry=2").content.decode()
    assert [row[0] for row in rows(only_2)] == ["2"]
    dated = accountant_client.get("/item-application-entries/?date_from=2026-01-21").content.decode()
    assert [row[0] for row in rows(dated)] == ["3"]


def test_drill_down_traces_the_cost_to_the_gl(accountant_client, books):
    response = accountant_client.get("/item-ledger-entries/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert totals(html) == {"cost_amount_expected": "0.00", "cost_amount_actual": "80.00"}
    values = rows(html, after='id="value-entries"')
    assert [[row[0], row[4], row[15]] for row in values] == [
        ["1", "Direct Cost", "70.00"],
        ["2", "Indirect Cost", "10.00"],
    ]
    gl = rows(html, after='id="gl-entries"')
    assert [[row[0], row[3], row[4], row[6]] for row in gl] == [
        ["1", "2130", "Inventory", "70.00"],
        ["1", "7291", "Direct Cost Applied", "-70.00"],
        ["2", "2130", "Inventory", "10.00"],
        ["2", "7292", "Overhead Applied", "-10.00"],
    ]
    inbound = rows(html, after='id="applications-inbound"')
    assert inbound == [["1", "2026-01-05", "–", "1", "10", "No"], ["2", "2026-01-20", "2", "2", "-4", "No"]]
    assert '<a href="/item-ledger-entries/2/">2</a>' in html.split('id="applications-inbound"', 1)[1]
    assert "No applications." in html.split('id="applications-outbound"', 1)[1]

    sale = accountant_client.get("/item-ledger-entries/2/").content.decode()
    assert rows(sale, after='id="applications-outbound"') == [["2", "2026-01-20", "1", "2", "-4", "No"]]
    assert '<a href="/item-ledger-entries/1/">1</a>' in sale.split('id="applications-outbound"', 1)[1]
    assert accountant_client.get("/item-ledger-entries/99/").status_code == 404


def test_drill_down_says_when_nothing_reached_the_gl(accountant_client, accountant):
    company()
    item("A")
    post_item_journal([line("purchase", 5, "2", unit_cost=Decimal("7"))], user=accountant)
    html = accountant_client.get("/item-ledger-entries/1/").content.decode()
    assert "have not been posted to the G/L" in html
    assert [row[15] for row in rows(html, after='id="value-entries"')] == ["14.00"]


# ------------------------------------------------------------------------------------------------ item journal


def journal_data(*lines, total=None):
    data = {
        "lines-TOTAL_FORMS": str(total or len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "500",
    }
    for index, fields in enumerate(lines):
        for name, value in fields.items():
            data[f"lines-{index}-{name}"] = value
    return data


def journal_line(**fields):
    base = {"entry_type": "purchase", "posting_date": "2026-01-05", "document_no": "J-1", "item": "A"}
    return base | fields


def test_journal_form_renders_with_csrf_and_lines(accountant_client, books):
    response = accountant_client.get("/item-journal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="lines-TOTAL_FORMS" value="3"' in html
    assert 'name="lines-0-applies_from_entry"' in html
    assert 'id="journal-line-template"' in html and "lines-__prefix__-item" in html


def test_posting_a_two_line_journal(accountant_client, books):
    data = journal_data(
        journal_line(item="B", quantity="5", unit_cost="2.5", location="EAST"),
        journal_line(entry_type="negative_adjmt", item="B", quantity="2", location="EAST"),
        {"entry_type": "purchase", "posting_date": date.today().isoformat()},  # a blank line is skipped
        total=3,
    )
    response = accountant_client.post("/item-journal/", data)
    assert response.status_code == 302
    assert response["Location"] == "/item-ledger-entries/?register_no=3"
    entries = ItemLedgerEntry.objects.filter(item="B").order_by("entry_no")
    assert [(e.entry_type, e.quantity, e.document_no) for e in entries] == [
        ("purchase", Decimal("5"), "J-1"),
        ("negative_adjmt", Decimal("-2"), "J-1"),
    ]
    page = accountant_client.get(response["Location"]).content.decode()
    assert "Posted 2 item ledger entries (item register 3)." in page
    assert [[row[2], row[4], row[6], row[11]] for row in rows(page)] == [
        ["Purchase", "B", "5", "12.50"],
        ["Negative Adjmt.", "B", "-2", "-5.00"],
    ]


def test_a_bad_line_shows_its_error_and_posts_nothing(accountant_client, books):
    before = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), ItemApplicationEntry.objects.count())
    data = journal_data(
        journal_line(item="B", quantity="5", unit_cost="2.5"),
        journal_line(item="B", quantity="3", location="NORTH"),
    )
    response = accountant_client.post("/item-journal/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was posted." in html
    # The error sits in line 2's location cell, and the typed lines are kept.
    second_line = html.split('id="journal-lines"', 1)[1].split("</tr>")[1]
    assert 'name="lines-1-location"' in second_line
    assert re.search(r'name="lines-1-location"[^>]*>\s*<span class="field-error" role="alert">Location NORTH', html)
    assert 'name="lines-0-unit_cost" value="2.5"' in html
    after = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), ItemApplicationEntry.objects.count())
    assert after == before


def test_a_conflict_is_shown_on_its_line(accountant_client, books):
    # Entry 2 is the sale: it is closed, there is nothing left to apply to.
    data = journal_data(journal_line(item="A", quantity="1", unit_cost="7", applies_to_entry="2"))
    html = accountant_client.post("/item-journal/", data).content.decode()
    assert "Nothing was posted." in html
    assert ItemLedgerEntry.objects.count() == 3
    assert 'class="field-error" role="alert">' in html.split('name="lines-0-applies_to_entry"', 1)[1].split("</td>")[0]


def test_form_errors_come_before_posting(accountant_client, books):
    data = journal_data(journal_line(quantity="ten"))
    html = accountant_client.post("/item-journal/", data).content.decode()
    assert "Enter a number." in html
    assert ItemLedgerEntry.objects.count() == 3


def test_journal_needs_posting_permission(client, books):
    viewer = User.objects.create_user("viewer", password="s3cret-ledger-pass")
    viewer.user_permissions.add(*Group.objects.get(name="accountant").permissions.filter(codename="view_books"))
    client.force_login(viewer)
    assert client.get("/item-ledger-entries/").status_code == 200
    assert "Item journal" not in client.get("/item-ledger-entries/").content.decode()
    assert client.get("/item-journal/").status_code == 403
    response = client.post("/item-journal/", journal_data(journal_line(item="B", quantity="5", unit_cost="1")))
    assert response.status_code == 403
    assert ItemLedgerEntry.objects.filter(item="B").count() == 0


def test_journal_refuses_a_post_without_csrf_token(accountant, books):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant)
    response = client.post("/item-journal/", journal_data(journal_line(item="B", quantity="5", unit_cost="1")))
    assert response.status_code == 403
    assert ItemLedgerEntry.objects.filter(item="B").count() == 0


def test_chinese_user_sees_the_ledger_in_chinese(client, books):
    from core.models import UserProfile

    user = User.objects.create_user("li", password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name="accountant"))
    UserProfile.objects.create(user=user, language="zh-hans")
    client.force_login(user)
    html = client.get("/item-ledger-entries/1/").content.decode()
    for label in ["物料分类账分录 1", "值条目", "成本金额（实际）", "作为入库分录的应用", "采购"]:
        assert label in html
    assert "80.00" in html
    assert "物料日记账" in client.get("/item-journal/").content.decode()


# ------------------------------------------------------------------------------------------- cancel a document


def test_cancel_document_page_previews_refuses_and_cancels(accountant_client, books):
    """PO-1 cannot be cancelled (4 of its 10 units were sold by SO-1); SO-1 can: the sale comes back at its cost."""
    receipt = ItemLedgerEntry.objects.get(document_no="PO-1")
    sale = ItemLedgerEntry.objects.get(document_no="SO-1")
    detail = accountant_client.get(f"/item-ledger-entries/{sale.entry_no}/").content.decode()
    assert "/cancel-document/?document_no=SO-1" in detail

    refused = accountant_client.get("/cancel-document/", {"document_no": "PO-1"}).content.decode()
    assert rows(refused, after='id="reversals"')[0][-1] == (
        "4 of its 10 units were already used by outbound entries: cancel or return those first."
    )
    assert 'id="cancel-document"' not in refused
    posted = accountant_client.post("/cancel-document/", {"document_no": "PO-1"})
    assert posted.status_code == 409 and "Nothing was posted." in posted.content.decode()
    assert ItemLedgerEntry.objects.filter(corrects_entry__isnull=False).count() == 0

    preview = accountant_client.get("/cancel-document/", {"document_no": "SO-1"}).content.decode()
    assert rows(preview, after='id="reversals"')[0] == [
        str(sale.entry_no), "2026-01-20", "Sale", "A", "EAST", "-4", "-4",
        "Correction of 4 dated 2026-01-20, at actual cost",
    ]  # fmt: skip
    response = accountant_client.post("/cancel-document/", {"document_no": "SO-1"})
    assert response.status_code == 302 and response["Location"] == "/item-ledger-entries/?document_no=SO-1"
    correction = ItemLedgerEntry.objects.get(corrects_entry=sale.entry_no)
    assert (correction.quantity, correction.location_id, correction.entry_type) == (Decimal("4"), "EAST", "sale")
    # The sale's cost, 4 x (7.00 + 1.00 overhead), comes back to the inventory.
    assert ValueEntry.objects.get(item_ledger_entry_id=correction.entry_no).cost_amount_actual == Decimal("32.00")
    assert receipt.entry_no != correction.entry_no
    again = accountant_client.get("/cancel-document/", {"document_no": "SO-1"}).content.decode()
    assert f"Already cancelled by entry {correction.entry_no}" in re.sub(r"<[^>]+>|\s+", " ", again).replace("  ", " ")


def test_cancel_document_page_needs_posting_rights(client, books):
    viewer = User.objects.create_user("vera")
    client.force_login(viewer)
    assert client.get("/cancel-document/").status_code == 403
