"""Scales and rounding of money and quantities, in one place.

Amounts in local currency carry 2 decimals, unit costs 5, quantities 5. Rounding is half up, as the books do.
Values are built from strings (never floats). Allocations use the largest-remainder method so that the parts add back
to the whole to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

AMOUNT_PLACES = 2
UNIT_COST_PLACES = 5
QUANTITY_PLACES = 5

AMOUNT_Q = Decimal("0.01")
UNIT_COST_Q = Decimal("0.00001")
QUANTITY_Q = Decimal("0.00001")
ZERO = Decimal("0")

# Column sizes shared by every model: 20 digits leave room for 10^13 in local currency.
AMOUNT_FIELD = {"max_digits": 20, "decimal_places": AMOUNT_PLACES}
UNIT_COST_FIELD = {"max_digits": 20, "decimal_places": UNIT_COST_PLACES}
QUANTITY_FIELD = {"max_digits": 20, "decimal_places": QUANTITY_PLACES}


def dec(value) -> Decimal:
    """A Decimal from a string, int or Decimal; floats are refused because they carry binary noise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money and quantities are never floats; pass a string")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc


def round_amount(value: Decimal) -> Decimal:
    return value.quantize(AMOUNT_Q, rounding=ROUND_HALF_UP)


def round_unit_cost(value: Decimal) -> Decimal:
    return value.quantize(UNIT_COST_Q, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_Q, rounding=ROUND_HALF_UP)


def places(value: Decimal) -> int:
    """Number of decimal places a Decimal was written with (``Decimal('1.230')`` has 3)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def allocate(total: Decimal, weights: list[Decimal], quantum: Decimal = AMOUNT_Q) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the rounded parts add up to ``total`` exactly.

    Largest remainder: every part is first rounded toward zero, then the leftover units go to the parts with the
    largest remainders (ties to the earlier part).
    """
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        raise ValueError("cannot allocate over weights that sum to zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [magnitude * w / weight_sum for w in weights]
    floors = [(e / quantum).to_integral_value(rounding="ROUND_FLOOR") * quantum for e in exact]
    leftover = int(((magnitude - sum(floors, ZERO)) / quantum).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += quantum
    return [sign * part for part in floors]
