from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.costbook import amount, integer, sign_class


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("-80"), "-80.00"),
        (Decimal("0"), "0.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("-0.004"), "0.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("-0.005"), "-0.01"),
        (Decimal("1234567890.125"), "1,234,567,890.13"),
        ("150.00", "150.00"),
        (7, "7.00"),
        (None, ""),
        ("", ""),
        ("not a number", ""),
    ],
)
def test_amount(value, shown):
    assert amount(value) == shown


def test_amount_does_not_follow_the_language():
    template = Template("{% load costbook %}{{ value|amount }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"value": Decimal("-1234567.5")})) == "-1,234,567.50"


def test_sign_class_marks_negative_amounts_only():
    assert sign_class(Decimal("-0.01")) == "neg"
    assert sign_class(Decimal("-0.001")) == ""
    assert sign_class(Decimal("0")) == ""
    assert sign_class(None) == ""


def test_integer():
    assert integer(1234567) == "1,234,567"
    assert integer(None) == ""
