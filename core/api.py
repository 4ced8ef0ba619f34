"""API plumbing shared by every app: pagination, the error format and the posting-view mixin."""

import hashlib
import json
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.bulk import pause_gc_for_request
from core.errors import BooksError, InvalidInput
from core.models import IdempotencyKey

logger = logging.getLogger(__name__)

# What a 503 asks the client to wait before it retries (the header's value; documented in the schema).
RETRY_AFTER_SECONDS = 1


class Pagination(PageNumberPagination):
    """Pages of 50 (``page_size`` up to 1,000). A ``page_size`` that is not a whole number from 1 to 1,000 is a 400
    (DRF would quietly fall back to 50); a page past the last is DRF's 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            message = _("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            name = self.page_size_query_param
            raise InvalidInput(f"{name}: {message}", errors={name: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": self.max_page_size}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def _flatten(detail, prefix=""):
    """DRF nests errors for list fields (``lines[2].quantity``); flatten to dotted paths that name the line."""
    out = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # DRF 3.18 reports a list field's errors as {index: errors} (LIST_SERIALIZER_ERRORS_AS_DICT).
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            out.update(_flatten(value, path))
    elif isinstance(detail, list) and detail and all(isinstance(v, dict | list) for v in detail):
        for index, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}[{index}]"))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[prefix or "non_field_errors"] = [str(v) for v in items]
    return out


def database_unavailable_body() -> dict:
    """The 503's body, for DRF's handler and for the server-error handler (an API request whose middleware failed)."""
    return {
        # The cause stays in the log: a database's error text is not for API clients.
        "detail": _(
            "The database could not complete the request. Retry it: a posting sent with an Idempotency-Key "
            "is replayed if it went through, never posted twice."
        ),
        "code": "database_unavailable",
    }


def exception_handler(exc, context):
    """Errors in the contract's shape: 400 ``{"detail", "errors"}``, 409 ``{"detail", "code"}``; 503 ``{"detail",
    "code": "database_unavailable"}`` with ``Retry-After`` when the database work failed for a cause of the moment
    (``OperationalError``: the connection dropped, a deadlock, a serialization failure, a timeout; ``InterfaceError``:
    the connection was already gone). The request's transaction is rolled back; only a connection lost during the
    commit leaves it unknown whether the posting went through, which a retry with the same Idempotency-Key settles
    (replayed if it did, posted once if not)."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exc, exc_info=exc)
        response = Response(database_unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, BooksError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.status_code == 400:
            body["errors"] = exc.errors or {"non_field_errors": [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": _("Invalid input."), "errors": errors}, status=400)
    if isinstance(exc, ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.items()))
        return Response({"detail": f"{first[0]}: {first[1][0]}", "errors": errors}, status=400)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException) and isinstance(response.data, dict):
        response.data.setdefault("detail", str(exc.detail))
    return response


def body_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class IdempotentPostMixin:
    """Runs a posting view in one transaction and honours the ``Idempotency-Key`` header.

    The key row is inserted first, inside the posting transaction. A concurrent request with the same key blocks on
    the unique index until the first commits, then finds the stored response: the same body gets it back, another body
    gets 409. A failed posting rolls back the key with everything else, so the client may retry with the same key.
    """

    def idempotent(self, request, post):
        # The collector stays off until the answer has been sent (core.bulk.pause_gc_for_request says why).
        pause_gc_for_request()
        key = request.headers.get("Idempotency-Key")
        if not key:
            with transaction.atomic():
                return post()
        if len(key) > IdempotencyKey._meta.get_field("key").max_length:
            raise ValidationError({"Idempotency-Key": [_("An Idempotency-Key has at most 200 characters.")]})
        digest = body_hash(request.data)
        stored = self._stored(request, key)
        if stored is not None:
            return self._replay(stored, digest)
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=request.user, key=key, method=request.method, path=request.path[:300], body_hash=digest
                )
                response = post()
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.response = json.loads(json.dumps(response.data, default=str))
                record.save(update_fields=["status_code", "response"])
                return response
        except IntegrityError:
            stored = self._stored(request, key)
            if stored is None:
                raise
            return self._replay(stored, digest)

    @staticmethod
    def _stored(request, key):
        return IdempotencyKey.objects.filter(user=request.user, key=key).first()

    @staticmethod
    def _replay(stored, digest):
        if stored.body_hash != digest:
            return Response(
                {
                    "detail": _("This Idempotency-Key was used with a different request body."),
                    "code": "idempotency_key_reused",
                },
                status=status.HTTP_409_CONFLICT,
            )
        response = Response(stored.response, status=stored.status_code)
        response["Idempotent-Replay"] = "true"
        return response
