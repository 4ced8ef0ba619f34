"""Inventory - G/L Reconciliation after worked examples: exact cells (3.3/3.4), warnings (3.5) provoked on purpose,
explanations that add up to each difference, drill-downs that add up to each cell."""

from decimal import Decimal

import pytest

from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import PostValueEntryToGL, ValueEntry
from costing.posting import JournalLine, post_item_journal
from ledger.services import post_gl_journal
from reconciliation import selectors
from reconciliation.formulas import CELLS, COLUMNS, ROWS
from reconciliation.selectors import Filters
from reconciliation.services import post_unposted_entries
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def line(entry_type, date_text, quantity, item_no="A", **kw):
    kw.setdefault("document_no", f"DOC-{date_text}")
    return JournalLine(entry_type=entry_type, posting_date=d(date_text), item=item_no, quantity=D(str(quantity)), **kw)


def example_1_6(post=True):
    """Purchase 10 at 7.00 with overhead rate 1 on 01-01-20, sale of 10 on 01-15-20 (reference 1.6)."""
    company()
    item("A", overhead_rate=D("1"))
    post_item_journal([line("purchase", "01-01-20", 10, unit_cost=D("7")), line("sale", "01-15-20", 10)])
    adjust_cost()
    if post:
        gl_posting.run_post_inventory_cost_to_gl(method="per_entry")


def cells(result):
    return {(row, col): result.cell(row, col) for row in result.rows for col in result.columns}


def nonzero_differences(result):
    return {
        (row, col): value
        for (row, col), value in cells(result).items()
        if CELLS[row].get(col) and CELLS[row][col].line == "diff" and value
    }


def assert_explained(result):
    """Every non-zero Difference is explained by causes whose amounts add up to it exactly."""
    for (row, col), value in nonzero_differences(result).items():
        explanation = result.explanations[CELLS[row][col].field]
        assert explanation["difference"] == value
        assert sum(c["amount"] for c in explanation["causes"]) == value, (row, col, explanation)


def assert_drilldowns_add_up(filters):
    result = selectors.matrix(filters, explain=False)
    for row in result.rows:
        for col in result.columns:
            value = result.cell(row, col)
            if value is None:
                continue
            dd = selectors.drilldown(filters, row, col)
            if CELLS[row][col].line == "diff":
                explained = sum((selectors.drilldown(filters, row, col, k).total for k, _name in dd.kinds), Decimal(0))
                assert explained + dd.other == value, (row, col)
            else:
                assert dd.total == value, (row, col, dd.total, value)
                assert sum(e.amount for e in dd.queryset) == value
                if dd.kinds:
                    parts = sum((selectors.drilldown(filters, row, col, k).total for k, _n in dd.kinds), Decimal(0))
                    assert parts == value, (row, col)


def test_worked_example_1_6_reconciles_to_zero_with_exact_cells():
    example_1_6()
    result = selectors.matrix(Filters(show_warnings=True))
    got = cells(result)
    assert got[("direct_cost_applied", "inventory")] == D("-70.00")
    assert got[("direct_cost_applied", "wip_inventory")] == D("0.00")
    assert got[("direct_cost_applied", "total")] == D("-70.00")
    assert got[("direct_cost_applied", "gl_total")] == D("-70.00")
    assert got[("overhead_applied", "inventory")] == D("-10.00")
    assert got[("overhead_applied", "gl_total")] == D("-10.00")
    assert got[("cogs", "inventory")] == D("80.00")
    assert got[("cogs", "gl_total")] == D("80.00")
    assert got[("total", "inventory")] == D("0.00")
    assert got[("gl_total", "inventory")] == D("0.00")
    # Cells the layout leaves empty are None.
    assert got[("inventory_to_wip", "inventory_interim")] is None
    assert got[("inventory_to_wip", "total")] is None
    assert got[("total", "total")] is None
    assert got[("cogs", "inventory_interim")] is None
    for (row, col), value in got.items():
        if CELLS[row].get(col) and CELLS[row][col].line == "diff":
            assert value == 0, (row, col)
    assert result.warnings == {}
    assert result.explanations == {}
    assert_drilldowns_add_up(Filters())


def test_period_filter_splits_the_example_by_date():
    example_1_6()
    january_first = selectors.matrix(Filters(date_from=d("01-01-20"), date_to=d("01-01-20")))
    assert january_first.cell("total", "inventory") == D("80.00")
    assert january_first.cell("gl_total", "inventory") == D("80.00")
    assert january_first.cell("cogs", "inventory") == D("0.00")
    assert nonzero_differences(january_first) == {}


