"""The batch job pages: Inventory Cost Adjustment (6.3) and Post Inventory Cost to G/L with its test report (5.1, 5.2).

What the user sees: the report's amounts by account and per value entry, skipped entries with their reasons, the
test report's warnings, the CSV and XLSX downloads, the adjustment list's filters and the exclude/include switch,
and who may run what.
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from openpyxl import load_workbook

from costing.models import AvgCostAdjmtEntryPoint, Item, Location, PostValueEntryToGL, ValueEntry
from costing.posting import JournalLine, post_item_journal
from jobs import services as job_services
from jobs.models import JobRun
from ledger.models import GLEntry
from tests.books import company, item

pytestmark = pytest.mark.django_db

NORTH_REASON = "Inventory Posting Setup is missing for location NORTH and inventory posting group RESALE."


def rows(html, table_id):
    """The body rows of the table with this id, as lists of cell texts."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def totals(html):
    return dict(re.findall(r'data-total="(\w+)">(?:<a [^>]*>)?(.*?)<', html))


def line(entry_type, day, quantity, **kw):
    kw.setdefault("document_no", f"DOC-{day:02}")
    kw.setdefault("item", "A")
    return JournalLine(entry_type=entry_type, posting_date=date(2026, 1, day), quantity=Decimal(quantity), **kw)


