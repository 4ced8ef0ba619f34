"""Serve Costbook for `make run`: the web server, plus a Celery worker and beat when REDIS_URL is set.

Without REDIS_URL the settings run jobs in-process (Celery eager mode), so only the web server starts. Each process runs
in its own process group; Ctrl-C or SIGTERM stops them all, and if one of them dies the others are stopped too.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ADDRESS = os.environ.get("COSTBOOK_ADDRESS", "127.0.0.1:8000")


def commands() -> list[tuple[str, list[str]]]:
    python = sys.executable
    procs = [("web", [python, "manage.py", "runserver", ADDRESS])]
    if os.environ.get("REDIS_URL", "").strip():
        celery = [python, "-m", "celery", "-A", "config"]
        procs.append(("worker", [*celery, "worker", "--loglevel", "INFO"]))
        procs.append(("beat", [*celery, "beat", "--loglevel", "INFO"]))
    return procs


def stop_all(children: dict[str, subprocess.Popen], grace: float = 10.0) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    # Reap anything a child left behind in its group (the runserver reloader, Celery pool processes).
    for child in children.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def main() -> int:
    stopping = False

    def request_stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    children: dict[str, subprocess.Popen] = {}
    for name, cmd in commands():
        children[name] = subprocess.Popen(cmd, cwd=BASE_DIR, start_new_session=True)
    mode = "Celery worker and beat on " + os.environ["REDIS_URL"] if "worker" in children else "jobs run in-process"
    print(f"Costbook at http://{ADDRESS}/ ({mode}). Ctrl-C stops it.", flush=True)

    exit_code = 0
    while not stopping:
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                print(f"{name} exited with status {code}; stopping the others.", file=sys.stderr, flush=True)
                exit_code = code or 1
                stopping = True
                break
        time.sleep(0.5)
    stop_all(children)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
