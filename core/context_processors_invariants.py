"""The red banner: shown on every page while the latest books check (jobs.tasks_invariants) found a problem.

The latest result is cached, so a page costs one cache read; the check refreshes the cache when it records a result.
"""

from django.core.cache import cache

from core.models import AuditEntry

CACHE_KEY = "costbook:books-check:latest"
CACHE_SECONDS = 300
ACTION = "check_books"


def _summary(entry: AuditEntry | None) -> dict:
    if entry is None:
        return {"ok": True}
    details = entry.details or {}
    counts = details.get("counts") or {}
    return {
        "ok": bool(details.get("ok")),
        "checked_at": entry.created_at,
        "failed": sorted(name for name, n in counts.items() if n),
    }


def remember_check(entry: AuditEntry) -> None:
    cache.set(CACHE_KEY, _summary(entry), CACHE_SECONDS)


def latest_check() -> dict:
    summary = cache.get(CACHE_KEY)
    if summary is None:
        entry = AuditEntry.objects.filter(action=ACTION).order_by("-created_at", "-id").first()
        summary = _summary(entry)
        cache.set(CACHE_KEY, summary, CACHE_SECONDS)
    return summary


def books_check(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    summary = latest_check()
    return {"books_check_failed": not summary["ok"], "books_check": summary}