def test_item_or_location_filter_hides_the_gl_side():
    example_1_6()
    result = selectors.matrix(Filters(item="A", show_warnings=True))
    assert result.columns == ["inventory", "inventory_interim", "wip_inventory", "total"]
    assert "gl_total" not in result.rows and "difference" not in result.rows
    assert result.cell("direct_cost_applied", "gl_total") is None
    assert result.cell("direct_cost_applied", "inventory") == D("-70.00")
    assert result.warnings == {}
    assert result.as_dict()["filters"]["show_warnings"] is False
    assert selectors.matrix(Filters(item="OTHER")).cell("direct_cost_applied", "inventory") == D("0.00")
    assert_drilldowns_add_up(Filters(item="A"))


def test_unposted_entries_warn_explain_and_post_from_the_button():
    example_1_6(post=False)
    result = selectors.matrix(Filters(show_warnings=True))
    assert result.cell("direct_cost_applied", "difference") == D("70.00")
    assert result.cell("cogs", "difference") == D("-80.00")
    assert result.cell("difference", "inventory") == D("0.00")
    assert result.warnings["direct_cost_applied"]["difference"]["code"] == "cost_not_posted"
    assert result.warnings["cogs"]["difference"]["code"] == "cost_not_posted"
    assert_explained(result)
    cause = result.explanations["cogs"]["causes"][0]
    assert cause["code"] == "not_posted" and cause["count"] == 1
    assert [(e["entry_no"], e["amount"]) for e in cause["entries"]] == [(3, D("-80.00"))]
    assert_drilldowns_add_up(Filters())

    assert selectors.unposted_entry_numbers(Filters()) == [1, 2, 3]
    report = post_unposted_entries(Filters())
    assert report.posted_value_entries == 3
    assert not PostValueEntryToGL.objects.exists()
    after = selectors.matrix(Filters(show_warnings=True))
    assert nonzero_differences(after) == {} and after.warnings == {}
    # Nothing left to post: a second click posts nothing twice.
    assert post_unposted_entries(Filters()).posted_value_entries == 0


def test_manual_gl_entry_on_inventory_account_is_a_direct_posting():
    example_1_6()
    post_gl_journal(
        [
            {"gl_account": "2130", "amount": D("25.00"), "posting_date": d("01-20-20"), "document_no": "M-1"},
            {"gl_account": "7270", "amount": D("-25.00"), "posting_date": d("01-20-20"), "document_no": "M-1"},
        ]
    )
    result = selectors.matrix(Filters(show_warnings=True))
    assert result.cell("difference", "inventory") == D("25.00")
    assert result.cell("inventory_adjmt", "difference") == D("-25.00")
    assert result.warnings["difference"]["inventory"]["code"] == "direct_postings"
    assert result.warnings["inventory_adjmt"]["difference"]["code"] == "direct_postings"
    assert "message" in result.warnings["difference"]["inventory"]
    assert_explained(result)
    causes = result.explanations["inventory"]["causes"]
    assert [(c["code"], c["amount"]) for c in causes] == [("manual_gl", D("25.00"))]
    assert causes[0]["entries"][0]["document_no"] == "M-1"
    assert_drilldowns_add_up(Filters())


def test_receipt_not_invoiced_with_expected_cost_posting_off_warns_about_setup():
    company(expected_cost_posting=False)
    item("B")
    post_item_journal([line("purchase", "02-01-20", 5, item_no="B", unit_cost=D("4"), invoiced_quantity=D("0"))])
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    result = selectors.matrix(Filters(show_warnings=True))
    assert result.cell("difference", "inventory_interim") == D("-20.00")
    assert result.cell("invt_accrual_interim", "difference") == D("20.00")
    assert result.warnings["difference"]["inventory_interim"]["code"] == "expected_cost_setup"
    assert result.warnings["invt_accrual_interim"]["difference"]["code"] == "expected_cost_setup"
    assert_explained(result)
    assert [c["code"] for c in result.explanations["inventory_interim"]["causes"]] == ["expected_cost_setup"]
    assert_drilldowns_add_up(Filters())


