"""Run the benchmarks: every bench/bench_*.py, in name order, each in its own process; stop at the first failure.

    python bench/run.py                 all of them
    python bench/run.py posting adjust  only those whose file name contains one of the words

Each script runs with the project root as working directory and on PYTHONPATH, and with this environment (so
DATABASE_URL, REDIS_URL and DJANGO_DEBUG pass through; `make bench` sets them up). See bench/README.md.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def discover(words: list[str]) -> list[Path]:
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if words:
        scripts = [s for s in scripts if any(word in s.stem for word in words)]
    return scripts


def main(argv: list[str]) -> int:
    scripts = discover(argv)
    if not scripts:
        print("No benchmarks found (bench/bench_*.py)" + (f" matching {' '.join(argv)}" if argv else "") + ".")
        return 0
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    (BENCH_DIR / "results").mkdir(exist_ok=True)
    timings = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env).returncode
        elapsed = time.monotonic() - started
        timings.append((script.name, elapsed, code))
        if code != 0:
            print(f"== {script.name} failed with exit status {code} after {elapsed:.1f} s; stopping.", flush=True)
            return code
        print(f"== {script.name} done in {elapsed:.1f} s", flush=True)
    print("\nAll benchmarks passed:")
    for name, elapsed, _code in timings:
        print(f"  {name:40} {elapsed:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
