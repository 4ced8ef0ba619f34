"""Quantities and unit costs on the inventory pages (amounts use ``costbook``'s ``amount``).

``{% load costing_format %}`` then ``{{ entry.quantity|quantity }}`` (``10``, ``-2.5``, ``1,234``) and
``{{ item.unit_cost|unit_cost }}`` (``7.00``, ``7.33333``).
"""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, float):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _grouped(number: Decimal, places: int) -> str:
    text = f"{number:,.{places}f}"
    return text[1:] if text.startswith("-") and Decimal(text.replace(",", "")) == 0 else text


@register.filter
def quantity(value) -> str:
    """A quantity as stored (5 places at most) without trailing zeros, comma thousands separators."""
    number = _decimal(value)
    if number is None:
        return ""
    exponent = number.normalize().as_tuple().exponent
    return _grouped(number, max(0, -exponent) if isinstance(exponent, int) else 0)


@register.filter
def unit_cost(value) -> str:
    """A unit cost with 2 decimals, or up to 5 when it has them (Business Central's 2:5)."""
    number = _decimal(value)
    if number is None:
        return ""
    exponent = number.normalize().as_tuple().exponent
    return _grouped(number, max(2, -exponent) if isinstance(exponent, int) else 2)
