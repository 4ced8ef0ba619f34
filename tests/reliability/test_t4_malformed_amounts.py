"""T4 (negative suite) Malformed amounts: JSON numbers, exponents, NaN, three decimals, huge values.

Every one is refused with a 4xx, never a 5xx, and nothing is posted. (The Schemathesis phase over the OpenAPI schema
is not part of this battery yet: docs/reliability.md.)
"""

import json

import pytest

from costing.models import ValueEntry
from ledger.models import GLEntry
from tests import books
from tests.reliability.conftest import api_client, assert_clean

pytestmark = pytest.mark.django_db

# Raw JSON text, so that numbers reach the parser as the client wrote them.
BAD_AMOUNTS = {
    "json_number": "150.25",
    "json_integer": "150",
    "exponent_string": '"1e3"',
    "exponent_number": "1e400",
    "negative_exponent": '"15025e-2"',
    "nan_string": '"NaN"',
    "nan_literal": "NaN",
    "infinity_string": '"Infinity"',
    "infinity_literal": "Infinity",
    "three_decimals": '"150.255"',
    "huge": '"99999999999999999999999999.99"',
    "huge_number": "12345678901234567.89",
    "empty": '""',
    "null": "null",
    "text": '"ten"',
    "comma_decimal": '"150,25"',
}


# A unit cost has five decimals, and without one the item's unit cost is used: these three are valid item journal lines.
VALID_FOR_UNIT_COST = {("three_decimals", "item-journal"), ("empty", "item-journal"), ("null", "item-journal")}


def _gl_journal(amount: str) -> str:
    line = '{{"gl_account": "{acc}", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": {amount}}}'
    # The balancing line carries the negated amount where it can be written, otherwise the same raw text.
    return '{"lines": [' + line.format(acc="2130", amount=amount) + "," + line.format(acc="7291", amount=amount) + "]}"


def _item_journal(unit_cost: str) -> str:
    return (
        '{"lines": [{"entry_type": "purchase", "item": "A", "quantity": "1", "posting_date": "2026-01-05", '
        f'"document_no": "P-1", "unit_cost": {unit_cost}}}]}}'
    )


def test_t4_malformed_amounts_are_refused_and_post_nothing(record):
    books.company()
    books.item("A")
    client = api_client("ivan", "integration")
    statuses: dict[str, dict[str, int]] = {}
    server_errors = 0
    for name, raw in BAD_AMOUNTS.items():
        statuses[name] = {}
        for target, body in (
            ("/api/v1/gl-journal/post/", _gl_journal(raw)),
            ("/api/v1/item-journal/post/", _item_journal(raw)),
        ):
            response = client.generic("POST", target, body, content_type="application/json")
            statuses[name][target.split("/")[3]] = response.status_code
            server_errors += response.status_code >= 500
    posted = GLEntry.objects.count() + ValueEntry.objects.count()
    counts = record.check(drained=False)  # the valid item journal lines wait in the Post to G/L queue
    record.figures = {
        "requests": 2 * len(BAD_AMOUNTS),
        "server_errors": server_errors,
        "accepted": sum(1 for s in statuses.values() for code in s.values() if code < 300),
        "accepted_valid_unit_cost_cases": len(VALID_FOR_UNIT_COST),
        "rows_posted": posted,
        "status_by_case": statuses,
    }
    assert server_errors == 0, json.dumps(statuses)
    refused = {
        (name, target): code
        for name, by_target in statuses.items()
        for target, code in by_target.items()
        if (name, target) not in VALID_FOR_UNIT_COST
    }
    assert all(code == 400 for code in refused.values()), json.dumps(statuses)
    assert posted == ValueEntry.objects.filter(document_no="P-1").count()
    assert not GLEntry.objects.exists()
    assert_clean(counts)
