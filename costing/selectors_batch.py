"""Reads for the batch job pages: the Inventory Cost Adjustment overview (costing reference 6.3) and the report of
Post Inventory Cost to G/L (5.1) and its test report (5.2).

The post report is built from the report's ``as_dict()`` (what a job run stores as its result), so a report looks
the same whether it was just computed or read back from a finished run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.money import ZERO
from costing import gl_posting
from costing.models import AvgCostAdjmtEntryPoint, Item, PostValueEntryToGL, ValueEntry
from ledger.models import GLAccount

# ------------------------------------------------------------------------------------------ cost adjustment

SHOW_ALL = "all"
SHOW_NON_ADJUSTED = "non_adjusted"
SHOW_EXCLUDED = "excluded"
SHOW_INCLUDED = "included"
SHOW_CHOICES = [
    (SHOW_ALL, _("All items")),
    (SHOW_NON_ADJUSTED, _("Non-adjusted items")),
    (SHOW_EXCLUDED, _("Items excluded from adjustment")),
    (SHOW_INCLUDED, _("Items included in adjustment")),
]


@dataclass(frozen=True)
class AdjustmentFilter:
    show: str = SHOW_ALL
    text: str = ""


def adjustment_items(filters: AdjustmentFilter) -> QuerySet[Item]:
    """Items by no., each with ``cost_is_posted`` (no value entry of it waits in the Post Value Entry to G/L queue)."""
    waiting = PostValueEntryToGL.objects.filter(item=OuterRef("no"))
    qs = Item.objects.order_by("no").annotate(cost_is_posted=~Exists(waiting))
    if filters.show == SHOW_NON_ADJUSTED:
        qs = qs.filter(cost_is_adjusted=False)
    elif filters.show == SHOW_EXCLUDED:
        qs = qs.filter(excluded_from_cost_adjustment=True)
    elif filters.show == SHOW_INCLUDED:
        qs = qs.filter(excluded_from_cost_adjustment=False)
    if filters.text:
        qs = qs.filter(Q(no__icontains=filters.text) | Q(description__icontains=filters.text))
    return qs


def adjustment_summary() -> dict:
    """The counts of the page's summary, in one query."""
    return Item.objects.aggregate(
        items=Count("no"),
        non_adjusted=Count("no", filter=Q(cost_is_adjusted=False)),
        non_adjusted_included=Count("no", filter=Q(cost_is_adjusted=False, excluded_from_cost_adjustment=False)),
        excluded=Count("no", filter=Q(excluded_from_cost_adjustment=True)),
        last_adjusted_at=Max("last_adjusted_at"),
    )


def entry_points(item_no: str) -> QuerySet[AvgCostAdjmtEntryPoint]:
    return AvgCostAdjmtEntryPoint.objects.filter(item_id=item_no).order_by("valuation_date", "location_id")


# --------------------------------------------------------------------------------------- post cost to G/L

ACCOUNT_TYPE_NAMES = {
    gl_posting.INVENTORY: _("Inventory"),
    gl_posting.INVENTORY_INTERIM: _("Inventory (interim)"),
    gl_posting.WIP: _("WIP inventory"),
    gl_posting.MATERIAL_VARIANCE: _("Material variance"),
    gl_posting.CAPACITY_VARIANCE: _("Capacity variance"),
    gl_posting.SUBCONTRACTED_VARIANCE: _("Subcontracted variance"),
    gl_posting.CAP_OVERHEAD_VARIANCE: _("Capacity overhead variance"),
    gl_posting.MFG_OVERHEAD_VARIANCE: _("Manufacturing overhead variance"),
    gl_posting.INVENTORY_ADJMT: _("Inventory adjustment"),
    gl_posting.DIRECT_COST_APPLIED: _("Direct cost applied"),
    gl_posting.OVERHEAD_APPLIED: _("Overhead applied"),
    gl_posting.PURCHASE_VARIANCE: _("Purchase variance"),
    gl_posting.COGS: _("COGS"),
    gl_posting.COGS_INTERIM: _("COGS (interim)"),
    gl_posting.INVT_ACCRUAL_INTERIM: _("Inventory accrual (interim)"),
}
PART_NAMES = {gl_posting.ACTUAL: _("Actual"), gl_posting.EXPECTED: _("Expected")}

# The page lists this many value entries of a report; the export has them all.
LINES_SHOWN = 500


@dataclass(frozen=True)
class PostOptions:
    method: str = gl_posting.PER_ENTRY
    document_no: str = ""
    post: bool = False
    items: tuple[str, ...] = ()
    posting_date_to: date | None = None

    def job_parameters(self) -> dict:
        """The parameters of a ``post_inventory_cost_to_gl`` job run."""
        return {
            "posting_method": self.method,
            "document_no": self.document_no,
            "post": self.post,
            "items": list(self.items),
            "posting_date_to": self.posting_date_to.isoformat() if self.posting_date_to else None,
        }


