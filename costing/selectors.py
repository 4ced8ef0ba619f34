"""Reads of the inventory ledgers for the API and the pages: item ledger, value and item application entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.money import AMOUNT_FIELD, ZERO
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from ledger import selectors as ledger_selectors

if TYPE_CHECKING:
    from costing.posting import PostingResult


def _value_sum(column: str) -> Coalesce:
    """The sum of one cost column over an item ledger entry's value entries: a correlated subquery on ``ve_ile``."""
    amount = DecimalField(**AMOUNT_FIELD)
    total = (
        ValueEntry.objects.filter(item_ledger_entry_id=OuterRef("entry_no"))
        .order_by()
        .values("item_ledger_entry_id")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=amount), Value(ZERO, output_field=amount))


def item_ledger_entries() -> QuerySet[ItemLedgerEntry]:
    """Item ledger entries with ``cost_amount_expected`` and ``cost_amount_actual`` summed over their value entries."""
    return ItemLedgerEntry.objects.annotate(
        cost_amount_expected=_value_sum("cost_amount_expected"),
        cost_amount_actual=_value_sum("cost_amount_actual"),
    ).order_by("entry_no")


def value_entries() -> QuerySet[ValueEntry]:
    return ValueEntry.objects.order_by("entry_no")


def item_application_entries() -> QuerySet[ItemApplicationEntry]:
    return ItemApplicationEntry.objects.order_by("entry_no")


def item_ledger_entry_exists(entry_no: int) -> bool:
    return ItemLedgerEntry.objects.filter(entry_no=entry_no).exists()


def posting_result(result: PostingResult) -> dict[str, QuerySet]:
    """What one posting created, read back the way the ledger lists show it (four queries)."""
    return {
        "item_ledger_entries": item_ledger_entries().filter(
            entry_no__in=[e.entry_no for e in result.item_ledger_entries]
        ),
        "value_entries": value_entries().filter(entry_no__in=[e.entry_no for e in result.value_entries]),
        "item_application_entries": item_application_entries().filter(
            entry_no__in=[e.entry_no for e in result.application_entries]
        ),
        "gl_entries": ledger_selectors.gl_entries().filter(entry_no__in=[e.entry_no for e in result.gl_entries]),
    }
