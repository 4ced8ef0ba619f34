"""django-filter filter sets for the inventory ledger lists.

Codes filter on the foreign key column (``item=LINK``); ``posting_date_after`` / ``posting_date_before`` (and the same
for valuation dates) bound a date range, both ends included; ``entry_no_min`` / ``entry_no_max`` an entry range.
"""

import django_filters

from core.filters import FilterSet, IntegerFilter, IntegerRangeFilter, MultipleChoiceFilter
from costing.models import (
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ValueEntry,
    ValueEntryType,
    VarianceType,
)


def _code(field_name: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(field_name=field_name)


class ItemLedgerEntryFilter(FilterSet):
    item = _code("item_id")
    location = _code("location_id")
    gen_bus_posting_group = _code("gen_bus_posting_group_id")
    posting_date = django_filters.DateFromToRangeFilter()
    entry_type = MultipleChoiceFilter(choices=ItemLedgerEntryType.choices)
    document_no = django_filters.CharFilter()
    external_document_no = django_filters.CharFilter()
    entry_no = IntegerRangeFilter()
    applies_to_entry = IntegerFilter()

    class Meta:
        model = ItemLedgerEntry
        fields = ["open", "positive", "completely_invoiced"]


class ValueEntryFilter(FilterSet):
    item = _code("item_id")
    location = _code("location_id")
    item_ledger_entry_no = IntegerFilter(field_name="item_ledger_entry_id")
    inventory_posting_group = _code("inventory_posting_group_id")
    gen_bus_posting_group = _code("gen_bus_posting_group_id")
    gen_prod_posting_group = _code("gen_prod_posting_group_id")
    posting_date = django_filters.DateFromToRangeFilter()
    valuation_date = django_filters.DateFromToRangeFilter()
    entry_type = MultipleChoiceFilter(choices=ValueEntryType.choices)
    item_ledger_entry_type = MultipleChoiceFilter(choices=ItemLedgerEntryType.choices)
    variance_type = django_filters.ChoiceFilter(choices=VarianceType.choices)
    document_no = django_filters.CharFilter()
    entry_no = IntegerRangeFilter()
    applies_to_entry = IntegerFilter()

    class Meta:
        model = ValueEntry
        fields = ["adjustment", "expected_cost", "item_charge", "source_code"]


class ItemApplicationEntryFilter(FilterSet):
    item = _code("item_ledger_entry__item_id")
    item_ledger_entry_no = IntegerFilter(field_name="item_ledger_entry_id")
    inbound_item_entry_no = IntegerFilter(field_name="inbound_item_entry_id")
    outbound_item_entry_no = IntegerFilter(field_name="outbound_item_entry_id")
    posting_date = django_filters.DateFromToRangeFilter()
    entry_no = IntegerRangeFilter()

    class Meta:
        model = ItemApplicationEntry
        fields = ["cost_application"]
