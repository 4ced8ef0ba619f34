"""django-filter pieces shared by every API list: a filter either applies what it was given or says why it cannot.

django-filter is lenient where an integration needs a clear answer: ``?open=maybe`` (any text that is not true or
false) quietly filtered nothing, ``?entry_type=`` (blank) was an invalid choice, and an entry number beyond
PostgreSQL's bigint was taken. Here a yes/no filter takes true/false (1/0, yes/no, on/off) or is a 400, a blank
value is no filter, whole numbers are written without a decimal point and stay within the columns' range, and a
parameter that takes one value may be given once. ``FilterBackend`` builds the filter sets of
``filterset_fields`` on ``FilterSet``, so every list gets the same rules (the OpenAPI schema says them:
core/schema.py).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema_field

from core.errors import InvalidInput
from core.forms import parse_boolean

BIGINT = (-(2**63), 2**63 - 1)


class _BooleanWidget(BooleanWidget):
    """Hands text it does not know to the field (django-filter's widget turns it into "no filter")."""

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        known = super().value_from_datadict(data, files, name)
        return raw if known is None and raw not in (None, "") else known


class _BooleanField(forms.NullBooleanField):
    def to_python(self, value):
        return parse_boolean(value)


class BooleanFilter(django_filters.BooleanFilter):
    field_class = _BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _BooleanWidget)
        super().__init__(*args, **kwargs)


class _Choices(django_filters.fields.MultipleChoiceField):
    def clean(self, value):
        return super().clean([v for v in value or [] if v != ""])


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Repeat the parameter for several choices; a blank one is ignored."""

    field_class = _Choices


class _Integer(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", BIGINT[0])
        kwargs.setdefault("max_value", BIGINT[1])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        # Django's IntegerField reads "7.0" as 7; an entry number is written without a decimal point.
        if isinstance(value, str) and "." in value:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": BIGINT[0], "maximum": BIGINT[1]})
class IntegerFilter(django_filters.NumberFilter):
    field_class = _Integer


class IntegerRangeFilter(django_filters.RangeFilter):
    """``<name>_min`` / ``<name>_max`` as whole numbers (entry numbers)."""

    class field_class(django_filters.fields.RangeField):  # noqa: N801 - django-filter names it field_class
        def __init__(self, *args, **kwargs):
            super().__init__((_Integer(), _Integer()), *args, **kwargs)


class FilterSet(django_filters.rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.NullBooleanField: {"filter_class": BooleanFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """Builds ``filterset_fields`` on ``FilterSet``, and refuses a parameter given twice that takes one value
    (django-filter, the paginator and the ordering would each quietly take the last)."""

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        many = {
            name for name, f in (filterset.filters.items() if filterset else ()) if isinstance(f, MultipleChoiceFilter)
        }
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1 and name not in many)
        if repeated:
            message = str(_("Give this parameter once."))
            raise InvalidInput(f"{repeated[0]}: {message}", errors={name: [message] for name in repeated})
        # django-filter's own filter_queryset, on the filter set built above (not a second one).
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise translate_validation(filterset.errors)
        return filterset.qs
