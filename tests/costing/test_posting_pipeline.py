"""A large posting hands its entries to the writer thread a chunk at a time (``Posting._hand_off``).

The books must be exactly those of writing everything at the end: an entry a later line changes after its chunk was
written (a receipt a later sale takes from, a negative entry a later receipt closes) is written again with its final
remaining quantity and open flag. A line that fails after chunks were written, or a chunk the database refuses,
posts nothing.
"""

from dataclasses import replace

import pytest
from django.db import DatabaseError, connection, transaction

from core import bulk
from core.errors import Conflict
from costing import posting as posting_module
from costing.models import (
    AvgCostAdjmtEntryPoint,
    AvgCostTotal,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    PostValueEntryToGL,
    ValueEntry,
)
from costing.posting import JournalLine, post_item_journal
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def line(entry_type, day, quantity, item_no, cost=None, location="EAST", **extra):
    return JournalLine(
        entry_type=entry_type,
        posting_date=d(f"02-{day:02d}-26"),
        document_no=f"{entry_type[:3].upper()}-{item_no}-{day}-{quantity}",
        item=item_no,
        quantity=D(str(quantity)),
        location=location,
        unit_cost=D(str(cost)) if cost is not None else None,
        **extra,
    )


def journal(before: ItemLedgerEntry) -> list[JournalLine]:
    """Every kind of line, on FIFO, LIFO, Average and Standard items at two locations, so that with chunks of three
    lines most lines take from or close an entry an earlier chunk wrote."""
    lines = []
    for n, (no, cost) in enumerate((("F", 10), ("L", 20), ("A", 30), ("S", 40))):
        day = 1 + n
        lines += [
            line("purchase", day, 10, no, cost),
            line("purchase", day, 6, no, cost + 1, invoiced_quantity=D("2")),  # partly invoiced: expected cost
            line("sale", day + 1, 7, no),
            line("transfer", day + 1, 3, no, new_location="WEST"),
            line("sale", day + 2, 2, no, location="WEST"),
            line("negative_adjmt", day + 2, 4, no),
            line("sale", day + 3, 9, no),  # more than is left at EAST: an open negative entry
            line("positive_adjmt", day + 4, 1, no, cost),
            line("purchase", day + 5, 12, no, cost + 2),  # closes the negative entry of an earlier chunk
            line("purchase", day + 5, -2, no),  # a purchase return
            line("sale", day + 6, 1, no, location="WEST"),
        ]
    lines.append(replace(line("sale", 20, 3, "F", location=""), applies_to_entry=before.entry_no))
    return lines


def books() -> dict[str, list]:
    def rows(model, order):
        # Not the surrogate ids: sequences are not rolled back with the first posting.
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("created_at", "id")]
        return list(model.objects.order_by(*order).values_list(*names))

    return {
        "ile": rows(ItemLedgerEntry, ["entry_no"]),
        "ve": rows(ValueEntry, ["entry_no"]),
        "apps": rows(ItemApplicationEntry, ["entry_no"]),
        "items": rows(Item, ["no"]),
        "points": rows(AvgCostAdjmtEntryPoint, ["item_id", "location_id", "valuation_date"]),
        "totals": rows(AvgCostTotal, ["item_no", "location_code"]),
        "queue": rows(PostValueEntryToGL, ["value_entry_id"]),
    }


@pytest.fixture
def ledger():
    company(expected_cost_posting=True)
    item("F", "fifo")
    item("L", "lifo")
    item("A", "average")
    item("S", "standard", standard_cost=D("40"), unit_cost=D("40"))
    before = post_item_journal([line("purchase", 1, 5, "F", 9, location="")]).item_ledger_entries[0]
    return journal(before)


@pytest.fixture
def hand_offs(monkeypatch):
    """How many chunks each posting handed off."""
    counted = []
    real = posting_module.Posting._hand_off

    def hand_off(self):
        counted.append(self._handed)
        return real(self)

    monkeypatch.setattr(posting_module.Posting, "_hand_off", hand_off)
    return counted


def posted_books(lines, chunk: int, monkeypatch) -> dict[str, list]:
    """The books after posting ``lines`` in chunks of ``chunk`` lines, rolled back afterwards."""
    monkeypatch.setattr(posting_module, "PIPELINE_CHUNK_LINES", chunk)
    with transaction.atomic():
        post_item_journal(lines)
        result = books()
        transaction.set_rollback(True)
    return result


