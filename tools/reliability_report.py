"""Render the reliability records (var/reliability/*.json, one per test) as a Markdown table.

``python tools/reliability_report.py [--write docs/reliability.md]``: prints the table; with ``--write`` it replaces
the part of that page between the ``<!-- reliability-table -->`` markers. Exits 1 if any record has an invariant
count other than 0.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "var" / "reliability"
START, END = "<!-- reliability-table -->", "<!-- /reliability-table -->"
SKIP = {"mismatch_list", "status_by_case", "sqlstate", "statuses"}


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=Path, help="Markdown page whose marked section receives the table")
    args = parser.parse_args()
    records = [json.loads(p.read_text()) for p in sorted(RECORDS.glob("*.json"))]
    text = table(records)
    print(text)
    if args.write:
        page = args.write.read_text()
        head, _, rest = page.partition(START)
        _, _, tail = rest.partition(END)
        args.write.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    return 1 if any(v for r in records for v in (r.get("invariants") or {}).values()) else 0


if __name__ == "__main__":
    sys.exit(main())