def queue_summary(options: PostOptions | None = None) -> dict:
    """How many value entries wait in the Post Value Entry to G/L queue (for the options' items and dates)."""
    qs = PostValueEntryToGL.objects.all()
    if options and options.items:
        qs = qs.filter(item_id__in=options.items)
    if options and options.posting_date_to:
        qs = qs.filter(posting_date__lte=options.posting_date_to)
    return qs.aggregate(entries=Count("value_entry_id"), items=Count("item_id", distinct=True))


def test_report(options: PostOptions) -> dict:
    """Post Invt. Cost to G/L - Test (5.2) for these options: the would-be lines, skipped entries and warnings.

    ``gl_posting.test_report`` takes no date filter; with a "posting date to" the same check-mode plan comes from a
    run that posts nothing, and its skipped entries are the warnings.
    """
    items = list(options.items) or None
    if options.posting_date_to is None:
        return gl_posting.test_report(method=options.method, document_no=options.document_no or None, items=items)
    report = gl_posting.run_post_inventory_cost_to_gl(
        method=options.method,
        document_no=options.document_no or None,
        post=False,
        items=items,
        posting_date_to=options.posting_date_to,
    )
    body = report.as_dict()
    body["warnings"] = [
        {"value_entry_no": s.value_entry_no, "code": s.code, "message": s.reason} for s in report.skipped
    ]
    return body


@dataclass
class ReportView:
    """A post report ready for the page and the exports."""

    posted: bool
    method: str
    by_account: list[dict]
    entries: list[dict]  # per value entry: its details and its lines
    skipped: list[dict]
    warnings: list[dict]
    totals: dict
    entries_shown: int

    @property
    def lines_cut(self) -> bool:
        return self.entries_shown < len(self.entries)


def _value_entry_details(numbers) -> dict[int, ValueEntry]:
    rows = ValueEntry.objects.filter(entry_no__in=set(numbers)).only(
        "entry_no",
        "item_id",
        "item_ledger_entry_type",
        "entry_type",
        "document_no",
        "posting_date",
        "location_id",
        "inventory_posting_group_id",
        "gen_bus_posting_group_id",
        "gen_prod_posting_group_id",
        "expected_cost",
        "cost_amount_actual",
        "cost_amount_expected",
    )
    return {ve.entry_no: ve for ve in rows}


def report_view(result: dict) -> ReportView:
    """Shape a post report (``Report.as_dict()``, or the test report's dict with ``warnings``) for display."""
    lines = result.get("lines", [])
    skipped = result.get("skipped", [])
    details = _value_entry_details([ln["value_entry_no"] for ln in lines] + [s["value_entry_no"] for s in skipped])
    account_names = dict(GLAccount.objects.filter(no__in={ln["gl_account"] for ln in lines}).values_list("no", "name"))

    by_account = [
        {
            "gl_account": row["gl_account"],
            "name": account_names.get(row["gl_account"], ""),
            "account_type": row["account_type"],
            "account_type_name": ACCOUNT_TYPE_NAMES.get(row["account_type"], row["account_type"]),
            "amount": Decimal(row["amount"]),
        }
        for row in result.get("by_account", [])
    ]

    grouped: dict[int, list[dict]] = defaultdict(list)
    for ln in lines:
        grouped[ln["value_entry_no"]].append(
            {
                **ln,
                "amount": Decimal(ln["amount"]),
                "posting_date": date.fromisoformat(ln["posting_date"]),
                "part_name": PART_NAMES.get(ln["part"], ln["part"]),
                "account_type_name": ACCOUNT_TYPE_NAMES.get(ln["account_type"], ln["account_type"]),
                "account_name": account_names.get(ln["gl_account"], ""),
            }
        )
    entries = [
        {"value_entry_no": no, "entry": details.get(no), "lines": entry_lines}
        for no, entry_lines in sorted(grouped.items())
    ]

    skipped_rows = []
    for s in skipped:
        ve = details.get(s["value_entry_no"])
        cost = None
        if ve is not None:
            cost = ve.cost_amount_expected if ve.expected_cost else ve.cost_amount_actual
        skipped_rows.append({**s, "entry": ve, "cost_amount": cost})

    # A large run's report keeps only its first lines; its debit and credit totals are over all of them.
    amounts = [Decimal(ln["amount"]) for ln in lines]
    debit = Decimal(result["debit"]) if "debit" in result else sum((a for a in amounts if a > 0), ZERO)
    credit = Decimal(result["credit"]) if "credit" in result else sum((a for a in amounts if a < 0), ZERO)
    totals = {
        "value_entries": result.get("posted_value_entries", len(grouped)),
        "lines": result.get("lines_total", len(lines)),
        "debit": debit,
        "credit": credit,
        "balance": debit + credit,
        "skipped": len(skipped),
        "gl_entries": result.get("gl_entries_count", len(result.get("gl_entries") or [])),
        "register_no": result.get("register_no"),
    }
    return ReportView(
        posted=bool(result.get("posted")),
        method=result.get("posting_method", ""),
        by_account=by_account,
        entries=entries,
        skipped=skipped_rows,
        warnings=result.get("warnings", []),
        totals=totals,
        entries_shown=min(len(entries), LINES_SHOWN),
    )