def test_chunks_written_while_computing_give_the_books_of_one_write(ledger, hand_offs, monkeypatch):
    at_once = posted_books(ledger, 10_000, monkeypatch)
    assert hand_offs == []
    chunked = posted_books(ledger, 3, monkeypatch)
    assert len(hand_offs) == (len(ledger) - 1) // 3
    assert chunked == at_once
    assert len(chunked["ile"]) == len(ledger) + 4 + 1  # a transfer makes two entries; the first posting's receipt
    assert at_once["ve"] and at_once["apps"] and at_once["queue"] and at_once["points"]


def test_a_chunk_entry_a_later_line_changes_is_written_with_its_final_state(ledger, monkeypatch):
    monkeypatch.setattr(posting_module, "PIPELINE_CHUNK_LINES", 2)
    result = post_item_journal(ledger)
    negative = next(
        r for r in result.item_ledger_entries if r.item_id == "F" and r.entry_type == "sale" and r.quantity == -9
    )
    stored = ItemLedgerEntry.objects.get(entry_no=negative.entry_no)
    # 9 out of EAST with 5 left there (and 5 from the first posting, applied to the fixed sale at the end): the
    # later receipt of 12 closed it.
    assert (stored.remaining_quantity, stored.open) == (negative.remaining_quantity, negative.open)
    assert stored.open is False and stored.remaining_quantity == 0
    receipt = next(r for r in result.item_ledger_entries if r.item_id == "F" and r.quantity == 12)
    stored = ItemLedgerEntry.objects.get(entry_no=receipt.entry_no)
    assert stored.remaining_quantity == receipt.remaining_quantity < 12


def test_a_line_that_fails_after_chunks_were_written_posts_nothing(ledger, hand_offs, monkeypatch):
    monkeypatch.setattr(posting_module, "PIPELINE_CHUNK_LINES", 3)
    counts = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), ItemApplicationEntry.objects.count())
    before = ItemLedgerEntry.objects.get(item_id="F")
    # The last line asks more of the first posting's receipt than the fixed sale before it left.
    bad = [*ledger, replace(line("sale", 21, 4, "F", location=""), applies_to_entry=before.entry_no)]
    with pytest.raises(Conflict) as failure:
        post_item_journal(bad)
    assert failure.value.code == "insufficient_remaining_quantity"
    assert len(hand_offs) == (len(bad) - 1) // 3
    assert (
        ItemLedgerEntry.objects.count(),
        ValueEntry.objects.count(),
        ItemApplicationEntry.objects.count(),
    ) == counts
    assert ItemLedgerEntry.objects.get(item_id="F").remaining_quantity == D("5")
    # The connection is usable and the next posting posts.
    post_item_journal(ledger)
    assert ItemLedgerEntry.objects.count() == counts[0] + len(ledger) + 4


def test_a_chunk_the_database_refuses_fails_the_posting_as_a_database_error(ledger, hand_offs, monkeypatch):
    monkeypatch.setattr(posting_module, "PIPELINE_CHUNK_LINES", 3)
    real = bulk.copy_text
    calls = []

    def broken(model, rows):
        statement, text = real(model, rows)
        calls.append(model)
        if model is ValueEntry and calls.count(ValueEntry) == 2:
            text = text.replace("\t", "\tnot a column\t", 1)  # one value too many on the first row
        return statement, text

    monkeypatch.setattr(posting_module, "copy_text", broken)
    counts = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count())
    with pytest.raises(DatabaseError):
        post_item_journal(ledger)
    assert hand_offs  # the failure came from the writer thread
    assert (ItemLedgerEntry.objects.count(), ValueEntry.objects.count()) == counts
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_a_posting_of_fewer_than_two_chunks_writes_at_the_end(ledger, hand_offs, monkeypatch):
    monkeypatch.setattr(posting_module, "PIPELINE_CHUNK_LINES", len(ledger) // 2 + 1)
    post_item_journal(ledger)
    assert hand_offs == []
    assert ItemLedgerEntry.objects.count() == len(ledger) + 4 + 1
