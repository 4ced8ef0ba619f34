"""The OpenAPI schema says what the API answers, errors included (``/api/v1/schema/``, drf-spectacular).

Three pieces serve every view, so the schema cannot drift from the code that answers:

- ``document_error_responses`` (a drf-spectacular postprocessing hook) gives every operation the error answers it
  can give, in the contract's shape (shared/spec/api.md "Errors"): 401 without credentials, 403 for a role that may
  not, 404 where the path names a record or a list is paged, 400 where the request carries input, 409 for a write
  that can conflict with the state of the books, 415 for a body that is not JSON, 503 with ``Retry-After`` when the
  database could not complete the request (and 414, without a body, where a long query can pass the web server's limit
  on the request line). An operation that documents one of
  these itself keeps its description; the hook adds the body's schema (``Error``). It also marks every optional query
  parameter ``allowEmptyValue``: ``?date_from=`` means no date filter, here as on the pages.
- ``AutoSchema`` (``DEFAULT_SCHEMA_CLASS``) adds what drf-spectacular leaves out of a list field: ``minItems: 1``
  where the list may not be empty (a journal's ``lines``), and its ``min_length``/``max_length``.
- ``form_parameters`` turns the Django form that parses a GET's query (the same form its page uses) into the
  operation's query parameters: dates as ``format: date``, choices as enums, booleans, lengths and what is required,
  with ``allowEmptyValue`` where an empty value means "no filter", as the form takes it.

Schemathesis checks the schema against the running API with every check on (tests/reliability/test_t4_schemathesis.py):
an answer the schema does not describe, a request the schema allows that the API refuses, or one it forbids that the
API takes, fails that test.
"""

from __future__ import annotations

from django import forms
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error in the contract's shape: 400 names each field in errors, 409 carries a code.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail"],
}

RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 1}}

# status -> (description, applies(method, operation, path)); every one but 414 answers with the Error body.
_WRITES = {"post", "put", "patch", "delete"}
ERRORS = {
    "400": ("Bad input: {detail, errors}, errors naming each field.", lambda m, op, path: _takes_input(op)),
    "401": ("No credentials, or credentials that are not valid.", lambda m, op, path: True),
    "403": ("The role may not do this.", lambda m, op, path: True),
    "404": ("No such record, or a page past the last.", lambda m, op, path: "{" in path or _paginated(op)),
    "409": ("Conflict with the state of the books: {detail, code}.", lambda m, op, path: m in _WRITES),
    "415": ("The body is not JSON.", lambda m, op, path: "requestBody" in op),
    "503": (
        "The database could not complete the request (a lost connection, a deadlock, a timeout): retry after "
        "Retry-After seconds; a posting sent with an Idempotency-Key is replayed if it went through.",
        lambda m, op, path: True,
    ),
    # Said by the web server (gunicorn's limit_request_line, 4,094 bytes), before the app, in its own format.
    "414": ("The request line (path and query) is longer than the server takes.", lambda m, op, path: _queried(op)),
}


def _queried(operation: dict) -> bool:
    return any(p.get("in") == "query" for p in operation.get("parameters", []))


def _takes_input(operation: dict) -> bool:
    return "requestBody" in operation or _queried(operation)


def _paginated(operation: dict) -> bool:
    return any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", []))


def document_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the errors it can answer, with the ``Error`` body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                # Every filter, form and paginator here reads an empty optional value as "not given".
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for status, (description, applies) in ERRORS.items():
                if status == "414":
                    if applies(method, operation, path):
                        responses.setdefault(status, {"description": description})
                elif status in responses:
                    responses[status].setdefault("content", body)
                elif applies(method, operation, path):
                    responses[status] = {"description": description, "content": body}
            if "503" in responses:
                responses["503"].setdefault("headers", {"Retry-After": RETRY_AFTER})
    return result


def form_parameters(form_class: type[forms.Form], *, aliases: dict[str, str] | None = None) -> list[OpenApiParameter]:
    """The query parameters of a GET whose query ``form_class`` parses, one per form field (and per alias: a name the
    form also takes for a field, e.g. ``as_of`` for ``date_to``)."""
    parameters = []
    fields = form_class.base_fields
    named = list(fields.items()) + [(alias, fields[target]) for alias, target in (aliases or {}).items()]
    for name, field in named:
        if field is None:
            continue
        schema: dict
        if isinstance(field, forms.DateField):
            schema = {"type": "string", "format": "date"}
        elif isinstance(field, forms.BooleanField):
            schema = {"type": "boolean"}
        elif isinstance(field, forms.ChoiceField):
            schema = {"type": "string", "enum": [str(value) for value, _label in field.choices if value != ""]}
        else:
            schema = {"type": "string"}
            if field.max_length:
                schema["maxLength"] = field.max_length
            if field.required:
                schema["minLength"] = 1
        parameters.append(
            OpenApiParameter(
                name,
                schema,
                required=field.required,
                description=str(field.help_text or field.label or ""),
                allow_blank=not field.required,
            )
        )
    return parameters


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListField | serializers.ListSerializer) and schema.get("type") == "array":
            if not field.allow_empty:
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            if getattr(field, "min_length", None) is not None:
                schema["minItems"] = max(schema.get("minItems", 0), field.min_length)
            if getattr(field, "max_length", None) is not None:
                schema["maxItems"] = field.max_length
        return schema
