"""T8 Security battery: the authorization matrix, one audit row per state-changing request, the login lockout."""

import pytest
from django.conf import settings
from django.test import Client

from core.models import AuditEntry
from tests import books
from tests.reliability.conftest import api_client, assert_clean

pytestmark = pytest.mark.django_db

JOURNAL = {
    "lines": [
        {"gl_account": "7290", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "10.00"},
        {"gl_account": "7291", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "-10.00"},
    ]
}
PERIOD = {"ending_date": "2026-01-31"}

# (method, path, body) -> expected status per role. None: no role (an authenticated user in no group).
MATRIX = [
    (
        "get",
        "/api/v1/gl-entries/",
        None,
        {"anonymous": 401, None: 403, "accountant": 200, "controller": 200, "integration": 200, "admin": 200},
    ),
    (
        "get",
        "/api/v1/value-entries/",
        None,
        {"anonymous": 401, None: 403, "accountant": 200, "controller": 200, "integration": 200, "admin": 200},
    ),
    (
        "post",
        "/api/v1/gl-journal/post/",
        JOURNAL,
        {"anonymous": 401, None: 403, "accountant": 201, "controller": 201, "integration": 201, "admin": 201},
    ),
    (
        "post",
        "/api/v1/inventory-periods/",
        PERIOD,
        {"anonymous": 401, None: 403, "accountant": 403, "controller": 201, "integration": 403, "admin": 201},
    ),
    ("post", "/api/v1/jobs/adjust-cost/", {}, {"anonymous": 401, None: 403, "accountant": 403}),
    (
        "put",
        "/api/v1/setup/general-ledger/",
        {},
        {"anonymous": 401, None: 403, "accountant": 403, "controller": 403, "integration": 403},
    ),
]


def test_t8_authorization_matrix_and_audit_trail(record):
    books.company()
    clients = {"anonymous": None}
    for role in (None, "accountant", "controller", "integration", "admin"):
        clients[role] = api_client(f"user-{role or 'none'}", role)
    from rest_framework.test import APIClient

    clients["anonymous"] = APIClient()
    mismatches, cells, writes_ok, writes = [], 0, 0, 0
    before = AuditEntry.objects.count()
    for n, (method, path, body, expected) in enumerate(MATRIX):
        for role, status in expected.items():
            payload = body
            if path.endswith("inventory-periods/"):
                payload = {"ending_date": f"2026-{(n + len(mismatches) + cells) % 12 + 1:02d}-28"}
            response = getattr(clients[role], method)(path, payload, format="json")
            cells += 1
            if method != "get":
                writes += 1
                writes_ok += response.status_code < 300
            if response.status_code != status:
                mismatches.append((method, path, role, status, response.status_code))
    audit_rows = AuditEntry.objects.count() - before
    refused_reads = sum(1 for m, _p, _b, exp in MATRIX if m == "get" for s in exp.values() if s in (401, 403))
    record.figures = {
        "matrix_cells": cells,
        "mismatches": len(mismatches),
        "mismatch_list": mismatches,
        "state_changing_requests": writes,
        "successful_writes": writes_ok,
        "audit_rows": audit_rows,
        "audit_rows_expected": writes + refused_reads,
    }
    assert mismatches == []
    # Every state-changing request and every refused read leaves exactly one audit row.
    assert audit_rows == writes + refused_reads
    assert_clean(record.check(drained=True))


def test_t8_login_brute_force_is_locked_out(record):
    from django.contrib.auth.models import User

    User.objects.create_user("mallory", password="right-password-1234")  # noqa: S106
    browser = Client()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        browser.post("/accounts/login/", {"username": "mallory", "password": f"wrong-{n}"}).status_code
        for n in range(limit + 2)
    ]
    after = browser.post("/accounts/login/", {"username": "mallory", "password": "right-password-1234"})
    record.settings = {"AXES_FAILURE_LIMIT": limit}
    record.figures = {
        "attempts": len(statuses),
        "statuses": statuses,
        "right_password_after_lockout": after.status_code,
    }
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    assert after.status_code == 429
