"""Write a benchmark's figures to bench/results/<date>.json, the shared record of a day's runs.

    from record import record
    record("posting_throughput", {"entries": 10000, "seconds": 4.2, "entries_per_s": 2381}, seed=42)

The file maps benchmark name to its latest record (figures plus the git commit, the time and any context given).
Writes go through a temporary file and a rename, so a crash never leaves half a file.

Two records also give the file the shape issue 12 names, ``{"lines", "machine", "steps", "peer": {"tryton": {STEP:
{"seconds"}}}}``: the one-workload run (bench_scale.py, recorded as "scale") is mirrored into top-level ``lines``,
``machine``, ``steps`` and ``scaleout``, and the Tryton comparison (run_peer.py, "peer") keeps its figures at the top
of its record rather than under "figures".
"""

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
FLAT = {"peer"}  # records whose figures sit at the record's own top level
MIRRORED = ("lines", "machine", "steps", "scaleout")  # the "scale" record's figures copied to the file's top level


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=RESULTS.parent, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def record(benchmark: str, figures: dict, **context) -> Path:
    """Merge one benchmark's figures into today's results file and return its path."""
    now = datetime.now(UTC)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{now.date().isoformat()}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    meta = {"context": context, "commit": git_commit(), "recorded_at": now.isoformat(timespec="seconds")}
    data[benchmark] = figures | meta if benchmark in FLAT else {"figures": figures} | meta
    if benchmark == "scale":
        for key in MIRRORED:
            data.pop(key, None)
            if key in figures:
                data[key] = figures[key]
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)
    return path
