"""`make bench-peer`: the same workload through Costbook and through Tryton 7.0, figures side by side.

    .venv/bin/python bench/peer/run_peer.py [--lines 1000000] [--items 10000] [--batch 5000] [--seed 1]
                                            [--budget SECONDS] [--reuse]

1. bench/bench_scale.py --lines N posts generate.py's lines through Costbook (and times every step) and writes the
   moves to bench/results/workload-N.jsonl. The defaults are make bench's workload and batch size, so Costbook's
   figures here mean what they mean there.
2. A fresh copy of the initialised Tryton database (costbook_peer_tryton, made once by trytond-admin) gets the same
   moves through bench/peer/tryton_load.py, run by Tryton's venv (var/tryton/venv).
3. Both sets of figures are recorded in bench/results/<date>.json under "peer":
   {"lines": N, "tryton": {STEP: {"seconds"}}, "costbook": {STEP: {"seconds"}}, "ratio": {STEP: tryton/costbook}}.

Tryton posts a few dozen moves a second on the 2-core machine (24 to 67 on the machines measured): at 1,000,000
lines its load alone would take 4.6 to 11.6 hours, and its full recompute about nine more. ``--budget`` (``make
bench-peer`` gives 1,200 s) cuts its posting and its full recompute after so many seconds each (tryton_load.py), and
the table then shows Tryton's figures as lower bounds ("≥") with what each covers. ``--reuse`` takes Costbook's
side from the last ``make bench`` at the same size (its scale-N.json and workload-N.jsonl, both written by
bench_scale.py in that run) instead of running bench_scale.py again.
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


def lower_bound(step: dict) -> bool:
    """Tryton's figure covers less than the whole step: cut by the budget, or run on the part of the workload loaded
    (fewer moves to read than the whole workload has, so the whole would take at least as long)."""
    return step.get("complete") is False or bool(step.get("on_prefix"))


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
        "lower_bounds": sorted(name for name in ratio if lower_bound(tryton["steps"][name])),
        "tryton_moves_loaded": tryton.get("moves"),
        "tryton_filled": tryton["steps"].get("post_inprocess", {}).get("filled"),
        "tryton_budget_seconds": tryton.get("budget"),
        "compared": COMPARABLE,
    }


LABELS = {
    "post_inprocess": "Post the moves (create + do / post_item_journal)",
    "adjust_incremental": "Recompute after the back-dated receipt (incremental)",
    "adjust_full": "Recompute every item (Adjust Cost full / recompute_cost_price of all)",
    "close_test": "Close test / `stock.period` close",
    "matrix": "Stock value against the stock account (matrix)",
}


def covers(step: dict, filled: dict | None = None) -> str:
    """What a Tryton figure measured, in words, when it is not the whole step. ``filled``: the moves tryton_fill.py
    wrote between Tryton's budgeted posting and its tail, when it did; the steps after it ran on the whole workload."""
    if step.get("complete") is False and "of_moves" in step:
        if step.get("filled"):
            tail = step["tail"]["moves"]
            return (
                f"the first {step['moves'] - tail:,} and the last {tail:,} of {step['of_moves']:,} moves (budget; "
                f"the {step['filled']['moves']:,} between filled)"
            )
        return f"{step['moves']:,} of {step['of_moves']:,} moves (budget)"
    if step.get("complete") is False:
        done = f"{step['products']:,} of {step['of_products']:,} products (budget)"
    else:
        done = "the whole step"
    prefix = step.get("on_prefix")
    if prefix:
        return f"{done}, on the first {prefix['moves']:,} moves"
    return f"{done}, on the whole workload" if filled else done


