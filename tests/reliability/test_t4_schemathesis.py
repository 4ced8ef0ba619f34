"""T4 Schemathesis phase: fuzz every operation of /api/v1/schema/ against a live gunicorn server, once per role
(accountant, controller, integration, anonymous), with every Schemathesis check on. Then the invariant suite: fuzzing
must not leave unbalanced or lost postings.

Every check must pass but one: no 5xx, every status code, content type and body the schema documents, every request
the schema forbids refused (core/schema.py, core/filters.py, core/json_types.py make the schema and the API say the
same). ``positive_data_acceptance`` (a request the schema allows, refused) is recorded, not failed: a 400 for a rule
OpenAPI 3.0 cannot state (an item that does not exist, an end date before the start date, an amount of zero, a
quantity that must be positive, a NUL character) is the right answer to such a request; the record keeps the count.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests import books
from tests.reliability.conftest import FULL, api_client, assert_clean, size
from tests.reliability.test_t1_storm import live_server_url  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("accountant", "controller", "integration", None)
# Schemathesis's checks whose failures are recorded but do not fail the test (the docstring says why).
RECORDED_ONLY = {"positive_data_acceptance"}


def run_schemathesis(url: str, token: str | None, max_examples: int, report: Path, seed: int) -> dict:
    command = [str(ROOT / ".venv/bin/st"), "run", f"{url}/api/v1/schema/", "--url", url, "-n", str(max_examples),
               "--phases", "examples,fuzzing" if not FULL else "examples,coverage,fuzzing,stateful",
               "--seed", str(seed), "--report", "ndjson", "--report-ndjson-path", str(report),
               "--suppress-health-check", "all", "--no-color"]  # fmt: skip
    if token:
        command += ["-H", f"Authorization: Token {token}"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return {"exit": proc.returncode, "tail": proc.stdout[-3000:]}


def summarise(report: Path) -> dict:
    """Requests, 5xx and failures by check from Schemathesis's NDJSON event stream."""
    requests, server_errors, failures = 0, 0, Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for name, body in event.items():
            if name != "ScenarioFinished":
                continue
            for interaction in (body.get("recorder") or {}).get("interactions", {}).values():
                requests += 1
                status = ((interaction.get("response") or {}).get("status_code")) or 0
                server_errors += status >= 500
            for checks in (body.get("recorder") or {}).get("checks", {}).values():
                for check in checks:
                    if check.get("status") in ("failure", "FAILURE", 2):
                        failures[check.get("name")] += 1
    return {"requests": requests, "server_errors": server_errors, "failures_by_check": dict(failures)}


def test_t4_schemathesis_every_role_no_server_errors(live_server_url, record, tmp_path):  # noqa: F811
    books.company()
    books.item("FUZZ1")
    examples = size(50, 3)
    per_role, tails = {}, {}
    for n, role in enumerate(ROLES):
        token = None
        if role:
            client = api_client(f"fuzz-{role}", role)
            token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
        report = tmp_path / f"{role or 'anonymous'}.ndjson"
        outcome = run_schemathesis(live_server_url, token, examples, report, record.seed + n)
        per_role[role or "anonymous"] = summarise(report) | {"exit_status": outcome["exit"]}
        tails[role or "anonymous"] = outcome
        if not report.exists() or per_role[role or "anonymous"]["requests"] == 0:
            pytest.fail(outcome["tail"])
    counts = record.check(drained=False)
    record.settings = {"max_examples": examples, "roles": [r or "anonymous" for r in ROLES]}
    record.figures = {
        "requests": sum(r["requests"] for r in per_role.values()),
        "server_errors": sum(r["server_errors"] for r in per_role.values()),
        "failures_by_check": dict(sum((Counter(r["failures_by_check"]) for r in per_role.values()), Counter())),
        "per_role": {k: f"{v['requests']} requests, {v['server_errors']} 5xx" for k, v in per_role.items()},
    }
    assert record.figures["server_errors"] == 0, per_role
    failing = {check: n for check, n in record.figures["failures_by_check"].items() if check not in RECORDED_ONLY}
    assert failing == {}, {role: outcome.get("tail", "")[-1500:] for role, outcome in tails.items()}
    assert_clean(counts)
