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
