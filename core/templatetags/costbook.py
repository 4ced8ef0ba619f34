"""Template building blocks for the pages: amounts, links that light up when their page exists.

``{% load costbook %}`` then ``{{ entry.amount|amount }}`` in a ``<td class="num {{ entry.amount|sign_class }}">``.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch, reverse

from core.money import AMOUNT_Q

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Never build money from a float; its repr is the closest we can honestly do for a stray one.
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def amount(value) -> str:
    """An amount with 2 decimals and comma thousands separators, whatever the language: ``1,234.50``, ``-80.00``.

    Half-up rounding as the books do; ``-0.00`` shows as ``0.00``; None (no amount) shows as an empty string.
    """
    number = _decimal(value)
    if number is None:
        return ""
    number = number.quantize(AMOUNT_Q, rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)
    return f"{number:,.2f}"


@register.filter
def integer(value) -> str:
    """A whole number with comma thousands separators (entry counts, entry nos. in prose): ``12,345``."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number.to_integral_value(rounding=ROUND_HALF_UP):,}"


@register.filter
def sign_class(value) -> str:
    """``neg`` for a negative amount (styled in red beside its minus sign), else nothing."""
    number = _decimal(value)
    return "neg" if number is not None and number.quantize(AMOUNT_Q, rounding=ROUND_HALF_UP) < 0 else ""


def url_or_none(name: str, *args) -> str | None:
    """The URL of a named page, or None while nobody has written that page yet."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


@register.simple_tag
def url_if_exists(name, *args):
    """``{% url_if_exists "value-entries" as href %}``: the URL, or an empty string when the name does not resolve."""
    return url_or_none(name, *args) or ""
