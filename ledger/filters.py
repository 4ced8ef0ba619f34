"""django-filter filter sets for the ledger API lists."""

import django_filters

from core.filters import FilterSet, IntegerFilter, IntegerRangeFilter
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry


class GLAccountFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = GLAccount
        fields = ["income_balance", "account_type", "blocked"]


class GeneralPostingSetupFilter(FilterSet):
    gen_bus_posting_group = django_filters.CharFilter(field_name="gen_bus_posting_group_id")
    gen_prod_posting_group = django_filters.CharFilter(field_name="gen_prod_posting_group_id")

    class Meta:
        model = GeneralPostingSetup
        fields = ["blocked"]


class GLEntryFilter(FilterSet):
    gl_account = django_filters.CharFilter(field_name="gl_account_id")
    posting_date = django_filters.DateFromToRangeFilter()
    document_no = django_filters.CharFilter()
    transaction_no = IntegerFilter(field_name="transaction_id")
    source_code = django_filters.CharFilter()
    entry_no = IntegerRangeFilter()

    class Meta:
        model = GLEntry
        fields = []
