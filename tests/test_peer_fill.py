"""bench/peer/tryton_fill.py: the fill writes what Tryton 7.0's `stock.move.do` writes, one move a call.

Tryton itself runs only in its own venv (made by `make bench-peer`), so the row-for-row check against `do` is
`tryton_fill.py --check`, run by `make bench-peer` before every filled run and recorded with it. These tests pin the
rules the fill copies from Tryton's code, with amounts worked by hand from that code."""

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def fill(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.syspath_prepend(str(BENCH / "peer"))
    for name in ("tryton_fill", "workload", "run_peer", "doctable"):
        sys.modules.pop(name, None)
    import tryton_fill

    return tryton_fill


def lots(fill, *specs):
    product = fill.Product("fifo", Decimal("6.0000"))
    for n, (qty, used, cost) in enumerate(specs, start=1):
        product.lots.append(fill.Lot(date(2025, 1, n), n, float(qty), float(used), Decimal(cost)))
    return product


def test_fifo_consumes_the_oldest_receipts_when_the_storage_quantity_is_theirs(fill):
    product = lots(fill, (10, 0, "5.00"), (10, 0, "7.00"))
    product.quantity = 20.0
    taken, cost, consumed = fill.consume_fifo(product, 15.0)
    assert [(lot.id, q) for lot, q in taken] == [(1, 10.0), (2, 5.0)]
    assert (cost, consumed) == (Decimal("85.00"), 15.0)  # 10 x 5.00 + 5 x 7.00


def test_fifo_sets_the_newest_receipts_against_the_storage_quantity_as_tryton_does(fill):
    """Product.get_fifo_move walks the available receipts newest first and subtracts each from the storage
    quantity: with 12 in storage against 20 available (8 left without a FIFO receipt), a shipment of 5 takes 3 of
    the newest receipt and 2 of the one before, not the oldest 5."""
    product = lots(fill, (10, 0, "5.00"), (10, 0, "7.00"))
    product.quantity = 12.0
    taken, cost, consumed = fill.consume_fifo(product, 5.0)
    assert [(lot.id, q) for lot, q in taken] == [(1, 2.0), (2, 3.0)]
    assert (cost, consumed) == (Decimal("31.00"), 5.0)


def test_fifo_with_nothing_available_consumes_nothing(fill):
    product = lots(fill)
    product.quantity = -3.0
    assert fill.consume_fifo(product, 2.0) == ([], Decimal(0), 0.0)


def test_the_average_follows_compute_product_cost_price(fill):
    """Move._compute_product_cost_price: a receipt averages in while the stock is not negative; a receipt onto
    negative stock takes its own price; an outgoing move that empties the stock leaves the cost price alone."""
    product = fill.Product("average", Decimal("5.0000"), quantity=10.0)
    assert fill.new_average(product, Decimal("7.00"), 10.0, outgoing=False) == Decimal("6.0000")
    assert fill.new_average(product, Decimal("2.00"), 3.0, outgoing=False) == Decimal("4.3077")  # 56 / 13
    product.quantity = -2.0
    assert fill.new_average(product, Decimal("7.00"), 10.0, outgoing=False) == Decimal("7.0000")
    product.quantity = 4.0
    assert fill.new_average(product, Decimal("8.00"), 4.0, outgoing=True) == Decimal("5.0000")
    assert fill.new_average(product, Decimal("4.00"), 2.0, outgoing=True) == Decimal("6.0000")  # (20 - 8) / 2


def test_the_check_samples_whole_items_in_turn_from_each_method(fill, tmp_path):
    """tryton_fill.py --check loads a few items' whole year, taking items from each costing method in turn."""
    import workload

    items = [{"no": f"I{n}", "method": m, "cost": "2.00"} for n, m in enumerate(("fifo", "fifo", "average", "lifo"))]
    header = {"seed": 1, "start": "2025-11-22", "items": items}
    moves = [
        workload.Move("purchase", "2025-11-22", "I1", 5, "supplier", "EAST", "2.00"),
        workload.Move("purchase", "2025-11-22", "I0", 5, "supplier", "EAST", "2.00"),
        workload.Move("sale", "2025-11-23", "I2", 1, "EAST", "customer", None),
        workload.Move("sale", "2026-10-23", "I0", 1, "EAST", "customer", None),
    ]
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join([json.dumps(header)] + [json.dumps(m.__dict__) for m in moves]) + "\n")
    sample = fill.sample_workload(str(path), 3, 10)
    try:
        read_header, count, stream = workload.stream(sample)
        assert [i["no"] for i in read_header["items"]] == ["I0", "I2", "I3"]
        assert count == 3 and list(stream) == [moves[1], moves[2], moves[3]]
    finally:
        sample.unlink()


def test_a_filled_run_says_what_tryton_posted_and_that_the_later_steps_ran_on_the_whole_workload(fill):
    import run_peer

    tryton = {
        "moves": 1_000_000,
        "budget": 1200.0,
        "steps": {
            "post_inprocess": {
                "seconds": 1500.0,
                "moves": 60_000,
                "of_moves": 1_000_000,
                "complete": False,
                "tail": {"moves": 10_000, "seconds": 300.0},
                "filled": {"moves": 940_000, "seconds": 95.0, "after": 50_000},
            },
            "adjust_incremental": {"seconds": 3.0, "on_prefix": None},
            "adjust_full": {"seconds": 1201.0, "products": 500, "of_products": 10_000, "complete": False},
            "close_test": {"seconds": 60.0, "on_prefix": None},
        },
    }
    scale = {
        "lines": 1_000_000,
        "steps": {
            "post_inprocess": {"seconds": 200.0},
            "adjust_incremental_receipt": {"seconds": 0.02},
            "adjust_full": {"seconds": 30.0},
            "close_test": {"seconds": 4.0},
        },
    }
    figures = run_peer.combine(scale, tryton)
    figures["fill_check"] = {"items": 30, "moves": 3_000, "identical": True}
    assert figures["lower_bounds"] == ["adjust_full", "post_inprocess"]

    class Args:
        lines, items, seed, budget, reuse, fill, tail = 1_000_000, 10_000, 1, 1200.0, True, True, 10_000

    text = run_peer.peer_table(figures, Args)
    assert text.startswith("`make bench-peer PEER_LINES=1000000 PEER_BUDGET=1200 PEER_REUSE=1` (")
    assert "| Tryton ÷ Costbook | Tryton's figure covers |" in text
    assert "posted the first 50,000 moves through its API" in text
    assert "wrote the next 940,000 as its `do` writes them (untimed, 95 s)" in text
    assert "3,000 moves of 30 items, row for row the same" in text
    assert "| ≥ 1,500.000 | ≥ 7.5× | the first 50,000 and the last 10,000 of 1,000,000 moves (budget; the" in text
    assert "| 60.000 | 15.0× | the whole step, on the whole workload |" in text
    assert "| ≥ 1,201.000 | ≥ 40.0× | 500 of 10,000 products (budget), on the whole workload |" in text
