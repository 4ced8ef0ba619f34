"""The nightly books check (beat, 03:00, after the 01:00 Adjust Cost and 02:00 Post Inventory Cost to G/L schedules).

Runs the invariant suite (core.invariants) and keeps the result as a ``core.AuditEntry`` with action ``check_books`` and
the counts and figures in ``details``; the red banner (core.context_processors_invariants) shows while the latest check
failed.
"""

from celery import shared_task

from core.context_processors_invariants import remember_check
from core.invariants import run
from core.models import AuditEntry

ACTION = "check_books"


def check_books() -> AuditEntry:
    report = run()
    entry = AuditEntry.objects.create(action=ACTION, details=_json(report.as_dict()))
    remember_check(entry)
    return entry


def _json(data):
    """JSON-safe details (Decimal figures as strings)."""
    if isinstance(data, dict):
        return {str(k): _json(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_json(v) for v in data]
    if isinstance(data, bool | int | str) or data is None:
        return data
    return str(data)


@shared_task(name="jobs.tasks_invariants.check_books", acks_late=True)
def check_books_task() -> bool:
    """Nightly: run the invariant suite and record it; True when every count is 0."""
    return bool(check_books().details.get("ok"))
