"""core.renderers.FastJSONRenderer writes the bytes DRF's JSONRenderer writes: for a posting's answer, for the
types our views return (dates and times keep DRF's format, lazy translations, decimals, non-string keys, U+2028),
and an indented answer is DRF's own."""

import datetime
import uuid
from collections import OrderedDict
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.renderers import FastJSONRenderer
from costing import posting
from costing.serializers import posting_result_data
from tests import books
from tests.api.test_posting_answer import jl

D = Decimal


def _both(data, media_type=None):
    return JSONRenderer().render(data, media_type), FastJSONRenderer().render(data, media_type)


def test_the_types_our_views_return_are_written_as_drf_writes_them():
    data = {
        "list": [1, 2.5, "x\u2028y\u2029z", None, True, "库存", D("1.50"), (1, 2)],
        7: "an int key",
        "date": datetime.date(2026, 1, 2),
        "utc": datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC),
        "naive": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "time": datetime.time(1, 2, 3, 450000),
        "duration": datetime.timedelta(seconds=5),
        "uuid": uuid.UUID(int=5),
        "lazy": gettext_lazy("Item"),
        "ordered": OrderedDict(b=1, a=2),
        "return_dict": ReturnDict({"z": 1}, serializer=None),
        "return_list": ReturnList([1], serializer=None),
        "big": 2**62,
        "float": 1e16,
    }
    drf, fast = _both(data)
    assert fast == drf
    assert b"\\u2028" in fast and b'"utc":"2026-01-02T03:04:05.123456Z"' in fast
    drf, fast = _both(data, "application/json; indent=2")
    assert fast == drf and b"\n  " in fast
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_a_posting_answer_is_the_same_bytes():
    books.company()
    books.item("A")
    books.item("V", method="average", unit_cost=D("3.33333"))
    result = posting.post_item_journal(
        [
            jl("purchase", "A", "10", day=2, location="EAST", unit_cost=D("7.33333")),
            jl("purchase", "V", "5", day=3, unit_cost=D("9.5"), invoiced_quantity=D("0"), description="收货"),
            jl("sale", "A", "4", day=4, location="EAST"),
        ]
    )
    drf, fast = _both(posting_result_data(result))
    assert fast == drf
