"""What an accountant sees on the chart of accounts and the G/L entries, amount by amount."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import GLEntry, GLRegister
from ledger.services import post_gl_journal

from .conftest import line

pytestmark = pytest.mark.django_db


def rows(html):
    """The body rows of the page's grid as lists of cell texts."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def cell_tag(html, text):
    """The opening tag of the cell holding exactly ``text``."""
    match = re.search(r"(<td[^>]*>)" + re.escape(text) + "</td>", html)
    assert match, f"no cell {text!r}"
    return match.group(1)


def test_chart_of_accounts_shows_balances(accountant_client, journal):
    response = accountant_client.get("/gl-accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [
        ["1000", "Balance sheet", "Balance sheet", "Heading", "", ""],
        ["2130", "Inventory", "Balance sheet", "Posting", "", "1,154.50"],
        ["5510", "Cash", "Balance sheet", "Posting", "", "998,765.50"],
        ["7291", "Direct Cost Applied", "Income statement", "Posting", "", "-999,920.00"],
        ["9999", "Old account", "Income statement", "Posting", "Yes", "0.00"],
    ]
    assert '<tr class="heading-row">' in html
    assert cell_tag(html, "-999,920.00") == '<td class="num neg">'
    assert cell_tag(html, "1,154.50") == '<td class="num ">'
    # The trial balance of a balanced ledger.
    assert re.search(r"<tfoot>.*<td class=\"num \">0.00</td>", html, re.S)
    # Drill-down to the account's entries.
    assert '<a href="/gl-entries/?gl_account=2130">2130</a>' in html


def test_chart_of_accounts_balance_at_a_date(accountant_client, journal):
    html = accountant_client.get("/gl-accounts/?as_of=2026-01-31").content.decode()
    balances = {row[0]: row[5] for row in rows(html)}
    assert balances == {"1000": "", "2130": "1,154.50", "5510": "-1,234.50", "7291": "80.00", "9999": "0.00"}
    assert "Balances at 2026-01-31" in html


def test_chart_of_accounts_balance_is_one_query(accountant_client, journal):
    with CaptureQueriesContext(connection) as queries:
        accountant_client.get("/gl-accounts/")
    reading_entries = [q["sql"] for q in queries.captured_queries if '"ledger_gl_entry"' in q["sql"]]
    assert len(reading_entries) == 1
    assert "GROUP BY" in reading_entries[0]


def test_gl_entries_show_exact_amounts_and_totals(accountant_client, journal):
    response = accountant_client.get("/gl-entries/")
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [
        ["1", "2026-01-05", "J-100", "2130", "Inventory", "Inventory bought", "GENJNL", "1", "1,234.50"],
        ["2", "2026-01-05", "J-100", "5510", "Cash", "Inventory bought", "GENJNL", "1", "-1,234.50"],
        ["3", "2026-01-20", "J-101", "7291", "Direct Cost Applied", "Cost applied", "GENJNL", "2", "80.00"],
        ["4", "2026-01-20", "J-101", "2130", "Inventory", "Cost applied", "GENJNL", "2", "-80.00"],
        ["5", "2026-02-03", "J-200", "5510", "Cash", "Capital", "GENJNL", "3", "1,000,000.00"],
        ["6", "2026-02-03", "J-200", "7291", "Direct Cost Applied", "Capital", "GENJNL", "3", "-1,000,000.00"],
    ]
    assert cell_tag(html, "-80.00") == '<td class="num neg">'
    totals = dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html))
    assert totals == {
        "Entries": "6",
        "Debit amount": "1,001,314.50",
        "Credit amount": "1,001,314.50",
        "Net amount": "0.00",
    }


@pytest.mark.parametrize(
    ("query", "entry_nos", "net"),
    [
        ("gl_account=2130", ["1", "4"], "1,154.50"),
        ("date_from=2026-01-10&date_to=2026-01-31", ["3", "4"], "0.00"),
        ("date_from=2026-02-01", ["5", "6"], "0.00"),
        ("document_no=J-101", ["3", "4"], "0.00"),
        ("transaction_no=3", ["5", "6"], "0.00"),
        ("gl_account=5510&date_to=2026-01-31", ["2"], "-1,234.50"),
        ("register_no=2", ["5", "6"], "0.00"),
        ("document_no=NOPE", [], "0.00"),
    ],
)
def test_filters_narrow_the_entries(accountant_client, journal, query, entry_nos, net):
    html = accountant_client.get(f"/gl-entries/?{query}").content.decode()
    found = [row[0] for row in rows(html) if len(row) > 1]
    assert found == entry_nos
    assert re.search(r'data-total="net">' + re.escape(net) + "<", html)


