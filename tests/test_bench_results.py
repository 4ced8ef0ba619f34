"""The benchmark's record and docs table (bench/record.py, bench/doctable.py): the shapes issue 12 fixes."""

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench_modules(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("record", "doctable"):
        sys.modules.pop(name, None)
    import doctable
    import record

    monkeypatch.setattr(record, "RESULTS", tmp_path)
    return record, doctable


def test_the_results_file_has_the_issue_shape(bench_modules, tmp_path):
    record, _doctable = bench_modules
    steps = {"adjust_full": {"seconds": 40.1, "floor_seconds": 9.2, "peak_rss_mb": 512.0}}
    record.record("scale", {"lines": 1_000_000, "machine": "2 cores", "steps": steps, "workload": {}}, seed=1)
    record.record("peer", {"lines": 10_000, "tryton": {"adjust_full": {"seconds": 451.3}}}, seed=1)
    (path,) = tmp_path.glob("*.json")
    data = json.loads(path.read_text())
    assert data["lines"] == 1_000_000
    assert data["machine"] == "2 cores"
    assert data["steps"]["adjust_full"] == {"seconds": 40.1, "floor_seconds": 9.2, "peak_rss_mb": 512.0}
    assert data["peer"]["tryton"]["adjust_full"]["seconds"] == 451.3
    assert "scaleout" not in data  # mirrored only when the run had one
    assert data["scale"]["figures"]["steps"] == steps  # the record itself stays as every other benchmark's


def test_a_docs_section_is_replaced_between_its_markers_and_the_prose_kept(bench_modules, tmp_path):
    _record, doctable = bench_modules
    doc = tmp_path / "performance.md"
    doc.write_text("# Title\n\nProse before.\n\n<!-- t:begin -->\nold table\n<!-- t:end -->\n\nProse after.\n")
    doctable.write_section("t", doctable.table(["Step", "Seconds"], [["matrix", "0.012"]]), doc)
    text = doc.read_text()
    assert "old table" not in text
    assert "Prose before." in text and "Prose after." in text
    assert "| matrix | 0.012 |" in text and "|---|---:|" in text
    doctable.write_section("new", "appended", doc)
    assert doc.read_text().rstrip().endswith("<!-- new:begin -->\nappended\n<!-- new:end -->")


@pytest.fixture
def run_peer(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.syspath_prepend(str(BENCH / "peer"))
    for name in ("doctable", "run_peer", "workload"):
        sys.modules.pop(name, None)
    import run_peer

    return run_peer


def test_a_budgeted_tryton_run_is_shown_as_lower_bounds_with_what_each_figure_covers(run_peer):
    """At 1,000,000 lines Tryton's posting and full recompute are cut by a budget (bench/peer/tryton_load.py): the
    cut figures, and those measured on the part loaded, are lower bounds and say so."""
    prefix = {"moves": 21_000, "of_moves": 1_000_000, "last_day": "2025-12-02"}
    tryton = {
        "moves": 21_000,
        "budget": 900.0,
        "steps": {
            "post_inprocess": {"seconds": 903.2, "moves": 21_000, "of_moves": 1_000_000, "complete": False},
            "adjust_incremental": {"seconds": 0.5, "on_prefix": prefix},
            "adjust_full": {
                "seconds": 901.0,
                "products": 4_100,
                "of_products": 10_000,
                "complete": False,
                "on_prefix": prefix,
            },
            "close_test": {"seconds": 3.1, "on_prefix": prefix},
            "matrix": {"seconds": 2.2, "on_prefix": prefix},
        },
    }
    scale = {
        "lines": 1_000_000,
        "steps": {
            "post_inprocess": {"seconds": 301.0},
            "adjust_incremental_receipt": {"seconds": 0.025},
            "adjust_full": {"seconds": 45.0},
            "close_test": {"seconds": 5.0},
            "matrix": {"seconds": 0.011},
        },
    }
    figures = run_peer.combine(scale, tryton)
    assert figures["lower_bounds"] == ["adjust_full", "adjust_incremental", "close_test", "matrix", "post_inprocess"]
    assert figures["ratio_tryton_to_costbook"]["post_inprocess"] == 3.0
    assert figures["ratio_tryton_to_costbook"]["close_test"] == 0.6  # a bound that decides nothing, shown as it is

    class Args:
        lines, items, seed, budget, reuse = 1_000_000, 10_000, 1, 900.0, True

    text = run_peer.peer_table(figures, Args)
    assert text.startswith("`make bench-peer PEER_LINES=1000000 PEER_BUDGET=900 PEER_REUSE=1` (1,000,000 lines, 10,000")
    assert "budget of 900 s" in text and "(21,000 moves loaded)" in text
    assert "| ≥ 903.200 | ≥ 3.0× | 21,000 of 1,000,000 moves (budget) |" in text
    assert "| ≥ 901.000 | ≥ 20.0× | 4,100 of 10,000 products (budget), on the first 21,000 moves |" in text
    assert "| ≥ 3.100 | ≥ 0.6× | the whole step, on the first 21,000 moves |" in text


def test_a_whole_tryton_run_is_shown_without_bounds(run_peer):
    tryton = {"moves": 100, "budget": None, "steps": {"matrix": {"seconds": 0.4, "on_prefix": None}}}
    figures = run_peer.combine({"lines": 100, "steps": {"matrix": {"seconds": 0.004}}}, tryton)
    assert figures["lower_bounds"] == []

    class Args:
        lines, items, seed = 100, 30, 1

    text = run_peer.peer_table(figures, Args)
    assert "≥" not in text and "covers" not in text
    assert "| 0.004 | 0.400 | 100.0× |" in text


def test_the_workload_streams_its_moves_and_counts_them_first(run_peer, tmp_path):
    import workload

    path = tmp_path / "w.jsonl"
    header = {"seed": 1, "start": "2025-11-22", "items": [{"no": "I1", "method": "fifo", "cost": "2.00"}]}
    moves = [
        workload.Move("sale", "2025-11-23", "I1", 1, "EAST", "customer", None),
        workload.Move("purchase", "2025-11-24", "I1", 5, "supplier", "EAST", "2.00"),
    ]
    path.write_text("\n".join([json.dumps(header)] + [json.dumps(m.__dict__) for m in moves]) + "\n")
    read_header, count, stream = workload.stream(path)
    assert (read_header, count) == (header, 2)
    assert list(stream) == moves
    receipt = workload.backdated_receipt(header, workload.stream(path)[2])
    assert (receipt.day, receipt.quantity, receipt.unit_cost) == ("2025-11-25", 10, "2.20")


def test_the_difference_script_loads_a_prefix_with_only_the_items_it_names(run_peer, tmp_path):
    """bench/peer/tryton_difference.py sets up only the items its first moves name (and the back-dated receipt's),
    so that explaining Tryton's stock value against its stock account takes minutes, not the 10,000-product set-up."""
    sys.modules.pop("tryton_difference", None)
    sys.modules.pop("tryton_load", None)
    import tryton_difference
    import workload

    path = tmp_path / "w.jsonl"
    items = [{"no": f"I{n}", "method": m, "cost": "2.00"} for n, m in enumerate(("average", "fifo", "fixed", "fifo"))]
    header = {"seed": 1, "start": "2025-11-22", "items": items}
    moves = [
        workload.Move("purchase", "2025-11-22", "I1", 5, "supplier", "EAST", "2.00"),
        workload.Move("sale", "2025-11-23", "I0", 1, "EAST", "customer", None),
        workload.Move("purchase", "2025-11-24", "I3", 5, "supplier", "WEST", "3.00"),
    ]
    path.write_text("\n".join([json.dumps(header)] + [json.dumps(m.__dict__) for m in moves]) + "\n")
    small = tryton_difference.small_workload(str(path), 2)
    try:
        read_header, count, stream = workload.stream(small)
        assert [i["no"] for i in read_header["items"]] == ["I0", "I1"]
        assert count == 2 and list(stream) == moves[:2]
    finally:
        small.unlink()
