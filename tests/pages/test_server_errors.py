"""What a page (or an API request that fails before DRF's handler) answers when the server fails: a database failure
of the moment is a 503 with ``Retry-After`` that says nothing was posted; anything else the 500 page
(``core.views.server_error``, the project's ``handler500``)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from core import views


@pytest.fixture
def failing_home(monkeypatch):
    def fail_with(exc):
        def summary():
            raise exc

        monkeypatch.setattr(views, "books_summary", summary)

    return fail_with


@pytest.mark.parametrize("exc", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_a_database_failure_on_a_page_is_a_503_page_that_says_nothing_was_posted(accountant_client, failing_home, exc):
    failing_home(exc)
    accountant_client.raise_request_exception = False
    response = accountant_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    page = response.content.decode()
    assert "Database unavailable" in page and "Nothing was posted" in page
    assert "server closed the connection" not in page  # the cause goes to the log, not to the page


def test_the_503_page_speaks_chinese(accountant_client, failing_home):
    failing_home(OperationalError("gone"))
    accountant_client.raise_request_exception = False
    response = accountant_client.get("/", headers={"accept-language": "zh-hans"})
    page = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="zh-hans">' in page and "数据库" in page


def test_any_other_failure_is_the_500_page(accountant_client, failing_home):
    failing_home(RuntimeError("a bug"))
    accountant_client.raise_request_exception = False
    response = accountant_client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Server error" in response.content.decode()


def test_an_api_request_failing_outside_drf_gets_the_apis_503_json():
    """Middleware runs before DRF's exception handler; a database failure there still answers in the API's shape."""
    request = RequestFactory().get("/api/v1/items/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/json"
    assert b'"code": "database_unavailable"' in response.content


def test_the_project_routes_server_errors_to_it():
    from config import urls

    assert urls.handler500 == "core.views.server_error"
