"""Reads for the inventory ledger pages: items with their inventory, the three inventory ledgers, the drill-down.

Every list is one query for the page (cost sums come from correlated subqueries on the value entries' ``ve_ile`` and
``ve_item_date`` indexes, evaluated for the page's rows only) plus one for the count and totals.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.money import AMOUNT_FIELD, QUANTITY_FIELD
from costing.models import (
    GLItemLedgerRelation,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    Location,
    ValueEntry,
)
from costing.posting import corrections_of

_AMOUNT = DecimalField(**AMOUNT_FIELD)
_QUANTITY = DecimalField(**QUANTITY_FIELD)
_ZERO_AMOUNT = Value(Decimal("0"), output_field=_AMOUNT)
_ZERO_QUANTITY = Value(Decimal("0"), output_field=_QUANTITY)

# The drill-down lists this many applications per side; the application entries page has them all.
APPLICATIONS_SHOWN = 200


def _sum_of(queryset: QuerySet, group_by: str, column: str, output_field: DecimalField, zero: Value):
    """A correlated ``SELECT sum(column) ... GROUP BY group_by`` as an annotation, 0 when there is no row."""
    total = queryset.order_by().values(group_by).annotate(total=Sum(column)).values("total")
    return Coalesce(Subquery(total, output_field=output_field), zero)


# ------------------------------------------------------------------------------------------------------------ items


@dataclass(frozen=True)
class ItemFilter:
    text: str = ""
    costing_method: str = ""


def items_with_inventory(filters: ItemFilter) -> QuerySet[Item]:
    """Items by no., each with ``inventory`` (sum of its item ledger entries' quantity) and ``value`` (sum of its
    value entries' cost amount (actual))."""
    qs = items_with_totals(Item.objects.order_by("no"))
    if filters.text:
        qs = qs.filter(Q(no__icontains=filters.text) | Q(description__icontains=filters.text))
    if filters.costing_method:
        qs = qs.filter(costing_method=filters.costing_method)
    return qs


def items_with_totals(qs: QuerySet[Item]) -> QuerySet[Item]:
    entries = ItemLedgerEntry.objects.filter(item=OuterRef("no"))
    values = ValueEntry.objects.filter(item=OuterRef("no"))
    return qs.annotate(
        inventory=_sum_of(entries, "item", "quantity", _QUANTITY, _ZERO_QUANTITY),
        value=_sum_of(values, "item", "cost_amount_actual", _AMOUNT, _ZERO_AMOUNT),
    )


def item_card(no: str) -> Item | None:
    return items_with_totals(Item.objects.filter(no=no)).select_related("inventory_posting_group").first()


# ------------------------------------------------------------------------------------------- item ledger entries


@dataclass(frozen=True)
class ItemLedgerEntryFilter:
    item: str = ""
    location: str = ""
    date_from: date | None = None
    date_to: date | None = None
    entry_type: str = ""
    document_no: str = ""
    open: bool | None = None
    register_no: int | None = None


def with_cost_amounts(qs: QuerySet[ItemLedgerEntry]) -> QuerySet[ItemLedgerEntry]:
    """Item ledger entries with ``cost_amount_expected`` and ``cost_amount_actual``: sums over their value entries."""
    values = ValueEntry.objects.filter(item_ledger_entry=OuterRef("entry_no"))
    return qs.annotate(
        cost_amount_expected=_sum_of(values, "item_ledger_entry", "cost_amount_expected", _AMOUNT, _ZERO_AMOUNT),
        cost_amount_actual=_sum_of(values, "item_ledger_entry", "cost_amount_actual", _AMOUNT, _ZERO_AMOUNT),
    )


def item_ledger_entries(filters: ItemLedgerEntryFilter) -> QuerySet[ItemLedgerEntry]:
    """Entries matching the filters, in entry no. order, each with its cost amounts."""
    qs = ItemLedgerEntry.objects.order_by("entry_no")
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.location:
        qs = qs.filter(location_id=filters.location)
    if filters.date_from:
        qs = qs.filter(posting_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(posting_date__lte=filters.date_to)
    if filters.entry_type:
        qs = qs.filter(entry_type=filters.entry_type)
    if filters.document_no:
        qs = qs.filter(document_no=filters.document_no)
    if filters.open is not None:
        qs = qs.filter(open=filters.open)
    if filters.register_no is not None:
        # A register's entries lie within its entry no. range: the primary key narrows the scan.
        bounds = ItemRegister.objects.filter(no=filters.register_no).values_list("from_entry_no", "to_entry_no").first()
        if bounds is None or bounds[0] is None:
            return qs.none()
        qs = qs.filter(register_id=filters.register_no, entry_no__range=bounds)
    return with_cost_amounts(qs)


def item_ledger_entry_totals(entries: QuerySet[ItemLedgerEntry]) -> dict:
    """Count and quantity of the filtered entries, and the cost amounts of their value entries: two queries."""
    plain = entries.order_by().values("entry_no")
    totals = ItemLedgerEntry.objects.filter(entry_no__in=plain).aggregate(
        count=Count("entry_no"), quantity=Coalesce(Sum("quantity"), _ZERO_QUANTITY)
    )
    totals.update(
        ValueEntry.objects.filter(item_ledger_entry__in=plain).aggregate(
            cost_amount_expected=Coalesce(Sum("cost_amount_expected"), _ZERO_AMOUNT),
            cost_amount_actual=Coalesce(Sum("cost_amount_actual"), _ZERO_AMOUNT),
        )
    )
    return totals


def item_entries_latest_first(item_no: str) -> QuerySet[ItemLedgerEntry]:
    return with_cost_amounts(ItemLedgerEntry.objects.filter(item_id=item_no).order_by("-entry_no"))


# -------------------------------------------------------------------------------------------------- value entries


@dataclass(frozen=True)
class ValueEntryFilter:
    item: str = ""
    item_ledger_entry: int | None = None
    location: str = ""
    date_from: date | None = None
    date_to: date | None = None
    entry_type: str = ""
    item_ledger_entry_type: str = ""
    document_no: str = ""
    expected_cost: bool | None = None


def value_entries(filters: ValueEntryFilter) -> QuerySet[ValueEntry]:
    qs = ValueEntry.objects.order_by("entry_no")
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.item_ledger_entry is not None:
        qs = qs.filter(item_ledger_entry_id=filters.item_ledger_entry)
    if filters.location:
        qs = qs.filter(location_id=filters.location)
    if filters.date_from:
        qs = qs.filter(posting_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(posting_date__lte=filters.date_to)
    if filters.entry_type:
        qs = qs.filter(entry_type=filters.entry_type)
    if filters.item_ledger_entry_type:
        qs = qs.filter(item_ledger_entry_type=filters.item_ledger_entry_type)
    if filters.document_no:
        qs = qs.filter(document_no=filters.document_no)
    if filters.expected_cost is not None:
        qs = qs.filter(expected_cost=filters.expected_cost)
    return qs


def value_entry_totals(entries: QuerySet[ValueEntry]) -> dict:
    return entries.order_by().aggregate(
        count=Count("entry_no"),
        cost_amount_expected=Coalesce(Sum("cost_amount_expected"), _ZERO_AMOUNT),
        cost_amount_actual=Coalesce(Sum("cost_amount_actual"), _ZERO_AMOUNT),
        cost_posted_to_gl=Coalesce(Sum("cost_posted_to_gl"), _ZERO_AMOUNT),
        expected_cost_posted_to_gl=Coalesce(Sum("expected_cost_posted_to_gl"), _ZERO_AMOUNT),
    )


# ------------------------------------------------------------------------------------------- application entries


@dataclass(frozen=True)
class ApplicationEntryFilter:
    item: str = ""
    item_ledger_entry: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def application_entries(filters: ApplicationEntryFilter) -> QuerySet[ItemApplicationEntry]:
    """Applications in entry no. order, each with ``item_no`` (the item of the entry that created it).

    The item ledger entry filter finds the entry's applications on every side: created by it, as inbound, as outbound.
    """
    qs = ItemApplicationEntry.objects.order_by("entry_no").select_related("item_ledger_entry")
    if filters.item:
        qs = qs.filter(item_ledger_entry__item_id=filters.item)
    if filters.item_ledger_entry is not None:
        no = filters.item_ledger_entry
        qs = qs.filter(Q(item_ledger_entry_id=no) | Q(inbound_item_entry_id=no) | Q(outbound_item_entry_id=no))
    if filters.date_from:
        qs = qs.filter(posting_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(posting_date__lte=filters.date_to)
    return qs


def application_entry_totals(entries: QuerySet[ItemApplicationEntry]) -> dict:
    return entries.order_by().aggregate(count=Count("entry_no"))


# ---------------------------------------------------------------------------------------------------- drill-down


@dataclass
class EntryTrace:
    """One item ledger entry and everything that explains its cost."""

    entry: ItemLedgerEntry
    value_entries: list[ValueEntry]
    gl_entry_count: int
    as_inbound: list[ItemApplicationEntry]
    as_inbound_count: int
    as_outbound: list[ItemApplicationEntry]
    as_outbound_count: int
    cancelled_by: int | None = None  # the correction that cancels it (costing.cancel)

    @property
    def open_to_postings(self) -> bool:
        """May an invoice, an item charge or a cancellation still be posted for it? Not for a cancelled entry or a
        correction: the pair nets to zero for good (I11)."""
        return self.cancelled_by is None and self.entry.corrects_entry is None


def trace_item_ledger_entry(entry_no: int) -> EntryTrace | None:
    """The entry with its cost amounts, its value entries (each with ``gl_links``: the G/L entries posted from it) and
    its applications as inbound and as outbound entry, and the correction that cancels it, if any. Six queries,
    whatever the number of rows."""
    entry = with_cost_amounts(ItemLedgerEntry.objects.filter(entry_no=entry_no).select_related("item")).first()
    if entry is None:
        return None
    values = list(ValueEntry.objects.filter(item_ledger_entry=entry_no).order_by("entry_no"))
    links: dict[int, list] = {value.entry_no: [] for value in values}
    relations = (
        GLItemLedgerRelation.objects.filter(value_entry__item_ledger_entry=entry_no)
        .select_related("gl_entry", "gl_entry__gl_account")
        .order_by("value_entry_id", "gl_entry_id")
    )
    for relation in relations:
        links[relation.value_entry_id].append(relation.gl_entry)
    for value in values:
        value.gl_links = links[value.entry_no]
    as_inbound = ItemApplicationEntry.objects.filter(inbound_item_entry=entry_no).order_by("entry_no")
    as_outbound = ItemApplicationEntry.objects.filter(outbound_item_entry=entry_no).order_by("entry_no")
    inbound_rows = list(as_inbound[: APPLICATIONS_SHOWN + 1])
    outbound_rows = list(as_outbound[: APPLICATIONS_SHOWN + 1])
    return EntryTrace(
        entry=entry,
        value_entries=values,
        gl_entry_count=sum(len(value.gl_links) for value in values),
        as_inbound=inbound_rows[:APPLICATIONS_SHOWN],
        as_inbound_count=len(inbound_rows) if len(inbound_rows) <= APPLICATIONS_SHOWN else as_inbound.count(),
        as_outbound=outbound_rows[:APPLICATIONS_SHOWN],
        as_outbound_count=len(outbound_rows) if len(outbound_rows) <= APPLICATIONS_SHOWN else as_outbound.count(),
        cancelled_by=corrections_of([entry_no]).get(entry_no),
    )


# ------------------------------------------------------------------------------------------------ choice helpers


def location_codes() -> list[str]:
    return list(Location.objects.order_by("code").values_list("code", flat=True))


def item_suggestions(limit: int = 500) -> QuerySet[Item]:
    """Items offered while typing an item no. (a suggestion list; any item no. can be typed)."""
    return Item.objects.filter(blocked=False).order_by("no").only("no", "description")[:limit]
