"""The reliability battery (docs/reliability.md): profiles, seeds and the one JSON record of figures per test.

``RELIABILITY_PROFILE=full`` (``make reliability``) runs the full sizes; the default PR profile divides them by about
five (smaller still where the whole battery must stay within a few minutes of ``make test``).
"""

import json
import os
import random
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

ROOT = Path(__file__).resolve().parents[2]
PROFILE = os.environ.get("RELIABILITY_PROFILE", "pr")
FULL = PROFILE == "full"
OUT = Path(os.environ.get("RELIABILITY_OUT") or ROOT / "var" / "reliability")
APP_ROLE = "costbook_app"


def size(full: int, pr: int) -> int:
    """The full-profile figure, or the PR one."""
    return full if FULL else pr


def seed_for(name: str) -> int:
    """RELIABILITY_SEED replays a run; otherwise a fixed seed per test (replayable by default)."""
    return int(os.environ.get("RELIABILITY_SEED") or sum(name.encode()) * 7919)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.reliability)


def _git_sha() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Recorder:
    def __init__(self, test: str):
        self.test = test
        self.seed = seed_for(test)
        self.started = time.monotonic()
        self.figures: dict = {}
        self.invariants: dict = {}
        self.settings: dict = {}
        random.seed(self.seed)

    def write(self) -> Path:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{self.test}.json"
        record = {
            "test": self.test,
            "profile": PROFILE,
            "seed": self.seed,
            "git_sha": _git_sha(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - self.started, 2),
            "settings": self.settings,
            "figures": self.figures,
            "invariants": self.invariants,
        }
        path.write_text(json.dumps(record, default=str, sort_keys=True) + "\n")
        return path


@pytest.fixture
def record(request):
    """``record.figures[...] = ...``; ``record.check(drained=...)`` runs the invariant suite and keeps its counts.
    The record is written when the test ends, passed or not (a failing run's figures are the interesting ones)."""
    name = request.node.name.split("[")[0].removeprefix("test_")
    rec = Recorder(name)

    def check(*, drained: bool, rerun: bool = False) -> dict:
        from core import invariants

        report = invariants.run(drained=drained, rerun=rerun)
        rec.invariants = report.counts
        return report.counts

    rec.check = check
    yield rec
    rec.write()


def assert_clean(counts: dict) -> None:
    assert counts == dict.fromkeys(counts, 0), {k: v for k, v in counts.items() if v}


def api_client(username: str, role: str | None):
    """A DRF test client authenticated with a token of a new user in ``role`` (None: no group)."""
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from core.roles import ensure_roles

    ensure_roles()
    user = User.objects.create_user(username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


def grant_app_role(*, grant: str) -> None:
    """A login-less, non-owner role with the application's privileges on this database's tables."""
    with connection.cursor() as cur:
        cur.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
            f"GRANT USAGE ON SCHEMA public TO {APP_ROLE};"
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE};"
            f"GRANT {grant} ON ALL TABLES IN SCHEMA public TO {APP_ROLE};"
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};"
        )


def as_app_role(sql: str, *, maintenance: str = "off") -> str:
    """Run ``sql`` as the app role in a transaction that is always rolled back; the SQLSTATE, or "ok"."""
    state = "ok"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cur.execute("SELECT set_config('costbook.maintenance', %s, true)", [maintenance])
        cur.execute("SAVEPOINT attempt")
        try:
            cur.execute(sql)
        except DatabaseError as exc:
            state = getattr(exc.__cause__, "pgcode", None) or "error"
        cur.execute("ROLLBACK TO SAVEPOINT attempt")
        transaction.set_rollback(True)
    return state
