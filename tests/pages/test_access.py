"""Every page needs a signed-in user; the API keeps its own authentication (401, never a redirect)."""

import pytest
from django.contrib.auth.models import User
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

PAGES = ["/", "/gl-accounts/", "/gl-entries/", "/gl-entries/?gl_account=2130"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_htmx_request_redirects_the_whole_page(client):
    response = client.get("/gl-entries/?document_no=J-100", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/gl-entries/%3Fdocument_no%3DJ-100"


def test_anonymous_language_preference_post_is_sent_to_sign_in(client):
    response = client.post("/preferences/language/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_page_has_the_form(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    # No menu before sign-in.
    assert "Chart of accounts" not in html


def test_sign_in_then_home_shows_name_and_role(client, accountant):
    response = client.post(
        "/accounts/login/", {"username": "anna", "password": "s3cret-ledger-pass", "next": "/gl-accounts/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/gl-accounts/"
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Anna Berg" in html
    assert "Accountant" in html
    assert 'action="/accounts/logout/"' in html


def test_wrong_password_is_refused(client, accountant):
    response = client.post("/accounts/login/", {"username": "anna", "password": "wrong-password"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(accountant_client):
    assert accountant_client.get("/accounts/logout/").status_code == 405
    response = accountant_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert accountant_client.get("/").status_code == 302


def test_user_without_a_role_sees_why_and_no_books(client):
    user = User.objects.create_user("norole", password="s3cret-ledger-pass")
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 200
    assert "no role yet" in home.content.decode()
    assert client.get("/gl-entries/").status_code == 403
    assert client.get("/gl-accounts/").status_code == 403


def test_api_is_not_redirected_to_sign_in(client):
    response = client.get("/api/v1/gl-accounts/")
    assert response.status_code == 401
    assert "Location" not in response


class Probe(APIView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("api/v1/probe/", Probe.as_view()), path("accounts/login/", Probe.as_view(), name="login")]


@pytest.mark.urls(__name__)
def test_any_drf_view_answers_anonymous_requests_itself(client):
    """The sign-in middleware leaves every DRF view to DRF's authentication, not only the ones that exist today."""
    response = client.get("/api/v1/probe/")
    assert response.status_code == 401


def test_menu_links_light_up_only_for_existing_pages(accountant_client, monkeypatch):
    from core import context_processors

    nav = [*context_processors.NAVIGATION, ("Later", [("page-nobody-wrote-yet", "Coming later")])]
    monkeypatch.setattr(context_processors, "NAVIGATION", nav)
    html = accountant_client.get("/gl-entries/").content.decode()
    assert '<a href="/gl-accounts/">Chart of accounts</a>' in html
    assert '<a href="/gl-entries/" aria-current="page">G/L entries</a>' in html
    assert '<a role="link" aria-disabled="true" class="disabled" title="Not available yet">Coming later</a>' in html


def test_administration_link_is_for_staff_only(accountant_client, accountant):
    assert "/admin/" not in accountant_client.get("/").content.decode()
    accountant.is_staff = True
    accountant.save()
    assert '<a href="/admin/">Administration</a>' in accountant_client.get("/").content.decode()


def test_no_access_page_keeps_the_frame(client):
    user = User.objects.create_user("norole2", password="s3cret-ledger-pass")
    client.force_login(user)
    response = client.get("/gl-entries/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role does not allow this page." in html
    assert 'class="sidenav"' in html
