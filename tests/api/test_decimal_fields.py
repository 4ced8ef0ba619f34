"""The strict decimal fields every posting endpoint uses for amounts, unit costs and quantities."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from core.fields import AmountField, QuantityField, UnitCostField


class Line(serializers.Serializer):
    amount = AmountField(required=False)
    unit_cost = UnitCostField(required=False, allow_negative=False)
    quantity = QuantityField(required=False)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": "150.00"}, {"amount": Decimal("150.00")}),
        ({"amount": "-0.5"}, {"amount": Decimal("-0.5")}),
        ({"unit_cost": "12.34567"}, {"unit_cost": Decimal("12.34567")}),
        ({"quantity": "-3.00001"}, {"quantity": Decimal("-3.00001")}),
        ({"quantity": "007"}, {"quantity": Decimal("7")}),
    ],
)
def test_accepted(data, expected):
    line = Line(data=data)
    assert line.is_valid(), line.errors
    assert line.validated_data == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": 150}, 'Send decimals as JSON strings, for example "150.00", not as numbers.'),
        ({"amount": 1.5}, 'Send decimals as JSON strings, for example "150.00", not as numbers.'),
        ({"amount": True}, 'Send decimals as JSON strings, for example "150.00", not as numbers.'),
        ({"amount": "1e2"}, "A plain decimal number is required (digits, optional minus sign and decimal point)."),
        ({"amount": "nan"}, "A plain decimal number is required (digits, optional minus sign and decimal point)."),
        ({"amount": "1.001"}, "Ensure that there are no more than 2 decimal places."),
        ({"unit_cost": "1.000001"}, "Ensure that there are no more than 5 decimal places."),
        ({"quantity": "1234567890123456.0"}, "Ensure that there are no more than 15 digits before the decimal point."),
        ({"unit_cost": "-1"}, "Ensure this value is not negative."),
    ],
)
def test_refused(data, message):
    line = Line(data=data)
    assert not line.is_valid()
    assert [str(e) for e in line.errors[next(iter(data))]] == [message]


def test_output_is_the_quantized_string():
    line = Line({"amount": Decimal("150"), "unit_cost": Decimal("1.5"), "quantity": Decimal("-2")})
    assert line.data == {"amount": "150.00", "unit_cost": "1.50000", "quantity": "-2.00000"}
