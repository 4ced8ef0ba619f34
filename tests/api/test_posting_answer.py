"""The answer of a posting is built from the posting's rows in memory (costing.serializers.posting_result_data); it
must be exactly what serialising the entries read back from the database gives (PostingResultSerializer over
costing.selectors.posting_result), for every kind of posting and setup that changes the entries after they are
written (automatic cost posting, automatic cost adjustment)."""

import json
import threading
from datetime import date
from decimal import Decimal

import pytest

from costing import posting, selectors
from costing.models import InventorySetup
from costing.posting import JournalLine, RevaluationLine
from costing.serializers import PostingResultSerializer, posting_result_data
from tests import books

pytestmark = pytest.mark.django_db

D = Decimal


def read_back(result):
    return json.loads(json.dumps(PostingResultSerializer(selectors.posting_result(result)).data))


def answered(result):
    return json.loads(json.dumps(posting_result_data(result)))


def assert_same(result):
    body = answered(result)
    assert body == read_back(result)
    return body


def jl(entry_type, item, quantity, day=1, **fields):
    return JournalLine(
        entry_type=entry_type,
        posting_date=date(2020, 1, day),
        document_no=fields.pop("document_no", f"DOC-{day}"),
        item=item,
        quantity=D(quantity),
        **fields,
    )


@pytest.fixture
def company(db):
    books.company()
    books.item("A", overhead_rate=D("1"), indirect_cost_percent=D("2.5"))
    books.item("V", method="average", unit_cost=D("3.33333"))
    books.item("S", method="standard", standard_cost=D("4.12345"))
    books.item("L", method="lifo")
    books.item("P", method="specific")


def test_every_kind_of_line(company):
    first = posting.post_item_journal(
        [
            jl("sale", "A", "3", day=1, location="EAST"),  # negative inventory, valued at the unit cost
            jl("purchase", "A", "10", day=2, location="EAST", unit_cost=D("7.33333"), gen_bus_posting_group="DOMESTIC"),
            jl("purchase", "A", "6", day=2, location="", unit_cost=D("1.10"), invoiced_quantity=D("2")),
            jl("purchase", "V", "7", day=3, unit_cost=D("2.11111"), description="Bought", external_document_no="X-1"),
            jl("purchase", "V", "5", day=3, unit_cost=D("9.5"), invoiced_quantity=D("0")),
            jl("sale", "V", "4", day=4, invoiced_quantity=D("1")),
            jl("purchase", "S", "3", day=4, unit_cost=D("5.55555")),
            jl("positive_adjmt", "S", "1", day=5),
            jl("purchase", "L", "4", day=5, unit_cost=D("1.00")),
            jl("purchase", "L", "4", day=6, unit_cost=D("2.00")),
            jl("negative_adjmt", "L", "5", day=7),
            jl("transfer", "A", "4", day=8, location="EAST", new_location="WEST"),
            jl("purchase", "P", "2", day=8, unit_cost=D("10")),
            jl("sale", "A", "2", day=9, location="WEST", gen_bus_posting_group="DOMESTIC"),
        ]
    )
    body = assert_same(first)
    assert len(body["item_ledger_entries"]) == 15
    specific = next(e["entry_no"] for e in body["item_ledger_entries"] if e["item"] == "P")
    sale = next(
        e["entry_no"] for e in body["item_ledger_entries"] if e["entry_type"] == "sale" and e["location"] == "WEST"
    )
    second = posting.post_item_journal(
        [
            jl("sale", "P", "1", day=10, applies_to_entry=specific),
            jl("purchase", "P", "-1", day=10, applies_to_entry=specific),
            jl("sale", "A", "-1", day=11, location="WEST", applies_from_entry=sale),
            jl("sale", "A", "0.00001", day=11, location="WEST"),
        ]
    )
    assert_same(second)
    receipt = next(
        e["entry_no"]
        for e in body["item_ledger_entries"]
        if e["item"] == "V" and not e["completely_invoiced"] and e["positive"]
    )
    assert_same(
        posting.invoice_item_ledger_entry(
            receipt, posting_date=date(2020, 1, 12), document_no="INV", quantity=D("2"), unit_cost=D("9.87654")
        )
    )
    inbound = body["item_ledger_entries"][1]["entry_no"]
    assert_same(posting.post_item_charge(inbound, posting_date=date(2020, 1, 13), document_no="FR", amount=D("3.01")))
    assert_same(
        posting.post_revaluation_journal(
            [RevaluationLine(item="A", posting_date=date(2020, 1, 14), document_no="RV", unit_cost_revalued=D("6.5"))]
        )
    )


