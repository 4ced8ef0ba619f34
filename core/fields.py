"""Strict decimal fields for the API: money, unit costs and quantities travel as JSON strings, never numbers.

A JSON number would reach Python as a float (binary noise) or an int that hides a typo; exponents, NaN, Infinity and
values wider than the database column are refused too, before anything is posted. Output is the quantized string
(``"150.00"``).
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.money import AMOUNT_PLACES, QUANTITY_PLACES, UNIT_COST_PLACES

MAX_DIGITS = 20


class DecimalStringField(serializers.DecimalField):
    """A decimal written as a plain string of digits: optional minus sign, digits, optional point and decimals."""

    default_error_messages = {
        "not_a_string": _('Send decimals as JSON strings, for example "150.00", not as numbers.'),
        "invalid": _("A plain decimal number is required (digits, optional minus sign and decimal point)."),
        "max_decimal_places": _("Ensure that there are no more than {max_decimal_places} decimal places."),
        "max_whole_digits": _("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
        "negative": _("Ensure this value is not negative."),
    }

    def __init__(self, *, decimal_places: int, max_digits: int = MAX_DIGITS, allow_negative: bool = True, **kwargs):
        self.allow_negative = allow_negative
        if not allow_negative:
            kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, coerce_to_string=True, **kwargs)

    @property
    def pattern(self) -> str:
        whole = self.max_digits - self.decimal_places
        sign = "-?" if self.allow_negative else ""
        fraction = rf"(\.[0-9]{{1,{self.decimal_places}}})?" if self.decimal_places else ""
        return rf"^{sign}[0-9]{{1,{whole}}}{fraction}$"

    def validate_empty_values(self, data):
        # DRF's DecimalField reads "" (and blanks) as null where null is allowed, a form's habit; here "" is not a
        # decimal string (the schema's pattern says so), and "no value" is null or leaving the field out.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if isinstance(data, Decimal):
            data = str(data)
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", data):
            self.fail("invalid")
        try:
            value = Decimal(data)
        except InvalidOperation:
            self.fail("invalid")
        whole, _dot, fraction = data.lstrip("-").partition(".")
        if len(fraction) > self.decimal_places:
            self.fail("max_decimal_places", max_decimal_places=self.decimal_places)
        if len(whole.lstrip("0")) > self.max_digits - self.decimal_places:
            self.fail("max_whole_digits", max_whole_digits=self.max_digits - self.decimal_places)
        if not self.allow_negative and value < 0:
            self.fail("negative")
        # min_value / max_value validators run after this.
        return value


def AmountField(**kwargs) -> DecimalStringField:  # noqa: N802 - reads like a field class at the call site
    """Amounts in local currency: 2 decimals."""
    return DecimalStringField(decimal_places=AMOUNT_PLACES, **kwargs)


def UnitCostField(**kwargs) -> DecimalStringField:  # noqa: N802
    """Unit costs: up to 5 decimals."""
    return DecimalStringField(decimal_places=UNIT_COST_PLACES, **kwargs)


def QuantityField(**kwargs) -> DecimalStringField:  # noqa: N802
    """Quantities: up to 5 decimals."""
    return DecimalStringField(decimal_places=QUANTITY_PLACES, **kwargs)


class DecimalStringFieldExtension(OpenApiSerializerFieldExtension):
    """Publishes the exact string format, so generated clients and fuzzers send what the API accepts."""

    target_class = DecimalStringField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {
            "type": "string",
            "format": "decimal",
            "pattern": field.pattern,
            "example": "0." + "0" * field.decimal_places if field.decimal_places else "0",
        }


class CodeField(serializers.CharField):
    """A reference to a setup record by its code, read from the foreign key column (no query per row).

    ``blank`` is what a missing reference reads as: ``""`` for a blank location or business group, ``None`` for an
    account that is not set up. On input both ``""`` and (where ``allow_null``) ``null`` mean "none"; whether the code
    exists is checked by the service, which names the field.
    """

    def __init__(self, *, blank="", **kwargs):
        self.blank = blank
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = getattr(instance, f"{self.source}_id")
        return self.blank if value is None else value

    def to_representation(self, value):
        return value
