"""django-filter filter sets for the ledger API lists."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ledger.models import GeneralPostingSetup, GLAccount, GLEntry


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class IntegerRangeFilter(django_filters.RangeFilter):
    """``<name>_min`` / ``<name>_max`` as whole numbers (entry numbers)."""

    class field_class(django_filters.fields.RangeField):  # noqa: N801 - django-filter names it field_class
        def __init__(self, *args, **kwargs):
            super().__init__((forms.IntegerField(), forms.IntegerField()), *args, **kwargs)


class GLAccountFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = GLAccount
        fields = ["income_balance", "account_type", "blocked"]


class GeneralPostingSetupFilter(django_filters.FilterSet):
    gen_bus_posting_group = django_filters.CharFilter(field_name="gen_bus_posting_group_id")
    gen_prod_posting_group = django_filters.CharFilter(field_name="gen_prod_posting_group_id")

    class Meta:
        model = GeneralPostingSetup
        fields = ["blocked"]


class GLEntryFilter(django_filters.FilterSet):
    gl_account = django_filters.CharFilter(field_name="gl_account_id")
    posting_date = django_filters.DateFromToRangeFilter()
    document_no = django_filters.CharFilter()
    transaction_no = IntegerFilter(field_name="transaction_id")
    source_code = django_filters.CharFilter()
    entry_no = IntegerRangeFilter()

    class Meta:
        model = GLEntry
        fields = []