def test_gl_entries_moved_to_another_date_warn_about_posting_dates():
    example_1_6()
    # Inventory taken out of the G/L on the purchase date and put back on 02-01-20.
    post_gl_journal(
        [
            {"gl_account": "2130", "amount": D("-80.00"), "posting_date": d("01-01-20"), "document_no": "MOVE-1"},
            {"gl_account": "7291", "amount": D("80.00"), "posting_date": d("01-01-20"), "document_no": "MOVE-1"},
            {"gl_account": "2130", "amount": D("80.00"), "posting_date": d("02-01-20"), "document_no": "MOVE-2"},
            {"gl_account": "7291", "amount": D("-80.00"), "posting_date": d("02-01-20"), "document_no": "MOVE-2"},
        ]
    )
    assert nonzero_differences(selectors.matrix(Filters())) == {}
    february = Filters(date_from=d("02-01-20"), date_to=d("02-29-20"), show_warnings=True)
    result = selectors.matrix(february)
    assert result.cell("difference", "inventory") == D("80.00")
    assert result.warnings["difference"]["inventory"]["code"] == "posting_date"
    assert result.warnings["direct_cost_applied"]["difference"]["code"] == "posting_date"
    assert_explained(result)
    assert_drilldowns_add_up(february)


def test_api_contract_keys(client, django_user_model):
    from django.contrib.auth.models import Group

    from core.roles import ensure_roles

    example_1_6(post=False)
    ensure_roles()
    user = django_user_model.objects.create_user("ctrl", password="pw-for-the-test-only")
    user.groups.add(Group.objects.get(name="controller"))
    client.force_login(user)
    body = client.get("/api/v1/reconciliation/matrix/", {"show_warnings": "true"}).json()
    assert set(body) >= {"filters", "columns", "rows"}
    assert [c["key"] for c in body["columns"]] == COLUMNS
    assert [r["key"] for r in body["rows"]] == ROWS
    row = next(r for r in body["rows"] if r["key"] == "cogs")
    assert set(row) >= {"key", "name", "cells", "warnings"}
    assert row["cells"] == {
        "inventory": "80.00",
        "inventory_interim": None,
        "wip_inventory": None,
        "total": "80.00",
        "gl_total": "0.00",
        "difference": "-80.00",
    }
    assert set(row["warnings"]["difference"]) == {"code", "message", "explanation"}
    dd = client.get("/api/v1/reconciliation/drilldown/", {"row": "cogs", "column": "inventory"}).json()
    assert set(dd) >= {"count", "next", "previous", "results", "total", "cell"}
    assert dd["total"] == dd["cell"] == "80.00"
    assert [(e["entry_no"], e["amount"]) for e in dd["results"]] == [(3, "80.00")]
    bad = client.get("/api/v1/reconciliation/drilldown/", {"row": "nope", "column": "inventory"})
    assert bad.status_code == 400
    narrowed = client.get("/api/v1/reconciliation/matrix/", {"item": "A"}).json()
    assert [c["key"] for c in narrowed["columns"]] == ["inventory", "inventory_interim", "wip_inventory", "total"]
    assert ValueEntry.objects.count() == 3


def test_daily_summaries_equal_the_ledgers():
    """The trigger-maintained summaries hold exactly the sums of the entries they summarise."""
    from django.db import connection

    example_1_6()
    post_gl_journal(
        [
            {"gl_account": "2130", "amount": D("5.00"), "posting_date": d("01-20-20"), "document_no": "M-9"},
            {"gl_account": "7270", "amount": D("-5.00"), "posting_date": d("01-20-20"), "document_no": "M-9"},
        ]
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT posting_date, coalesce(location_code, ''), item_ledger_entry_type, entry_type, variance_type,"
            " order_type, count(*), sum(cost_amount_actual), sum(cost_amount_expected) FROM costing_value_entry"
            " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
        )
        entries = cur.fetchall()
        cur.execute(
            "SELECT posting_date, location_code, ile, et, vt, ot, entries, act, exp FROM reconciliation_ve_day"
            " ORDER BY 1, 2, 3, 4, 5, 6"
        )
        assert cur.fetchall() == entries
        cur.execute(
            "SELECT gl_account_id, posting_date, count(*), sum(amount) FROM ledger_gl_entry GROUP BY 1, 2 ORDER BY 1, 2"
        )
        gl = cur.fetchall()
        cur.execute("SELECT gl_account_id, posting_date, entries, amount FROM reconciliation_gl_day ORDER BY 1, 2")
        assert cur.fetchall() == gl
    assert len(gl) == 7