def test_automatic_cost_posting_and_adjustment_change_entries_after_they_are_written(db):
    books.company(automatic_cost_posting=True)
    InventorySetup.objects.filter(id=1).update(automatic_cost_adjustment="always")
    books.item("A", unit_cost=D("1.00"))
    books.item("V", method="average")
    assert_same(
        posting.post_item_journal([jl("sale", "A", "2", day=1), jl("purchase", "V", "3", day=1, unit_cost=D("2"))])
    )
    # The purchase closes the earlier sale: automatic adjustment corrects the sale's cost in the same posting, and
    # automatic cost posting posts both to the G/L.
    result = posting.post_item_journal(
        [jl("purchase", "A", "5", day=2, unit_cost=D("4.00")), jl("sale", "V", "1", day=2)], work_date=date(2020, 1, 2)
    )
    body = assert_same(result)
    assert any(v["adjustment"] for v in body["value_entries"])
    assert body["gl_entries"]
    assert all(v["cost_posted_to_gl"] == v["cost_amount_actual"] for v in body["value_entries"])


# The API hands posting_result_data to the posting as ``describe`` (costing.posting.Posting._describing): it runs on a
# second thread while PostgreSQL writes the entries, or after the writes where they change the result.


def described(lines, **kwargs):
    """Post ``lines`` with posting_result_data as ``describe``; also returns the name of the thread it ran on."""
    threads = []

    def describe(result):
        threads.append(threading.current_thread().name)
        return posting_result_data(result)

    result = posting.post_item_journal(lines, describe=describe, **kwargs)
    return result, threads


def test_the_answer_built_alongside_the_writes_is_the_answer_read_back(company):
    result, threads = described(
        [
            jl("purchase", "A", "10", day=2, location="EAST", unit_cost=D("7.33333")),
            jl("purchase", "V", "5", day=3, unit_cost=D("9.5"), invoiced_quantity=D("0")),
            jl("sale", "A", "4", day=4, location="EAST"),
            jl("transfer", "A", "3", day=5, location="EAST", new_location="WEST"),
        ]
    )
    assert threads == ["posting-describe_0"]
    assert json.loads(json.dumps(result.description)) == read_back(result)
    assert [e["remaining_quantity"] for e in result.description["item_ledger_entries"]] == [
        "3.00000", "5.00000", "0.00000", "0.00000", "3.00000"
    ]  # fmt: skip


def test_with_automatic_cost_posting_the_answer_is_built_after_the_writes(db):
    books.company(automatic_cost_posting=True)
    books.item("A", unit_cost=D("1.00"))
    result, threads = described([jl("purchase", "A", "5", day=2, unit_cost=D("4.00"))])
    assert threads == [threading.current_thread().name]
    assert json.loads(json.dumps(result.description)) == read_back(result)
    assert [v["cost_posted_to_gl"] for v in result.description["value_entries"]] == ["20.00"]
    assert result.description["gl_entries"]


def test_a_write_that_fails_while_the_answer_is_built_posts_nothing_and_names_its_own_error(company, monkeypatch):
    from costing.models import ItemLedgerEntry

    def refuse(self):
        raise RuntimeError("the item update failed")

    monkeypatch.setattr(posting.Posting, "_update_items", refuse)
    with pytest.raises(RuntimeError, match="the item update failed"):
        described([jl("purchase", "A", "10", day=2, unit_cost=D("7"))])
    assert not ItemLedgerEntry.objects.exists()


def test_an_answer_that_cannot_be_built_posts_nothing(company):
    from costing.models import ItemLedgerEntry

    def describe(result):
        raise ValueError("no answer")

    with pytest.raises(ValueError, match="no answer"):
        posting.post_item_journal([jl("purchase", "A", "10", day=2, unit_cost=D("7"))], describe=describe)
    assert not ItemLedgerEntry.objects.exists()
