"""Adjust Cost computes without the counter lock and writes under it (costing/adjustment.py, ``_adjust_batch``).

Two things must hold: a batch's computation does not block other batches or postings, and what commits in between
is seen, so the books are what computing under the lock would have given.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from costing import adjustment
from costing.adjustment import adjust_cost
from costing.models import Item, ItemLedgerEntry, ValueEntry
from costing.posting import post_item_charge
from tests.jobs import support

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn):
    """Run ``fn`` on its own connection and wait for it; re-raise what it raised."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - re-raised below
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the other connection was blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _adjustments_a_fresh_run_would_make() -> int:
    """Mark every item unadjusted and run Adjust Cost again: on correct books it writes nothing."""
    before = ValueEntry.objects.count()
    Item.objects.update(cost_is_adjusted=False)
    adjust_cost(post_to_gl=False)
    return ValueEntry.objects.count() - before


def test_a_posting_committed_during_the_computation_is_seen_and_recomputed(monkeypatch):
    items = support.company_with_items(3)
    target = items[1]
    receipt = ItemLedgerEntry.objects.filter(item_id=target, entry_type="purchase").order_by("entry_no").first()
    real_plan = adjustment._plan
    planned: list[list[str]] = []

    def plan_then_someone_posts(read, setup):
        result = real_plan(read, setup)
        planned.append(sorted(read.items))
        if len(planned) == 1:
            # An item charge on a receipt whose stock was partly sold commits before the batch takes its lock.
            _in_thread(
                lambda: post_item_charge(
                    receipt.entry_no, posting_date=receipt.posting_date, document_no="LATE-FRT", amount=Decimal("25")
                )
            )
        return result

    monkeypatch.setattr(adjustment, "_plan", plan_then_someone_posts)
    adjust_cost(post_to_gl=False)
    monkeypatch.undo()

    assert planned == [sorted(items), [target]]  # only the touched item is computed again, under the lock
    assert not Item.objects.filter(cost_is_adjusted=False).exists()
    # The sale of 7 took all 5 units of the charged receipt: 25.00 of freight reaches it.
    assert _adjustments_a_fresh_run_would_make() == 0
    sale = ItemLedgerEntry.objects.get(item_id=target, entry_type="sale")
    cost = sum(v.cost_amount_actual + v.cost_amount_expected for v in ValueEntry.objects.filter(item_ledger_entry=sale))
    assert cost == -(Decimal(5) * Decimal(11) + Decimal(25) + Decimal(2) * Decimal(13))


def test_a_batch_computing_does_not_block_another_batch_or_a_posting(monkeypatch):
    items = support.company_with_items(4)
    first, second = items[:2], items[2:]
    real_plan = adjustment._plan
    planned: list[list[str]] = []

    def plan_while_others_write(read, setup):
        result = real_plan(read, setup)
        planned.append(sorted(read.items))
        if sorted(read.items) == first:
            # While the first batch is between its computation and its lock, the second batch runs to its commit,
            # and so does a posting on one of the second batch's items.
            _in_thread(lambda: adjust_cost(second, post_to_gl=False))
            receipt = ItemLedgerEntry.objects.filter(item_id=second[0], entry_type="purchase").first()
            _in_thread(
                lambda: post_item_charge(
                    receipt.entry_no, posting_date=receipt.posting_date, document_no="OTHER-FRT", amount=Decimal("3")
                )
            )
        return result

    monkeypatch.setattr(adjustment, "_plan", plan_while_others_write)
    adjust_cost(first, post_to_gl=False)
    monkeypatch.undo()

    # The counters moved, but nothing of the first batch's items was posted: no second computation.
    assert planned == [first, second]
    assert not Item.objects.filter(no__in=first, cost_is_adjusted=False).exists()
    assert Item.objects.get(no=second[0]).cost_is_adjusted is False  # the charge came after its adjustment
    adjust_cost(post_to_gl=False)  # picks up the charge
    assert _adjustments_a_fresh_run_would_make() == 0


def test_batches_are_computed_while_the_previous_one_is_written(monkeypatch):
    """Outside a transaction, with more than one batch, each batch is written on a thread of its own while the next
    is computed (``_pipelined``): the writes commit in order, the progress follows them, the books are exact."""
    items = support.company_with_items(5)
    real_write = adjustment._write_batch
    writers: list[tuple[str, list[str]]] = []

    def write(read, planned, *args):
        writers.append((threading.current_thread().name, sorted(read.items)))
        return real_write(read, planned, *args)

    monkeypatch.setattr(adjustment, "_write_batch", write)
    progress: list[tuple[int, int]] = []
    report = adjust_cost(post_to_gl=False, batch_size=2, progress=lambda done, total: progress.append((done, total)))
    monkeypatch.undo()

    assert [batch for _thread, batch in writers] == [items[0:2], items[2:4], items[4:5]]
    assert all(thread.startswith("adjust-write") for thread, _batch in writers)
    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert report.items_adjusted == items
    assert not Item.objects.filter(cost_is_adjusted=False).exists()
    for n, no in enumerate(items):
        unit = Decimal(10 + n % 7)  # FIFO: the sale of 7 takes 5 at the first cost and 2 at the second (+2)
        sale = ItemLedgerEntry.objects.get(item_id=no, entry_type="sale")
        booked = ValueEntry.objects.filter(item_ledger_entry=sale)
        assert sum(v.cost_amount_actual + v.cost_amount_expected for v in booked) == -(7 * unit + 4)
    assert _adjustments_a_fresh_run_would_make() == 0


def test_a_failed_write_stops_the_run_and_keeps_the_batches_before_it(monkeypatch):
    items = support.company_with_items(4)
    real_write = adjustment._write_batch
    calls: list[int] = []

    def fail_second(read, planned, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_write(read, planned, *args)

    monkeypatch.setattr(adjustment, "_write_batch", fail_second)
    with pytest.raises(RuntimeError, match="disk full"):
        adjust_cost(post_to_gl=False, batch_size=2)
    monkeypatch.undo()

    assert set(Item.objects.filter(cost_is_adjusted=True).values_list("no", flat=True)) == set(items[:2])
    assert not ValueEntry.objects.filter(adjustment=True, item_id__in=items[2:]).exists()
    assert adjust_cost(post_to_gl=False).items_adjusted == items[2:]
    assert _adjustments_a_fresh_run_would_make() == 0
