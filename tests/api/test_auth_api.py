"""Who may do what: anonymous 401 everywhere, roles decide the rest (api.md Conventions)."""

import pytest

from costing.models import InventorySetup, Location
from ledger.models import GLEntry

pytestmark = pytest.mark.django_db

READ_PATHS = [
    "/api/v1/gl-accounts/",
    "/api/v1/gl-accounts/2130/",
    "/api/v1/locations/",
    "/api/v1/locations/BLUE/",
    "/api/v1/inventory-posting-groups/",
    "/api/v1/gen-business-posting-groups/",
    "/api/v1/gen-product-posting-groups/",
    "/api/v1/inventory-posting-setups/",
    "/api/v1/general-posting-setups/",
    "/api/v1/items/",
    "/api/v1/items/LINK/",
    "/api/v1/setup/inventory/",
    "/api/v1/setup/general-ledger/",
    "/api/v1/gl-entries/",
]

SETUP_WRITES = [
    ("post", "/api/v1/locations/", {"code": "RED", "name": "Red"}, 201),
    ("patch", "/api/v1/locations/BLUE/", {"name": "Blue hall"}, 200),
    ("put", "/api/v1/locations/BLUE/", {"code": "BLUE", "name": "Blue hall"}, 200),
    ("delete", "/api/v1/gen-business-posting-groups/DOMESTIC/", None, 204),
    ("post", "/api/v1/gl-accounts/", {"no": "1000", "name": "Cash", "income_balance": "balance_sheet"}, 201),
    ("patch", "/api/v1/items/LINK/", {"description": "Link"}, 200),
    ("patch", "/api/v1/setup/inventory/", {"automatic_cost_posting": True}, 200),
    ("patch", "/api/v1/setup/general-ledger/", {"allow_posting_from": "2026-01-01"}, 200),
]

GL_JOURNAL = {
    "lines": [
        {"gl_account": "2130", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "150.00"},
        {"gl_account": "7291", "posting_date": "2026-01-05", "document_no": "GJ-1", "amount": "-150.00"},
    ]
}


@pytest.fixture
def books(chart, item):
    """Setup the paths above address."""


@pytest.mark.parametrize("path", READ_PATHS)
def test_anonymous_reads_get_401_with_a_token_challenge(anonymous_api, books, path):
    response = anonymous_api.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("method", "path", "body", "ok"), SETUP_WRITES)
def test_anonymous_writes_get_401(anonymous_api, books, method, path, body, ok):
    assert getattr(anonymous_api, method)(path, body, format="json").status_code == 401


def test_anonymous_gl_journal_gets_401_and_posts_nothing(anonymous_api, books):
    assert anonymous_api.post("/api/v1/gl-journal/post/", GL_JOURNAL, format="json").status_code == 401
    assert not GLEntry.objects.exists()


def test_a_bad_token_gets_401(anonymous_api, books):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert anonymous_api.get("/api/v1/items/").status_code == 401


@pytest.mark.parametrize("role", ["accountant", "controller", "integration", "admin"])
@pytest.mark.parametrize("path", READ_PATHS)
def test_every_role_may_read(client_for, books, role, path):
    assert client_for("u", role).get(path).status_code == 200


@pytest.mark.parametrize("path", READ_PATHS)
def test_a_user_without_a_role_gets_403_on_reads(client_for, books, path):
    assert client_for("nobody", None).get(path).status_code == 403


@pytest.mark.parametrize("role", ["accountant", "controller", "integration", None])
@pytest.mark.parametrize(("method", "path", "body", "ok"), SETUP_WRITES)
def test_only_admin_may_change_setup(client_for, books, role, method, path, body, ok):
    response = getattr(client_for("u", role), method)(path, body, format="json")
    assert response.status_code == 403
    assert list(Location.objects.values_list("code", "name")) == [("BLUE", "Blue warehouse")]
    assert InventorySetup.get().automatic_cost_posting is False


@pytest.mark.parametrize(("method", "path", "body", "ok"), SETUP_WRITES)
def test_admin_may_change_setup(admin_api, books, method, path, body, ok):
    assert getattr(admin_api, method)(path, body, format="json").status_code == ok


@pytest.mark.parametrize("role", ["accountant", "controller", "integration", "admin"])
def test_posting_roles_may_post_gl_journal(client_for, books, role):
    response = client_for("u", role).post("/api/v1/gl-journal/post/", GL_JOURNAL, format="json")
    assert response.status_code == 201
    assert GLEntry.objects.count() == 2


def test_a_user_without_a_role_may_not_post(client_for, books):
    response = client_for("nobody", None).post("/api/v1/gl-journal/post/", GL_JOURNAL, format="json")
    assert response.status_code == 403
    assert not GLEntry.objects.exists()


def test_session_login_works_for_the_browser(client, books, roles):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("sam")
    user.groups.add(Group.objects.get(name="accountant"))
    client.force_login(user)
    assert client.get("/api/v1/items/").status_code == 200
