"""Render the reliability records (var/reliability/*.json, one per test) as Markdown tables.

``python tools/reliability_report.py [--write docs/reliability.md]``: prints the run table (one row per test) and, for
T2, the crash table (one row per kill target: crashes, converged, recovery times); with ``--write`` it replaces the
part of that page between the ``<!-- reliability-table -->`` markers. Exits 1 if any record has an invariant count
other than 0.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The battery writes to RELIABILITY_OUT when set (tests/reliability/conftest.py), as this reads.
RECORDS = Path(os.environ.get("RELIABILITY_OUT") or ROOT / "var" / "reliability")
START, END = "<!-- reliability-table -->", "<!-- /reliability-table -->"
SKIP = {"mismatch_list", "status_by_case", "sqlstate", "statuses", "by_target"}


def _figures(figures: dict) -> str:
    parts = []
    for name, value in sorted(figures.items()):
        if name in SKIP or isinstance(value, list):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        parts.append(f"{name}: {value}")
    return "; ".join(parts).replace("|", "/")


def table(records: list[dict]) -> str:
    lines = [
        "| Test | Profile | Seed | Commit | Seconds | Invariant violations | Figures |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        bad = {k: v for k, v in (r.get("invariants") or {}).items() if v}
        verdict = "0" if not bad else ", ".join(f"{k} {v}" for k, v in bad.items())
        if not r.get("invariants"):
            verdict = "not run"
        lines.append(
            f"| {r['test']} | {r['profile']} | {r['seed']} | {r['git_sha']} | {r['seconds']} | {verdict} | "
            f"{_figures(r.get('figures') or {})} |"
        )
    return "\n".join(lines)


def crash_table(records: list[dict]) -> str:
    """T2's figures per kill target (records with ``by_target``), or "" when there are none."""
    lines = []
    for r in records:
        by_target = (r.get("figures") or {}).get("by_target")
        if not by_target:
            continue
        if not lines:
            lines = [
                "| Test | Kill target | Crashes | Killed while the run was running | Converged | "
                "Recovery min / median / p95 / max (s) | Same run taken over or retried |",
                "|---|---|---|---|---|---|---|",
            ]
        for target, t in by_target.items():
            times = " / ".join(
                str(t.get(k, "")) for k in ("recovery_min_s", "recovery_median_s", "recovery_p95_s", "recovery_max_s")
            )
            lines.append(
                f"| {r['test']} | {target} | {t.get('runs')} | {t.get('kills_while_running', '')} | "
                f"{t.get('converged')} | {times} | "
                f"{t.get('taken_over_or_retried')} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=Path, help="Markdown page whose marked section receives the table")
    args = parser.parse_args()
    records = [json.loads(p.read_text()) for p in sorted(RECORDS.glob("*.json"))]
    text = table(records)
    crashes = crash_table(records)
    if crashes:
        text += "\n\n" + crashes
    print(text)
    if args.write:
        page = args.write.read_text()
        head, _, rest = page.partition(START)
        _, _, tail = rest.partition(END)
        args.write.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    return 1 if any(v for r in records for v in (r.get("invariants") or {}).values()) else 0


if __name__ == "__main__":
    sys.exit(main())