def user_in(role, name):
    user = User.objects.create_user(name, password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def controller_client(client):
    client.force_login(user_in("controller", "carl"))
    return client


@pytest.fixture
def books(accountant):
    """Purchase 10 of A at 7.00 with overhead rate 1.00 on the 5th, sale of the 10 on the 20th; not posted to G/L."""
    company()
    item("A", overhead_rate=Decimal("1"))
    post_item_journal(
        [
            line("purchase", 5, "10", unit_cost=Decimal("7"), document_no="PO-1"),
            line("sale", 20, "10", document_no="SO-1"),
        ],
        user=accountant,
    )


@pytest.fixture
def north(books, accountant):
    """A location NORTH without inventory posting setup, and a purchase of 2 of B at 5.00 there (value entry 4)."""
    Location.objects.create(code="NORTH", name="North")
    item("B")
    post_item_journal(
        [line("purchase", 21, "2", item="B", unit_cost=Decimal("5"), location="NORTH", document_no="PO-2")],
        user=accountant,
    )


def run_posting(client, data):
    """Start Post Inventory Cost to G/L from the page, run the job (here, in the test's transaction), read its page.

    The page starts the run and goes to the run's page at once; the worker runs it after commit, which a test's
    transaction never reaches, so the test runs it the way the worker does."""
    started = client.post("/post-inventory-cost/run/", data)
    assert started.status_code == 302
    run_id = int(re.fullmatch(r"/post-inventory-cost/runs/(\d+)/", started["Location"]).group(1))
    queued = client.get(started["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in queued and 'data-status="queued"' in queued
    assert job_services.execute_run(run_id) == "succeeded"
    return run_id, client.get(started["Location"])


POST_PER_ENTRY = {"posting_method": "per_entry", "document_no": "", "post": "yes", "items": "", "posting_date_to": ""}


# ----------------------------------------------------------------------------------- post inventory cost to G/L


def test_post_per_entry_shows_amounts_by_account_and_per_value_entry(controller_client, books):
    _run_id, response = run_posting(controller_client, POST_PER_ENTRY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="succeeded"' in html and 'hx-trigger="every 1s"' not in html
    assert rows(html, "by-account") == [
        ["2130", "Inventory", "Inventory", "0.00"],
        ["7290", "COGS", "COGS", "80.00"],
        ["7291", "Direct Cost Applied", "Direct cost applied", "-70.00"],
        ["7292", "Overhead Applied", "Overhead applied", "-10.00"],
    ]
    assert rows(html, "report-lines") == [
        ["1", "A", "Purchase", "Direct Cost", "2026-01-05", "PO-1", "Actual", "Inventory", "2130", "70.00"],
        ["", "", "", "", "2026-01-05", "PO-1", "Actual", "Direct cost applied", "7291", "-70.00"],
        ["2", "A", "Purchase", "Indirect Cost", "2026-01-05", "PO-1", "Actual", "Inventory", "2130", "10.00"],
        ["", "", "", "", "2026-01-05", "PO-1", "Actual", "Overhead applied", "7292", "-10.00"],
        ["3", "A", "Sale", "Direct Cost", "2026-01-20", "SO-1", "Actual", "Inventory", "2130", "-80.00"],
        ["", "", "", "", "2026-01-20", "SO-1", "Actual", "COGS", "7290", "80.00"],
    ]
    assert totals(html) == {
        "value_entries": "3",
        "debit": "160.00",
        "credit": "-160.00",
        "balance": "0.00",
        "skipped": "0",
        "gl_entries": "6",
    }
    assert "3 value entries have been posted to the general ledger." in html
    # Posted for real: six G/L entries, and the queue is empty.
    assert sorted(GLEntry.objects.values_list("gl_account_id", "amount")) == [
        ("2130", Decimal("-80.00")),
        ("2130", Decimal("10.00")),
        ("2130", Decimal("70.00")),
        ("7290", Decimal("80.00")),
        ("7291", Decimal("-70.00")),
        ("7292", Decimal("-10.00")),
    ]
    assert not PostValueEntryToGL.objects.exists()


def test_report_only_posts_nothing(controller_client, books):
    html = run_posting(controller_client, {**POST_PER_ENTRY, "post": "no"})[1].content.decode()
    assert "Test report (not posted)" in html
    assert rows(html, "by-account")[1] == ["7290", "COGS", "COGS", "80.00"]
    assert totals(html)["value_entries"] == "3"
    assert GLEntry.objects.count() == 0 and PostValueEntryToGL.objects.count() == 3


def test_per_posting_group_needs_a_document_no_and_per_entry_refuses_one(controller_client, books):
    missing = controller_client.post(
        "/post-inventory-cost/run/", {**POST_PER_ENTRY, "posting_method": "per_posting_group"}
    )
    assert missing.status_code == 400
    assert "Enter a document no. when posting per posting group." in missing.content.decode()
    refused = controller_client.post("/post-inventory-cost/run/", {**POST_PER_ENTRY, "document_no": "INVT-1"})
    assert refused.status_code == 400
    assert "Do not enter a document no. when posting per entry" in refused.content.decode()
    assert GLEntry.objects.count() == 0

    _run_id, grouped = run_posting(
        controller_client, {**POST_PER_ENTRY, "posting_method": "per_posting_group", "document_no": "INVT-1"}
    )
    html = grouped.content.decode()
    assert grouped.status_code == 200 and "Per posting group" in html
    assert rows(html, "by-account")[0] == ["2130", "Inventory", "Inventory", "0.00"]
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-1"}


def test_a_skipped_entry_is_listed_with_its_reason(controller_client, north):
    html = run_posting(controller_client, POST_PER_ENTRY)[1].content.decode()
    assert rows(html, "skipped") == [
        ["4", "B", "Purchase", "Direct Cost", "PO-2", "2026-01-21", "NORTH", "RESALE", "No", "10.00", NORTH_REASON]
    ]
    assert totals(html)["skipped"] == "1" and totals(html)["value_entries"] == "3"
    # The skipped entry stays in the queue for a later run once the setup exists.
    assert list(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True)) == [4]


def test_test_report_shows_every_warning_and_posts_nothing(accountant_client, north):
    response = accountant_client.get(
        "/post-inventory-cost/test-report/", {"posting_method": "per_entry", "post": "no", "items": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    warnings = re.findall(r'<li role="alert">(.*?)</li>', html, re.S)
    assert warnings == [f"Value entry 4: {NORTH_REASON}"]
    assert rows(html, "by-account")[1] == ["7290", "COGS", "COGS", "80.00"]
    assert totals(html)["value_entries"] == "3"
    assert GLEntry.objects.count() == 0 and PostValueEntryToGL.objects.count() == 4


def test_test_report_for_one_item_and_up_to_a_date(accountant_client, north):
    only_b = accountant_client.get("/post-inventory-cost/test-report/?posting_method=per_entry&post=no&items=B")
    assert rows(only_b.content.decode(), "by-account") == [["Nothing to post."]]
    assert NORTH_REASON in only_b.content.decode()
    early = accountant_client.get(
        "/post-inventory-cost/test-report/?posting_method=per_entry&post=no&posting_date_to=2026-01-10"
    ).content.decode()
    assert rows(early, "by-account") == [
        ["2130", "Inventory", "Inventory", "80.00"],
        ["7291", "Direct Cost Applied", "Direct cost applied", "-70.00"],
        ["7292", "Overhead Applied", "Overhead applied", "-10.00"],
    ]
    assert "No warnings: every entry can be posted." in early
    unknown = accountant_client.get("/post-inventory-cost/test-report/?posting_method=per_entry&post=no&items=ZZZ")
    assert "Unknown items: ZZZ." in unknown.content.decode()


def test_test_report_exports_to_csv(accountant_client, north):
    response = accountant_client.get("/post-inventory-cost/test-report/?posting_method=per_entry&post=no&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="post-inventory-cost-test-report.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[:7] == [
        ["By account"],
        ["G/L account", "Name", "Account type", "Amount"],
        ["2130", "Inventory", "Inventory", "0.00"],
        ["7290", "COGS", "COGS", "80.00"],
        ["7291", "Direct Cost Applied", "Direct cost applied", "-70.00"],
        ["7292", "Overhead Applied", "Overhead applied", "-10.00"],
        ["Total", "", "", "0.00"],
    ]
    lines_at = table.index(["Lines"])
    assert table[lines_at + 2] == [
        "1",
        "A",
        "Purchase",
        "Direct Cost",
        "2026-01-05",
        "PO-1",
        "Actual",
        "Inventory",
        "2130",
        "70.00",
    ]
    skipped_at = table.index(["Skipped entries"])
    assert table[skipped_at + 2] == [
        "4",
        "B",
        "Purchase",
        "Direct Cost",
        "PO-2",
        "2026-01-21",
        "NORTH",
        "RESALE",
        "no",
        "10.00",
        NORTH_REASON,
    ]


def test_test_report_exports_to_xlsx(accountant_client, north):
    response = accountant_client.get("/post-inventory-cost/test-report/?posting_method=per_entry&post=no&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["By account", "Lines", "Skipped entries"]
    by_account = [list(r) for r in book["By account"].iter_rows(values_only=True)]
    assert by_account == [
        ["G/L account", "Name", "Account type", "Amount"],
        ["2130", "Inventory", "Inventory", 0],
        ["7290", "COGS", "COGS", 80],
        ["7291", "Direct Cost Applied", "Direct cost applied", -70],
        ["7292", "Overhead Applied", "Overhead applied", -10],
        ["Total", None, None, 0],
    ]
    assert book["By account"]["D3"].number_format == "#,##0.00"
    lines = book["Lines"]
    assert [c.value for c in lines[2]][:4] == [1, "A", "Purchase", "Direct Cost"]
    assert lines["E2"].value.date() == date(2026, 1, 5) and lines["J2"].value == 70
    skipped = book["Skipped entries"]
    assert skipped["A2"].value == 4 and skipped["K2"].value == NORTH_REASON and skipped["J2"].value == 10


def test_a_finished_run_exports_its_report(controller_client, north):
    run_id, _page = run_posting(controller_client, POST_PER_ENTRY)
    response = controller_client.get(f"/post-inventory-cost/runs/{run_id}/?format=csv")
    assert f'filename="post-inventory-cost-run-{run_id}.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[2:7] == [
        ["2130", "Inventory", "Inventory", "0.00"],
        ["7290", "COGS", "COGS", "80.00"],
        ["7291", "Direct Cost Applied", "Direct cost applied", "-70.00"],
        ["7292", "Overhead Applied", "Overhead applied", "-10.00"],
        ["Total", "", "", "0.00"],
    ]
    assert table[table.index(["Skipped entries"]) + 2][-1] == NORTH_REASON
    book = load_workbook(io.BytesIO(controller_client.get(f"/post-inventory-cost/runs/{run_id}/?format=xlsx").content))
    assert [c.value for c in book["By account"][3]] == ["7290", "COGS", "COGS", 80]
    assert book["Skipped entries"]["K2"].value == NORTH_REASON


def test_progress_partial_polls_while_running_and_reloads_the_page_when_done(controller_client, books):
    started = controller_client.post("/post-inventory-cost/run/", POST_PER_ENTRY)
    run = JobRun.objects.get()
    assert run.status == "queued" and run.parameters["posting_method"] == "per_entry"
    JobRun.objects.filter(pk=run.pk).update(status="running", progress=Decimal("0.4"))
    polled = controller_client.get(f"/post-inventory-cost/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    html = polled.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html and "HX-Refresh" not in polled
    # No second run while one is active: the lock group refuses it and the page says why.
    refused = controller_client.post("/post-inventory-cost/run/", POST_PER_ENTRY, follow=True)
    assert refused.status_code == 400 and "is already running" in refused.content.decode()
    JobRun.objects.filter(pk=run.pk).update(status="queued", progress=0)
    job_services.execute_run(run.pk)
    done = controller_client.get(f"/post-inventory-cost/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and 'hx-trigger="every 1s"' not in done.content.decode()
    assert controller_client.get(started["Location"]).status_code == 200
    assert controller_client.get(f"/post-inventory-cost/runs/{run.pk + 99}/").status_code == 404


def test_a_run_still_going_has_nothing_to_export(controller_client, books):
    controller_client.post("/post-inventory-cost/run/", POST_PER_ENTRY)
    run = JobRun.objects.get()
    assert controller_client.get(f"/post-inventory-cost/runs/{run.pk}/?format=csv").status_code == 404


def test_unknown_export_format_is_404(accountant_client, books):
    response = accountant_client.get("/post-inventory-cost/test-report/?posting_method=per_entry&post=no&format=pdf")
    assert response.status_code == 404


def test_post_page_shows_the_queue_and_options(accountant_client, north):
    html = accountant_client.get("/post-inventory-cost/").content.decode()
    assert "4 value entries of 2 items wait to be posted." in html
    assert "Per posting group: the amounts are added up" in html
    # An accountant may run the test report but not the batch job.
    assert "Test report" in html and 'formaction="/post-inventory-cost/run/"' not in html


# -------------------------------------------------------------------------------------- cost adjustment


@pytest.fixture
def items(books):
    """A is not adjusted (its sale waits for adjustment) and its entries wait for G/L posting; C is adjusted and
    excluded; D is adjusted."""
    item("C", excluded_from_cost_adjustment=True)
    item("D", method="average")
    Item.objects.filter(no="A").update(cost_is_adjusted=False)


def list_rows(html):
    return [r[1:10] if len(r) == 11 else r[:9] for r in rows(html, "adjustment-items")]


def test_adjustment_page_lists_items_with_their_state(accountant_client, items):
    response = accountant_client.get("/cost-adjustment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert list_rows(html) == [
        ["A", "Item A", "FIFO", "7.00", "0.00", "No", "No", "No", ""],
        ["C", "Item C", "FIFO", "0.00", "0.00", "Yes", "Yes", "Yes", ""],
        ["D", "Item D", "Average", "0.00", "0.00", "Yes", "No", "Yes", ""],
    ]
    assert re.search(r'data-summary="non_adjusted"><a [^>]*>1<', html)
    assert re.search(r'data-summary="excluded"><a [^>]*>1<', html)
    assert '<a href="/item-ledger-entries/?item=A">' in html
    assert '<a href="/value-entries/?item=A">' in html
    assert '<a href="/cost-adjustment/A/entry-points/">' in html
    # An accountant sees the list but gets no action buttons nor checkboxes.
    assert 'name="items"' not in html and "Run cost adjustment" not in html


@pytest.mark.parametrize(
    ("show", "nos"),
    [("non_adjusted", ["A"]), ("excluded", ["C"]), ("included", ["A", "D"]), ("all", ["A", "C", "D"])],
)
def test_adjustment_page_filters(accountant_client, items, show, nos):
    html = accountant_client.get(f"/cost-adjustment/?show={show}").content.decode()
    assert [r[0] for r in list_rows(html)] == nos


def test_adjustment_filter_with_htmx_returns_the_table_only(accountant_client, items):
    response = accountant_client.get("/cost-adjustment/?show=excluded", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert [r[0] for r in list_rows(html)] == ["C"]


def test_exclude_and_include_selected_items(controller_client, items):
    response = controller_client.post(
        "/cost-adjustment/exclusion/", {"action": "exclude", "items": ["A", "D"], "return_query": "show=excluded"}
    )
    assert response.status_code == 302 and response["Location"] == "/cost-adjustment/?show=excluded"
    assert set(Item.objects.filter(excluded_from_cost_adjustment=True).values_list("no", flat=True)) == {"A", "C", "D"}
    html = controller_client.get(response["Location"]).content.decode()
    assert "2 items excluded from cost adjustment: A, D." in html
    assert [r[0] for r in list_rows(html)] == ["A", "C", "D"]

    controller_client.post("/cost-adjustment/exclusion/", {"action": "include", "items": ["C", "D"]})
    assert list(Item.objects.filter(excluded_from_cost_adjustment=True).values_list("no", flat=True)) == ["A"]
    html = controller_client.get("/cost-adjustment/?show=included").content.decode()
    assert "2 items included in cost adjustment again: C, D." in html
    assert [r[0] for r in list_rows(html)] == ["C", "D"]

    nothing = controller_client.post("/cost-adjustment/exclusion/", {"action": "exclude"}, follow=True)
    assert "Select at least one item." in nothing.content.decode()


def test_run_cost_adjustment_for_selected_items(controller_client, items):
    response = controller_client.post(
        "/cost-adjustment/run/", {"scope": "selected", "items": ["A"], "return_query": "show=non_adjusted"}
    )
    assert response.status_code == 302 and response["Location"] == "/cost-adjustment/?show=non_adjusted"
    run = JobRun.objects.get()
    assert (run.job, run.parameters) == ("adjust_cost", {"items": ["A"], "post_to_gl": None})
    going = controller_client.get(response["Location"]).content.decode()
    assert f"Cost adjustment started (run {run.pk})." in going
    assert 'data-status="queued"' in going and f'hx-get="/cost-adjustment/runs/{run.pk}/progress/"' in going
    assert re.search(r'data-summary="last_run"><span class="status-queued">Queued<', going)

    assert job_services.execute_run(run.pk) == "succeeded"
    polled = controller_client.get(f"/cost-adjustment/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    html = controller_client.get("/cost-adjustment/").content.decode()
    assert 'data-status="succeeded"' in html and 'hx-trigger="every 1s"' not in html
    assert "1 items adjusted, 0 adjustment value entries, adjusted amount 0.00." in html
    a = Item.objects.get(no="A")
    assert a.cost_is_adjusted and a.last_adjusted_at is not None
    assert list_rows(html)[0][:8] == ["A", "Item A", "FIFO", "7.00", "0.00", "Yes", "No", "No"]
    assert list_rows(html)[0][8] == f"{a.last_adjusted_at.astimezone():%Y-%m-%d %H:%M}"
    run.refresh_from_db()
    assert re.search(r'data-summary="last_success">' + f"{run.finished_at.astimezone():%Y-%m-%d %H:%M}", html)

    nothing_selected = controller_client.post("/cost-adjustment/run/", {"scope": "selected"}, follow=True)
    assert "Select the items to adjust." in nothing_selected.content.decode()
    assert JobRun.objects.count() == 1


def test_entry_points_of_an_item(accountant_client, items):
    AvgCostAdjmtEntryPoint.objects.create(item_id="D", valuation_date=date(2026, 1, 31), cost_is_adjusted=False)
    AvgCostAdjmtEntryPoint.objects.create(
        item_id="D", location_id="EAST", valuation_date=date(2026, 1, 5), cost_is_adjusted=True
    )
    html = accountant_client.get("/cost-adjustment/D/entry-points/").content.decode()
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    assert cells == ["2026-01-05", "EAST", "Yes", "2026-01-31", "", "No"]
    assert accountant_client.get("/cost-adjustment/NOPE/entry-points/").status_code == 404


# ------------------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/cost-adjustment/run/", {"scope": "all"}),
        ("/cost-adjustment/exclusion/", {"action": "exclude", "items": ["A"]}),
        ("/post-inventory-cost/run/", POST_PER_ENTRY),
    ],
)
def test_accountant_sees_but_cannot_run(accountant_client, items, url, data):
    assert accountant_client.get("/cost-adjustment/").status_code == 200
    assert accountant_client.get("/post-inventory-cost/").status_code == 200
    assert accountant_client.post(url, data).status_code == 403
    assert GLEntry.objects.count() == 0
    assert not Item.objects.get(no="A").excluded_from_cost_adjustment
    assert ValueEntry.objects.count() == 3 and not JobRun.objects.exists()


def test_controller_gets_the_actions(controller_client, items):
    html = controller_client.get("/cost-adjustment/").content.decode()
    assert 'name="items" value="A"' in html and "Run cost adjustment" in html
    post_page = controller_client.get("/post-inventory-cost/").content.decode()
    assert 'formaction="/post-inventory-cost/run/"' in post_page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/cost-adjustment/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_a_run_started_from_the_page_runs_in_the_background_and_shows_its_report(client):
    """End to end without a broker: the page starts the run, a thread of this process runs it after commit."""
    from config.celery import app
    from core.roles import ensure_roles

    ensure_roles()
    company()
    item("A", overhead_rate=Decimal("1"))
    post_item_journal([line("purchase", 5, "10", unit_cost=Decimal("7")), line("sale", 20, "10", document_no="SO-1")])
    client.force_login(user_in("controller", "carl"))
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        started = client.post("/post-inventory-cost/run/", POST_PER_ENTRY)
        job_services.wait_for_background(60)
    finally:
        app.conf.task_always_eager = before
    html = client.get(started["Location"]).content.decode()
    assert 'data-status="succeeded"' in html
    assert rows(html, "by-account") == [
        ["2130", "Inventory", "Inventory", "0.00"],
        ["7290", "COGS", "COGS", "80.00"],
        ["7291", "Direct Cost Applied", "Direct cost applied", "-70.00"],
        ["7292", "Overhead Applied", "Overhead applied", "-10.00"],
    ]
    assert GLEntry.objects.count() == 6 and not PostValueEntryToGL.objects.exists()
