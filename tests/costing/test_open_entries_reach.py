"""A posting reads only the open inbound entries its lines can reach (``Posting._load_pairs``).

In application order (posting date, then entry no.; latest first for LIFO, as Business Central's application key),
the open entries until their remaining quantity covers the quantities of the posting's lines at that item and
location. The applications must be exactly those of reading them all: earliest first for FIFO, latest first for LIFO,
a back-dated receipt by its date and not its number, and past the loaded ones into the posting's own receipts.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection

from costing import posting as posting_module
from costing.models import (
    InventoryPostingSetup,
    ItemApplicationEntry,
    ItemLedgerEntry,
    Location,
    ValueEntry,
)
from costing.posting import JournalLine, post_item_journal
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def line(entry_type, date_text, quantity, item_no, cost=None, location="EAST"):
    return JournalLine(
        entry_type=entry_type,
        posting_date=d(date_text),
        document_no=f"{entry_type}-{date_text}-{quantity}",
        item=item_no,
        quantity=D(str(quantity)),
        location=location,
        unit_cost=D(str(cost)) if cost is not None else None,
    )


def receipts(item_no: str, costs=(10, 11, 12, 13)) -> list[int]:
    """Four receipts of 5 at rising costs, each its own posting; their entry numbers."""
    numbers = []
    for n, cost in enumerate(costs):
        result = post_item_journal([line("purchase", f"01-0{n + 1}-26", 5, item_no, cost)])
        numbers.append(result.item_ledger_entries[0].entry_no)
    return numbers


def applied(entry_no: int) -> list[tuple[int, Decimal]]:
    return list(
        ItemApplicationEntry.objects.filter(item_ledger_entry_id=entry_no)
        .order_by("entry_no")
        .values_list("inbound_item_entry_id", "quantity")
    )


@pytest.fixture
def loaded(monkeypatch):
    """Entry numbers of the open inbound entries each posting read."""
    seen: list[set[int]] = []
    real = posting_module.Posting._track

    def track(self, rows):
        seen.append({r.entry_no for r in rows if r.positive and r.open})
        return real(self, rows)

    monkeypatch.setattr(posting_module.Posting, "_track", track)
    return seen


def test_fifo_reads_the_earliest_entries_that_cover_the_lines(loaded):
    company()
    item("F", "fifo")
    r1, r2, r3, r4 = receipts("F")
    loaded.clear()
    sale = post_item_journal([line("sale", "01-10-26", 7, "F")]).item_ledger_entries[0]
    assert loaded[0] == {r1, r2}  # 5 + 5 cover 7; r3 and r4 are not read
    assert applied(sale.entry_no) == [(r1, D("-5")), (r2, D("-2"))]
    assert sum(v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry_id=sale.entry_no)) == D(
        "-72.00"
    )  # 5 x 10 + 2 x 11


def test_lifo_reads_the_latest_entries_that_cover_the_lines(loaded):
    company()
    item("L", "lifo")
    r1, r2, r3, r4 = receipts("L")
    loaded.clear()
    sale = post_item_journal([line("sale", "01-10-26", 6, "L")]).item_ledger_entries[0]
    assert loaded[0] == {r4, r3}
    assert applied(sale.entry_no) == [(r4, D("-5")), (r3, D("-1"))]


def backdated(item_no: str) -> tuple[list[int], int]:
    """The four receipts of 01-01 to 01-04 and a fifth of 5 at 9.00 posted after them but dated 12-20-25."""
    numbers = receipts(item_no)
    late = post_item_journal([line("purchase", "12-20-25", 5, item_no, 9)]).item_ledger_entries[0].entry_no
    assert late > numbers[-1]
    return numbers, late


def test_fifo_sells_a_backdated_receipt_first(loaded):
    """Business Central applies by posting date: the receipt dated 12-20-25 is the earliest, though the last posted."""
    company()
    item("B", "fifo")
    (r1, r2, r3, r4), late = backdated("B")
    loaded.clear()
    sale = post_item_journal([line("sale", "01-10-26", 7, "B")]).item_ledger_entries[0]
    assert loaded[0] == {late, r1}
    assert applied(sale.entry_no) == [(late, D("-5")), (r1, D("-2"))]
    assert ValueEntry.objects.get(item_ledger_entry_id=sale.entry_no).cost_amount_actual == D("-65.00")  # 45 + 20


def test_lifo_sells_the_latest_dated_receipt_first(loaded):
    """LIFO takes the latest posting date: 01-04's receipt, then 01-03's; the back-dated one comes last."""
    company()
    item("M", "lifo")
    (r1, r2, r3, r4), late = backdated("M")
    loaded.clear()
    sale = post_item_journal([line("sale", "01-10-26", 7, "M")]).item_ledger_entries[0]
    assert loaded[0] == {r4, r3}
    assert applied(sale.entry_no) == [(r4, D("-5")), (r3, D("-2"))]
    sale = post_item_journal([line("sale", "01-11-26", 14, "M")]).item_ledger_entries[0]
    assert applied(sale.entry_no) == [(r3, D("-3")), (r2, D("-5")), (r1, D("-5")), (late, D("-1"))]


def test_a_backdated_receipt_in_the_same_posting_goes_before_the_open_entries(loaded):
    """A receipt and a sale in one posting: the receipt dated before every open entry is applied to first, and the
    entries already in the ledger are read only as far as the rest of the sale needs."""
    company()
    item("N", "fifo")
    r1, r2, r3, r4 = receipts("N")
    loaded.clear()
    result = post_item_journal([line("purchase", "12-15-25", 3, "N", 7), line("sale", "01-10-26", 6, "N")])
    receipt, sale = result.item_ledger_entries
    assert applied(sale.entry_no) == [(receipt.entry_no, D("-3")), (r1, D("-3"))]
    assert r1 in loaded[0] and not loaded[0] & {r3, r4}


def test_stock_arriving_closes_open_outbound_entries_by_date(loaded):
    """Negative inventory: an inbound entry closes the open outbound entries earliest date first (latest first for
    LIFO), as it closes inbound ones."""
    company()
    for no, method in (("O", "fifo"), ("Q", "lifo")):
        item(no, method)
        first = post_item_journal([line("sale", "01-10-26", 2, no)]).item_ledger_entries[0].entry_no
        earlier = post_item_journal([line("sale", "01-05-26", 2, no)]).item_ledger_entries[0].entry_no
        receipt = post_item_journal([line("purchase", "01-12-26", 3, no, 10)]).item_ledger_entries[0].entry_no
        closed = list(
            ItemApplicationEntry.objects.filter(item_ledger_entry_id=receipt, outbound_item_entry__isnull=False)
            .order_by("entry_no")
            .values_list("outbound_item_entry_id", "quantity")
        )
        order = [earlier, first] if method == "fifo" else [first, earlier]
        assert closed == [(order[0], D("2")), (order[1], D("1"))], method


def test_a_sale_larger_than_the_open_stock_reads_everything_and_goes_on_into_the_postings_own_receipt(loaded):
    company()
    item("G", "fifo")
    r1, r2, r3, r4 = receipts("G")
    loaded.clear()
    result = post_item_journal([line("purchase", "01-09-26", 10, "G", 20), line("sale", "01-10-26", 24, "G")])
    receipt, sale = result.item_ledger_entries
    assert loaded[0] == {r1, r2, r3, r4}
    assert applied(sale.entry_no) == [
        (r1, D("-5")),
        (r2, D("-5")),
        (r3, D("-5")),
        (r4, D("-5")),
        (receipt.entry_no, D("-4")),
    ]
    assert ItemLedgerEntry.objects.get(entry_no=receipt.entry_no).remaining_quantity == D("6")


def test_several_lines_at_one_location_add_up(loaded):
    company()
    item("S", "fifo")
    r1, r2, r3, r4 = receipts("S")
    post_item_journal([line("sale", "01-10-26", 3, "S")])  # r1 has 2 left
    loaded.clear()
    result = post_item_journal([line("sale", "01-11-26", 4, "S"), line("sale", "01-12-26", 4, "S")])
    first, second = result.item_ledger_entries
    assert loaded[0] == {r1, r2, r3}  # 2 + 5 + 5 cover 8
    assert applied(first.entry_no) == [(r1, D("-2")), (r2, D("-2"))]
    assert applied(second.entry_no) == [(r2, D("-3")), (r3, D("-1"))]


def test_only_the_lines_location_and_entries_without_one(loaded):
    """Each (item, location) is read on its own: the entries at another location are not read, and a line without a
    location reaches the entries without one (the read matches a NULL location to the line's empty one)."""
    company()
    item("S", "fifo")
    east = receipts("S")
    west = post_item_journal([line("purchase", "01-05-26", 5, "S", 9, location="WEST")]).item_ledger_entries[0]
    nowhere = [
        post_item_journal([line("purchase", f"01-0{n + 6}-26", 5, "S", 8, location=None)]).item_ledger_entries[0]
        for n in range(2)
    ]
    loaded.clear()
    result = post_item_journal([line("sale", "01-10-26", 3, "S"), line("sale", "01-10-26", 6, "S", location=None)])
    at_east, at_none = result.item_ledger_entries
    assert loaded[0] == {east[0], nowhere[0].entry_no, nowhere[1].entry_no}
    assert west.entry_no not in loaded[0]
    assert applied(at_east.entry_no) == [(east[0], D("-3"))]
    assert applied(at_none.entry_no) == [(nowhere[0].entry_no, D("-5")), (nowhere[1].entry_no, D("-1"))]


def test_a_line_that_brings_stock_in_reaches_no_open_inbound_entry(loaded):
    """Receipts, positive adjustments and sales returns take nothing from the open inbound entries: a posting of
    only such lines reads none of them, and a receipt beside a sale adds nothing to the sale's reach."""
    company()
    item("I", "fifo")
    r1, r2, r3, r4 = receipts("I")
    loaded.clear()
    post_item_journal([line("purchase", "01-10-26", 50, "I", 9), line("positive_adjmt", "01-10-26", 5, "I", 9)])
    assert loaded[0] == set()
    loaded.clear()
    result = post_item_journal([line("purchase", "01-11-26", 50, "I", 9), line("sale", "01-11-26", 4, "I")])
    assert loaded[0] == {r1}
    assert applied(result.item_ledger_entries[1].entry_no) == [(r1, D("-4"))]


def test_a_purchase_return_and_a_transfer_reach_at_the_location_they_take_from(loaded):
    """A negative purchase takes stock out and reaches like a sale; a transfer reaches at its location by what it
    moves and at its new location not at all."""
    company()
    item("T", "fifo")
    r1, r2, r3, r4 = receipts("T")
    west = [
        post_item_journal([line("purchase", f"01-0{n + 5}-26", 5, "T", 9, location="WEST")]).item_ledger_entries[0]
        for n in range(2)
    ]
    loaded.clear()
    post_item_journal([line("purchase", "01-10-26", -7, "T")])
    assert loaded[0] == {r1, r2}
    loaded.clear()
    transfer = JournalLine(
        entry_type="transfer",
        posting_date=d("01-11-26"),
        document_no="T-1",
        item="T",
        quantity=D("2"),
        location="EAST",
        new_location="WEST",
    )
    post_item_journal([transfer])
    assert loaded[0] == {r2}  # r1 was used up by the return; nothing at WEST (west[0], west[1]) is read
    assert not loaded[0] & {w.entry_no for w in west}


def test_a_line_that_names_its_entry_reaches_no_other(loaded):
    """A fixed application (applies-to entry) takes from the entry it names alone: that entry is read on its own and
    the line adds nothing to the reach of the others, for a sale as for a transfer."""
    company()
    item("P", "fifo")
    r1, r2, r3, r4 = receipts("P")
    loaded.clear()
    sale = post_item_journal([replace(line("sale", "01-10-26", 3, "P"), applies_to_entry=r3)])
    assert set().union(*loaded) == {r3}
    assert applied(sale.item_ledger_entries[0].entry_no) == [(r3, D("-3"))]


def test_array_literals_round_trip_through_postgresql():
    """``_array`` writes a list as one array literal: strings with quotes, backslashes, commas, braces and spaces,
    NULL, numbers, booleans and dates come back as they went in."""
    texts = ['A"B', "C\\D", "E,F", "{G}", " H ", "NULL", "", None, "I'J"]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT %s::varchar[], %s::numeric[], %s::bool[], %s::date[]",
            [
                posting_module._array(texts),
                posting_module._array([D("1.50"), D("-0.00001"), 7, None]),
                posting_module._array([True, False, None]),
                posting_module._array([d("01-02-26"), None]),
            ],
        )
        row = cur.fetchone()
    assert row == (texts, [D("1.50"), D("-0.00001"), D("7"), None], [True, False, None], [d("01-02-26"), None])


