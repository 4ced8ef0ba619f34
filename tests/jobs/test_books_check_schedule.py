"""BOOKS_CHECK_EVERY_MINUTES adds the books check to the beat schedule as continuous monitoring, beside the nightly
run; unset, the check runs at night only; a negative value stops the settings from loading."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({k: [v['task'], str(v['schedule']), v.get('options', {})] "
    "for k, v in settings.CELERY_BEAT_SCHEDULE.items()}))"
)


def schedule(minutes: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    env.pop("BOOKS_CHECK_EVERY_MINUTES", None)
    if minutes is not None:
        env["BOOKS_CHECK_EVERY_MINUTES"] = minutes
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_unset_the_books_check_runs_at_night_only():
    beat = json.loads(schedule(None).stdout.splitlines()[-1])
    assert [k for k, v in beat.items() if v[0] == "jobs.tasks_invariants.check_books"] == ["books-check-nightly"]


@pytest.mark.parametrize(("minutes", "seconds", "expires"), [("1", "60.0", 55.0), ("15", "900.0", 895.0)])
def test_every_n_minutes_adds_the_monitoring_check(minutes, seconds, expires):
    beat = json.loads(schedule(minutes).stdout.splitlines()[-1])
    assert beat["books-check-monitor"] == ["jobs.tasks_invariants.check_books", seconds, {"expires": expires}]
    assert "books-check-nightly" in beat


def test_a_negative_interval_is_refused():
    result = schedule("-5")
    assert result.returncode != 0
    assert "BOOKS_CHECK_EVERY_MINUTES must be 0" in result.stderr
