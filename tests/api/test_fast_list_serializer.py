"""``core.serializers.FastListSerializer`` returns exactly what DRF's own ListSerializer returns: the same validated
lines for valid input, the same error body for invalid input (it hands those to DRF), whatever the values' shapes."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from core.serializers import FastListSerializer, _plan
from costing.serializers import (
    ItemJournalLineSerializer,
    ItemJournalPostSerializer,
    RevaluationLineSerializer,
)

pytestmark = pytest.mark.django_db  # nothing is read; the marker keeps the suite's database fixture uniform


def both(child_class, lines):
    """(valid, validated data or errors) from the fast list and from DRF's plain ListSerializer."""
    fast = child_class(many=True, data=lines, allow_empty=False, max_length=10000)
    plain = serializers.ListSerializer(child=child_class(), data=lines, allow_empty=False, max_length=10000)
    assert isinstance(fast, FastListSerializer)
    out = []
    for s in (fast, plain):
        ok = s.is_valid()
        out.append((ok, [dict(line) for line in s.validated_data] if ok else s.errors))
    return out


def good_line(**changes):
    line = {
        "entry_type": "sale",
        "posting_date": "2026-03-05",
        "document_no": "SO-1",
        "item": "ITEM-1",
        "location": "EAST",
        "quantity": "3",
        "unit_cost": "12.50",
    }
    line.update(changes)
    return line


def test_both_journal_and_revaluation_lines_take_the_fast_path():
    assert _plan(ItemJournalLineSerializer()) is not None
    assert _plan(RevaluationLineSerializer()) is not None


def test_a_valid_journal_gives_the_same_lines():
    lines = [good_line(), good_line(applies_to_entry=7, invoiced_quantity="0", new_location=None, location="")]
    fast, plain = both(ItemJournalLineSerializer, lines)
    assert fast == plain
    ok, data = fast
    assert ok
    assert data[0]["posting_date"] == datetime.date(2026, 3, 5)
    assert data[0]["quantity"] == Decimal("3")
    assert data[0]["unit_cost"] == Decimal("12.50")
    assert data[0]["external_document_no"] == ""
    assert data[0]["applies_to_entry"] is None
    assert data[1]["applies_to_entry"] == 7
    assert data[1]["new_location"] is None


def test_valid_lines_do_not_go_through_drf_per_line(monkeypatch):
    """The point of the class: a well-formed journal is not validated line by line by DRF."""
    calls = []
    real = serializers.ListSerializer.run_child_validation
    monkeypatch.setattr(
        serializers.ListSerializer, "run_child_validation", lambda self, data: calls.append(1) or real(self, data)
    )
    fast = ItemJournalLineSerializer(many=True, data=[good_line()] * 50)
    assert fast.is_valid()
    assert calls == []
    fast = ItemJournalLineSerializer(many=True, data=[good_line(), good_line(quantity=3)])
    assert not fast.is_valid()
    assert len(calls) == 2  # an invalid line: DRF validates the whole list


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": 3},  # a JSON number, not a string
        {"quantity": "1e3"},
        {"posting_date": "2026-02-30"},
        {"posting_date": "20260305"},  # ISO basic format: Django's parse_date decides
        {"document_no": "  SO-1  "},  # trimmed by DRF
        {"document_no": "x" * 41},
        {"document_no": ""},
        {"document_no": "Straße"},  # not ASCII: the field itself validates it
        {"document_no": "a\x00b"},
        {"entry_type": "gift"},
        {"applies_to_entry": 0},
        {"applies_to_entry": True},
        {"applies_to_entry": "12"},
        {"item": None},
        {"unit_cost": None},
        {"unit_cost": ""},
    ],
)
def test_odd_and_invalid_values_give_what_drf_gives(changes):
    fast, plain = both(ItemJournalLineSerializer, [good_line(), good_line(**changes)])
    assert fast == plain


def test_a_missing_required_field_and_a_line_that_is_not_an_object():
    line = good_line()
    del line["item"]
    fast, plain = both(ItemJournalLineSerializer, [line, "text"])
    assert fast == plain
    assert not fast[0]
    assert set(fast[1]) == {0, 1}


def test_the_post_serializer_errors_keep_their_shape():
    body = {"lines": [good_line(), good_line(quantity="abc")]}
    serializer = ItemJournalPostSerializer(data=body)
    assert not serializer.is_valid()
    assert set(serializer.errors["lines"]) == {1}
    assert "quantity" in serializer.errors["lines"][1]


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=45),
    st.sampled_from(["sale", "purchase", "2026-01-31", "2026-13-01", "12.50", "-0.00001", "0.000001", " 5", "EAST"]),
    st.lists(st.integers(), max_size=2),
)
fields = st.sampled_from(
    [
        "entry_type",
        "posting_date",
        "document_no",
        "item",
        "location",
        "new_location",
        "quantity",
        "invoiced_quantity",
        "unit_cost",
        "applies_to_entry",
        "gen_bus_posting_group",
        "order_no",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(fields, values, max_size=4), min_size=1, max_size=3))
def test_any_value_any_shape_matches_drf(changes):
    lines = [{**good_line(), **c} for c in changes]
    fast, plain = both(ItemJournalLineSerializer, lines)
    assert fast == plain