def peer_table(figures: dict, args) -> str:
    from doctable import table

    partial = bool(figures.get("lower_bounds"))
    rows = []
    for name, mine in COMPARABLE.items():
        if name not in figures["ratio_tryton_to_costbook"]:
            continue
        bound = "≥ " if name in figures.get("lower_bounds", ()) else ""
        row = [
            LABELS[name],
            f"{figures['costbook'][mine]['seconds']:,.3f}",
            f"{bound}{figures['tryton'][name]['seconds']:,.3f}",
            f"{bound}{figures['ratio_tryton_to_costbook'][name]:,.1f}×",
        ]
        rows.append(row + [covers(figures["tryton"][name], figures.get("tryton_filled"))] if partial else row)
    header = [f"Operation ({args.lines:,}-line workload)", "Costbook (s)", "Tryton (s)", "Tryton ÷ Costbook"]
    budget = getattr(args, "budget", None)
    reuse = getattr(args, "reuse", False)
    command = f"make bench-peer PEER_LINES={args.lines}"
    command += f" PEER_BUDGET={budget:g}" if budget is not None else ""
    command += " PEER_REUSE=1" if reuse else ""
    filled = figures.get("tryton_filled")
    if budget is not None and not getattr(args, "fill", True):
        command += " PEER_FILL="
    elif filled and getattr(args, "tail", 10_000) != 10_000:
        command += f" PEER_TAIL={args.tail}"
    intro = f"`{command}` ({args.lines:,} lines, {args.items:,} items, seed {args.seed}), " + (
        "Costbook's figures from the `make bench` run just before it (above), Tryton's on the same machine after it"
        if reuse
        else "both systems in the same run"
    )
    if partial and filled:
        timed = figures["tryton"]["post_inprocess"]
        check = figures.get("fill_check")
        intro += (
            f", Tryton with a budget of {figures['tryton_budget_seconds']:g} s for its posting and its full recompute."
            f" Tryton posted the first {timed['moves'] - timed['tail']['moves']:,} moves through its API in the"
            f" budget; `bench/peer/tryton_fill.py` wrote the next {filled['moves']:,} as its `do` writes them"
            f" (untimed, {filled['seconds']:g} s), and Tryton posted the last {timed['tail']['moves']:,} through its"
            " API again, so every later step ran on the whole workload"
            + (
                f" (the fill checked against `do` in the same run: {check['moves']:,} moves of {check['items']}"
                f" items, {'row for row the same' if check['identical'] else 'NOT the same'})"
                if check
                else ""
            )
            + ". A figure marked ≥ covers less than the whole step (last column), so the whole step would take"
            " Tryton at least as long"
        )
    elif partial:
        intro += (
            f", Tryton with a budget of {figures['tryton_budget_seconds']:g} s for its posting and its full recompute"
            f" ({figures['tryton_moves_loaded']:,} moves loaded). A figure marked ≥ covers less than the whole"
            " step (last column), so the whole step would take Tryton at least as long"
        )
    if partial:
        header.append("Tryton's figure covers")
    return intro + ":\n\n" + table(header, rows, right=range(1, 4))


def main(argv: list[str]) -> int:
    import tryton_fill

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5_000, help="Costbook's posting batch (bench_scale.py --batch)")
    parser.add_argument("--budget", type=float, default=None, help="seconds for Tryton's posting and full recompute")
    tryton_fill.add_arguments(parser)
    parser.add_argument(
        "--reuse", action="store_true", help="Costbook's figures and workload from the last make bench at this size"
    )
    args = parser.parse_args(argv)
    workload = BENCH / "results" / f"workload-{args.lines}.jsonl"
    if args.reuse:
        if not workload.exists() or not (BENCH / "results" / f"scale-{args.lines}.json").exists():
            raise SystemExit(f"--reuse: no make bench at {args.lines:,} lines left its scale and workload files")
        with workload.open() as f:
            header = json.loads(f.readline())
        args.items, args.seed = len(header["items"]), header["seed"]
    else:
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                str(BENCH / "bench_scale.py"),
                "--lines",
                str(args.lines),
                "--items",
                str(args.items),
                "--batch",
                str(args.batch),
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
    fill_check = None
    if args.fill:
        # The fill first, checked against Tryton's own do on a few items of the same workload (a whole year of them),
        # one move a call, row for row: the run stops here if they part.
        run = subprocess.run(
            [str(TRYTON / "venv" / "bin" / "python"), str(HERE / "tryton_fill.py"), "--workload", str(workload)],
            stdout=subprocess.PIPE,
            text=True,
        )
        print(run.stdout, end="", flush=True)
        last = (run.stdout.strip().splitlines() or [""])[-1]
        fill_check = json.loads(last) if last.startswith("{") else None
        if fill_check is None:
            raise SystemExit(f"tryton_fill.py (the fill's check) failed ({run.returncode}) before it compared")
        if not fill_check["identical"]:
            raise SystemExit("tryton_fill.py: the fill does not write what Tryton's do writes (the check above)")
    psql("DROP DATABASE IF EXISTS costbook_peer_tryton_run WITH (FORCE)")
    psql("CREATE DATABASE costbook_peer_tryton_run TEMPLATE costbook_peer_tryton")
    # Tryton's progress is shown as it comes (a budgeted 1M run takes the better part of an hour); its last line is
    # the figures.
    last = ""
    with subprocess.Popen(
        [
            str(TRYTON / "venv" / "bin" / "python"),
            str(HERE / "tryton_load.py"),
            "--database",
            "costbook_peer_tryton_run",
            "--workload",
            str(workload),
            *(["--budget", str(args.budget)] if args.budget is not None else []),
            *(["--fill", "--tail", str(args.tail)] if args.fill else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as loader:
        for line in loader.stdout:
            print(line, end="", flush=True)
            last = line if line.strip() else last
    if loader.returncode:
        raise SystemExit(f"tryton_load.py failed ({loader.returncode})")
    tryton = json.loads(last)
    psql("DROP DATABASE IF EXISTS costbook_peer_tryton_run WITH (FORCE)")
    from record import record

    figures = combine(scale, tryton)
    if fill_check:
        figures["fill_check"] = fill_check
    record(
        "peer",
        figures,
        items=args.items,
        seed=args.seed,
        budget=args.budget,
        costbook="the last make bench at this size" if args.reuse else "bench_scale.py in this run",
        tryton="7.0 (trytond 7.0.x from PyPI)",
    )
    from doctable import write_section

    write_section("bench-peer", peer_table(figures, args))
    print(json.dumps(figures["ratio_tryton_to_costbook"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
