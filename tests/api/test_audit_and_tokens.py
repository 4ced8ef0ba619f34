"""The audit trail of state-changing requests, and the create_api_token command."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEntry

pytestmark = pytest.mark.django_db

GL_JOURNAL = {
    "lines": [
        {"gl_account": "2130", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "150.00"},
        {"gl_account": "7291", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "-150.00"},
    ]
}


def test_each_state_changing_request_writes_one_audit_row(admin_api, chart):
    admin_api.post("/api/v1/locations/", {"code": "RED", "name": "Red"}, format="json", REMOTE_ADDR="10.0.0.7")
    admin_api.patch("/api/v1/locations/RED/", {"name": "Dark red"}, format="json")
    admin_api.delete("/api/v1/locations/RED/")
    admin_api.post("/api/v1/gl-journal/post/", GL_JOURNAL, format="json")
    admin_api.get("/api/v1/locations/")

    rows = list(AuditEntry.objects.order_by("id").values_list("user__username", "method", "path", "status_code"))
    assert rows == [
        ("ada", "POST", "/api/v1/locations/", 201),
        ("ada", "PATCH", "/api/v1/locations/RED/", 200),
        ("ada", "DELETE", "/api/v1/locations/RED/", 204),
        ("ada", "POST", "/api/v1/gl-journal/post/", 201),
    ]
    first = AuditEntry.objects.order_by("id").first()
    assert first.remote_addr == "10.0.0.7"
    assert first.action == "POST location-list"
    assert first.created_at is not None


def test_refused_requests_are_audited_too(accountant_api, anonymous_api, chart):
    accountant_api.post("/api/v1/locations/", {"code": "RED"}, format="json")
    anonymous_api.get("/api/v1/items/")
    accountant_api.post("/api/v1/gl-journal/post/", {"lines": []}, format="json")
    rows = list(AuditEntry.objects.order_by("id").values_list("user__username", "method", "status_code"))
    assert rows == [("alice", "POST", 403), (None, "GET", 401), ("alice", "POST", 400)]


def test_idempotent_replay_is_marked_in_the_audit_row(integration_api, chart):
    for _attempt in range(2):
        integration_api.post("/api/v1/gl-journal/post/", GL_JOURNAL, format="json", headers={"Idempotency-Key": "k"})
    details = list(AuditEntry.objects.order_by("id").values_list("details", flat=True))
    assert details == [{"idempotency_key": "k"}, {"idempotency_key": "k", "idempotent_replay": True}]


def test_create_api_token_prints_a_working_token_and_reuses_it(roles, chart):
    User.objects.create_user("ivan")
    out = StringIO()
    call_command("create_api_token", "ivan", stdout=out)
    key = out.getvalue().strip()
    assert key == Token.objects.get(user__username="ivan").key
    assert len(key) == 40

    again = StringIO()
    call_command("create_api_token", "ivan", stdout=again)
    assert again.getvalue().strip() == key

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # Authenticated but without a role: the token works, the role decides.
    assert client.get("/api/v1/items/").status_code == 403


def test_create_api_token_regenerate_replaces_the_key(db):
    User.objects.create_user("ivan")
    old = Token.objects.create(user=User.objects.get(username="ivan")).key
    out = StringIO()
    call_command("create_api_token", "ivan", "--regenerate", stdout=out)
    assert out.getvalue().strip() != old
    assert Token.objects.get(user__username="ivan").key == out.getvalue().strip()


def test_create_api_token_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="There is no user named ghost."):
        call_command("create_api_token", "ghost")
    assert not Token.objects.exists()


def test_page_posts_are_audited(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"}, REMOTE_ADDR="10.0.0.9")
    entry = AuditEntry.objects.get()
    assert (entry.method, entry.path, entry.user, entry.remote_addr) == ("POST", "/i18n/setlang/", None, "10.0.0.9")
