"""The request audit trail: one core.AuditEntry row for every state-changing request, and for every refused one.

Runs after the view, so it sees the response status and the user DRF authenticated (DRF's Request copies a token
user onto the Django request). Reads are not logged unless they were refused (401/403): failed authorizations are
part of the trail. The row is written outside the request's posting transaction, which has already committed or
rolled back; a failure to write it is logged and does not change the answer the client gets.
"""

import logging

from django.db import DatabaseError

from core.models import AuditEntry

logger = logging.getLogger(__name__)

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED = frozenset({401, 403})


def _action(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return f"{request.method} {match.view_name}"[:100]
    return f"{request.method} {request.path}"[:100]


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in STATE_CHANGING or response.status_code in REFUSED:
            self.record(request, response)
        return response

    @staticmethod
    def record(request, response) -> None:
        user = getattr(request, "user", None)
        details = {}
        if response.get("Idempotent-Replay"):
            details["idempotent_replay"] = True
        if request.headers.get("Idempotency-Key"):
            details["idempotency_key"] = request.headers["Idempotency-Key"][:200]
        try:
            AuditEntry.objects.create(
                user=user if user is not None and user.is_authenticated else None,
                action=_action(request),
                method=request.method[:10],
                path=request.path[:300],
                status_code=response.status_code,
                remote_addr=(request.META.get("REMOTE_ADDR") or "")[:64],
                details=details,
            )
        except DatabaseError:
            logger.exception("Could not write the audit entry for %s %s", request.method, request.path)