def test_items_and_locations_whose_codes_need_quoting(loaded):
    """The keys of the open-entry read go to PostgreSQL as array literals: an item and a location whose codes hold a
    quote, a backslash, a comma and braces are read and applied like any other."""
    company()
    odd_item, odd_location = 'Q"1,{x}\\', 'W"H,{1}\\'
    item(odd_item, "fifo")
    location = Location.objects.create(code=odd_location, name="Odd")
    setup = InventoryPostingSetup.objects.filter(location__code="EAST").values().get()
    setup.pop("id")
    setup["location_id"] = location.pk
    InventoryPostingSetup.objects.create(**setup)
    first = post_item_journal([line("purchase", "01-01-26", 5, odd_item, 10, location=odd_location)])
    second = post_item_journal([line("purchase", "01-02-26", 5, odd_item, 12, location=odd_location)])
    loaded.clear()
    sale = post_item_journal([line("sale", "01-10-26", 7, odd_item, location=odd_location)]).item_ledger_entries[0]
    r1, r2 = first.item_ledger_entries[0].entry_no, second.item_ledger_entries[0].entry_no
    assert loaded[0] == {r1, r2}
    assert applied(sale.entry_no) == [(r1, D("-5")), (r2, D("-2"))]
    assert sum(v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry_id=sale.entry_no)) == D(
        "-74.00"
    )  # 5 x 10 + 2 x 12
