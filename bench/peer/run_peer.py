"""`make bench-peer`: the same workload through Costbook and through Tryton 7.0, figures side by side.

    .venv/bin/python bench/peer/run_peer.py [--lines 1000] [--items 300] [--seed 1]

1. bench/bench_scale.py --lines N posts generate.py's lines through Costbook (and times every step) and writes the
   moves to bench/results/workload-N.jsonl.
2. A fresh copy of the initialised Tryton database (costbook_peer_tryton, made once by trytond-admin) gets the same
   moves through bench/peer/tryton_load.py, run by Tryton's venv (var/tryton/venv).
3. Both sets of figures are recorded in bench/results/<date>.json under "peer":
   {"lines": N, "tryton": {STEP: {"seconds"}}, "costbook": {STEP: {"seconds"}}, "ratio": {STEP: tryton/costbook}}.

Tryton posts about ten moves a second on the 2-core machine, so the default size is small; the size is recorded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
TRYTON = ROOT / "var" / "tryton"
SERVER = "postgresql://root@127.0.0.1:5432/postgres"
# Tryton's step -> Costbook's step it is compared with.
COMPARABLE = {
    "post_inprocess": "post_inprocess",
    "adjust_incremental": "adjust_incremental_receipt",
    "adjust_full": "adjust_full",
    "close_test": "close_test",
    "matrix": "matrix",
}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-q", SERVER, "-c", sql], check=True)


def combine(scale: dict, tryton: dict) -> dict:
    ours = {name: {"seconds": s["seconds"]} for name, s in scale["steps"].items()}
    theirs = {
        name: {"seconds": s["seconds"]} | {k: v for k, v in s.items() if k != "seconds"}
        for name, s in tryton["steps"].items()
    }
    ratio = {
        name: round(tryton["steps"][name]["seconds"] / scale["steps"][mine]["seconds"], 1)
        for name, mine in COMPARABLE.items()
        if name in tryton["steps"] and scale["steps"].get(mine, {}).get("seconds")
    }
    return {
        "lines": scale["lines"],
        "tryton": theirs,
        "costbook": ours,
        "ratio_tryton_to_costbook": ratio,
        "compared": COMPARABLE,
    }


LABELS = {
    "post_inprocess": "Post the moves (create + do / post_item_journal)",
    "adjust_incremental": "Recompute after the back-dated receipt (incremental)",
    "adjust_full": "Recompute every item (Adjust Cost full / recompute_cost_price of all)",
    "close_test": "Close test / `stock.period` close",
    "matrix": "Stock value against the stock account (matrix)",
}


def peer_table(figures: dict, args) -> str:
    from doctable import table

    rows = [
        [
            LABELS[name],
            f"{figures['costbook'][mine]['seconds']:,.3f}",
            f"{figures['tryton'][name]['seconds']:,.3f}",
            f"{figures['ratio_tryton_to_costbook'][name]:,.1f}×",
        ]
        for name, mine in COMPARABLE.items()
        if name in figures["ratio_tryton_to_costbook"]
    ]
    return (
        f"`make bench-peer PEER_LINES={args.lines}` ({args.lines:,} lines, {args.items} items, seed {args.seed}),"
        " both systems in the same run:\n\n"
        + table([f"Operation ({args.lines:,}-line workload)", "Costbook (s)", "Tryton (s)", "Tryton ÷ Costbook"], rows)
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            str(BENCH / "bench_scale.py"),
            "--lines",
            str(args.lines),
            "--items",
            str(args.items),
            "--batch",
            "1000",
            "--seed",
            str(args.seed),
            "--rest-lines",
            "0",
            "--record-as",
            "scale_peer",
        ],
        check=True,
    )
    scale = json.loads((BENCH / "results" / f"scale-{args.lines}.json").read_text())
    psql("DROP DATABASE IF EXISTS costbook_peer_tryton_run WITH (FORCE)")
    psql("CREATE DATABASE costbook_peer_tryton_run TEMPLATE costbook_peer_tryton")
    out = subprocess.run(
        [
            str(TRYTON / "venv" / "bin" / "python"),
            str(HERE / "tryton_load.py"),
            "--database",
            "costbook_peer_tryton_run",
            "--workload",
            str(BENCH / "results" / f"workload-{args.lines}.jsonl"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(out.stdout)
    tryton = json.loads(out.stdout.strip().splitlines()[-1])
    psql("DROP DATABASE IF EXISTS costbook_peer_tryton_run WITH (FORCE)")
    from record import record

    figures = combine(scale, tryton)
    record("peer", figures, items=args.items, seed=args.seed, tryton="7.0 (trytond 7.0.x from PyPI)")
    from doctable import write_section

    write_section("bench-peer", peer_table(figures, args))
    print(json.dumps(figures["ratio_tryton_to_costbook"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