def test_filters_stay_in_the_form(accountant_client, journal):
    html = accountant_client.get("/gl-entries/?gl_account=2130&date_from=2026-01-01").content.decode()
    assert 'name="gl_account" value="2130"' in html
    assert 'name="date_from" value="2026-01-01"' in html


def test_contradictory_dates_show_an_error_not_all_entries(accountant_client, journal):
    html = accountant_client.get("/gl-entries/?date_from=2026-02-01&date_to=2026-01-01").content.decode()
    assert "The end date is before the start date." in html
    assert "Inventory bought" not in html


def test_bad_date_shows_an_error(accountant_client, journal):
    response = accountant_client.get("/gl-entries/?date_from=yesterday")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_htmx_request_gets_only_the_table(accountant_client, journal):
    response = accountant_client.get("/gl-entries/?gl_account=2130", headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<div id="results" class="results">')
    assert "<html" not in html and '<nav class="sidenav"' not in html and "filter-bar" not in html
    assert [row[0] for row in rows(html)] == ["1", "4"]
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(accountant_client, journal):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = accountant_client.get("/gl-entries/", headers=headers).content.decode()
    assert "<html" in html and 'class="filter-bar"' in html


def test_filter_bar_is_wired_for_htmx(accountant_client, journal):
    html = accountant_client.get("/gl-entries/").content.decode()
    form = re.search(r"<form method=\"get\"[^>]*>", html, re.S).group(0)
    assert 'hx-get="/gl-entries/"' in form
    assert 'hx-target="#results"' in form
    assert 'hx-push-url="true"' in form


def test_paging_50_per_page_keeps_the_filters(accountant_client, chart, accountant):
    lines = []
    for day in range(1, 61):
        lines.append(line("2130", "10.00", f"D-{day:03}", date(2026, 3, 1)))
        lines.append(line("5510", "-10.00", f"D-{day:03}", date(2026, 3, 1)))
    post_gl_journal(lines, user=accountant)
    html = accountant_client.get("/gl-entries/?gl_account=2130").content.decode()
    assert len(rows(html)) == 50
    assert "Page 1 of 2" in html
    assert 'href="?gl_account=2130&amp;page=2"' in html
    # The totals cover every filtered entry, not only the page.
    assert re.search(r'data-total="net">600.00<', html)
    second = accountant_client.get("/gl-entries/?gl_account=2130&page=2").content.decode()
    assert len(rows(second)) == 10
    assert "Page 2 of 2" in second
    # A page number past the end shows the last page rather than an error.
    assert "Page 2 of 2" in accountant_client.get("/gl-entries/?gl_account=2130&page=99").content.decode()


def test_home_dashboard_counts_the_books(accountant_client, journal):
    html = accountant_client.get("/").content.decode()
    tiles = dict(re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(?:<a[^>]*>)?([\d,]+)", html))
    assert tiles == {"G/L entries": "6", "Item ledger entries": "0", "Value entries": "0", "G/L accounts": "5"}
    registers = rows(html.split("Latest G/L registers", 1)[1])
    newest = GLRegister.objects.order_by("-no").first()
    assert [row[0] for row in registers] == [str(newest.no), str(newest.no - 1)]
    assert registers[0][2:] == ["GENJNL", "anna", "5", "6", "1,000,000.00"]
    assert registers[1][2:] == ["GENJNL", "anna", "1", "4", "1,314.50"]
    assert GLEntry.objects.count() == 6


def test_other_users_postings_are_visible_to_an_accountant(client, journal):
    viewer = User.objects.create_user("viewer", password="s3cret-ledger-pass")
    viewer.groups.add(*User.objects.get(username="anna").groups.all())
    client.force_login(viewer)
    assert "1,000,000.00" in client.get("/gl-entries/").content.decode()


def test_chart_of_accounts_htmx_request_gets_only_the_table(accountant_client, journal):
    response = accountant_client.get("/gl-accounts/?as_of=2026-01-31", headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<div id="results" class="results">')
    assert "<html" not in html
    assert {row[0]: row[5] for row in rows(html)}["5510"] == "-1,234.50"
