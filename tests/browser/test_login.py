import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import ensure_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accountant_logs_in_and_lands_on_a_page_with_the_navigation(live_server, page):
    ensure_roles()
    user = get_user_model().objects.create_user(username="ada", password="a-long-browser-test-password")
    user.groups.add(Group.objects.get(name="accountant"))

    page.goto(live_server.url + reverse("login"))
    # The layout has other forms (the language switch), so act inside the one with the password field.
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill("ada")
    form.locator("input[name=password]").fill("a-long-browser-test-password")
    with page.expect_navigation():
        form.locator("[type=submit]").click()

    assert "/accounts/login/" not in page.url, page.content()
    expect(page.locator("nav").get_by_role("link", name="Items", exact=True).first).to_be_visible()
