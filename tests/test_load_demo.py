"""The demo company: loads once, covers every costing method, and its setups post every value entry to the G/L."""

from calendar import monthrange
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min, Sum

from core import invariants
from costing import demo
from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import (
    InventoryPostingSetup,
    Item,
    ItemLedgerEntry,
    PostValueEntryToGL,
    ValueEntry,
)
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry
from reports.selectors import ReportFilters, inventory_valuation

pytestmark = pytest.mark.django_db

INVENTORY_ACCOUNTS = ["11110", "11120", "11130"]
INTERIM_ACCOUNTS = ["11111", "11121", "11131"]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def gl_balance(accounts) -> Decimal:
    return GLEntry.objects.filter(gl_account_id__in=accounts).aggregate(s=Sum("amount"))["s"] or Decimal("0")


def test_load_demo_twice_loads_once():
    assert "Loaded the demo company" in load()
    counts = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), GLEntry.objects.count())
    assert "already loaded" in load()
    assert (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), GLEntry.objects.count()) == counts


def test_items_cover_every_costing_method_and_each_has_entries():
    load()
    assert Counter(Item.objects.values_list("costing_method", flat=True)) == {
        "fifo": 3,
        "lifo": 2,
        "specific": 2,
        "average": 3,
        "standard": 2,
    }
    methods_with_entries = set(ValueEntry.objects.values_list("item__costing_method", flat=True).distinct())
    assert methods_with_entries == {"fifo", "lifo", "specific", "average", "standard"}
    # What the brief promises: receipts not invoiced, shipments not invoiced, returns, transfers, charges, revaluation.
    kinds = Counter(ItemLedgerEntry.objects.values_list("entry_type", flat=True))
    assert set(kinds) == {"purchase", "sale", "transfer", "positive_adjmt", "negative_adjmt", "consumption", "output"}
    assert ItemLedgerEntry.objects.filter(entry_type="purchase", completely_invoiced=False).exists()
    assert ItemLedgerEntry.objects.filter(entry_type="sale", completely_invoiced=False).exists()
    assert ItemLedgerEntry.objects.filter(entry_type="sale", positive=True).count() == 1
    assert ItemLedgerEntry.objects.filter(entry_type="purchase", positive=False, applies_to_entry__isnull=False).count()
    assert ValueEntry.objects.filter(item_charge=True).count() == 3
    assert ValueEntry.objects.filter(entry_type="revaluation").exists()
    assert ValueEntry.objects.filter(entry_type="variance", variance_type="purchase").exists()
    assert not ItemLedgerEntry.objects.filter(item__costing_method="specific", positive=False, applies_to_entry=None)
    # Stock never goes negative: every outbound entry was fully applied.
    assert not ItemLedgerEntry.objects.filter(positive=False, open=True).exists()
    # Inventory cost waits for Post Inventory Cost to G/L; only the manual G/L journal is in the books.
    assert PostValueEntryToGL.objects.count() > 0
    assert set(GLEntry.objects.values_list("source_code", flat=True)) == {"GENJNL"}


def test_every_posting_setup_account_exists():
    load()
    assert demo.check_setup_complete() == []
    posting = set(GLAccount.objects.filter(account_type="posting").values_list("no", flat=True))
    assert InventoryPostingSetup.objects.count() == 3 * 3
    for setup in InventoryPostingSetup.objects.all():
        for name in InventoryPostingSetup.ACCOUNT_FIELDS:
            assert getattr(setup, f"{name}_id") in posting, (setup, name)
    assert GeneralPostingSetup.objects.count() == 4 * 3
    for setup in GeneralPostingSetup.objects.all():
        for name in GeneralPostingSetup.ACCOUNT_FIELDS:
            assert getattr(setup, f"{name}_id") in posting, (setup, name)


def test_post_inventory_cost_to_gl_posts_everything_and_reconciles():
    load()
    queued = PostValueEntryToGL.objects.count()
    report = run_post_inventory_cost_to_gl(method="per_entry")
    assert report.skipped == []
    assert report.posted_value_entries == queued
    assert PostValueEntryToGL.objects.count() == 0
    # Capacity value entries (no item ledger entry) are WIP, not inventory; consumption moved inventory into WIP.
    totals = ValueEntry.objects.filter(item_ledger_entry__isnull=False).aggregate(
        actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected")
    )
    assert gl_balance(INVENTORY_ACCOUNTS) == totals["actual"]
    assert gl_balance(INTERIM_ACCOUNTS) == totals["expected"]
    assert totals["actual"] != 0 and totals["expected"] != 0
    # Every G/L transaction balances, so the whole ledger does.
    assert gl_balance(GLAccount.objects.values_list("no", flat=True)) == 0


def test_adjusted_and_posted_demo_passes_the_books_check_and_i5_values_as_the_report_does():
    """The demo's books (every costing method, two locations, production with capacity, charges, a revaluation),
    adjusted and posted, pass the whole invariant suite; and the valuation I5 holds the G/L to is, at every month end,
    the Inventory Valuation report's closing value (the shared spec: I5 uses the report's valuation)."""
    load()
    adjust_cost()
    run_post_inventory_cost_to_gl(method="per_posting_group", document_no="INVTOGL")
    books = invariants.run(drained=True, rerun=True)
    assert books.failed == {}, books.failed

    first, last = ValueEntry.objects.aggregate(first=Min("posting_date"), last=Max("posting_date")).values()
    ends = [
        d
        for d in (date(y, m, monthrange(y, m)[1]) for y in (first.year, last.year) for m in range(1, 13))
        if first <= d
    ] + [last]
    accounts = invariants.inventory_accounts()
    balances = invariants.period_end_balances(accounts, ends)
    for end in ends:
        report = inventory_valuation(ReportFilters(date_to=end, include_expected_cost=True))
        rows = invariants.by_account(balances[end], expected_posting=True).values()
        assert sum(row["value"] for row in rows) == report.totals["closing_value"], end
        assert sum(row["gl"] for row in rows) == report.gl["gl_balance"], end
    assert report.totals["closing_value"] == gl_balance(INVENTORY_ACCOUNTS + INTERIM_ACCOUNTS) != 0


def test_refuses_a_database_with_other_books():
    GLAccount.objects.create(no="9999", name="Someone else's account", income_balance="balance_sheet")
    with pytest.raises(CommandError, match="empty database"):
        load()
    assert not Item.objects.exists()
