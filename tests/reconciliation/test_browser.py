"""In a real browser: open the reconciliation, click a figure, see the entries behind it add up to it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import ensure_roles
from tests.browser.conftest import sign_in
from tests.reconciliation.test_matrix import example_1_6

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_click_a_figure_and_see_its_entries(live_server, page):
    ensure_roles()
    example_1_6()
    user = get_user_model().objects.create_user(username="rita", password="a-long-browser-test-password")
    user.groups.add(Group.objects.get(name="accountant"))
    sign_in(page, live_server, "rita", "a-long-browser-test-password")

    page.goto(live_server.url + reverse("reconciliation") + "?show_warnings=on")
    cell = page.locator("tr[data-row=cogs] td[data-column=inventory] a")
    expect(cell).to_have_text("80.00")
    expect(page.locator("tr[data-row=direct_cost_applied] td[data-column=inventory] a")).to_have_text("-70.00")
    with page.expect_navigation():
        cell.click()
    table = page.locator("table[data-drilldown=value_entries]")
    expect(table).to_contain_text("DOC-01-15-20")
    expect(page.locator("td[data-total]")).to_have_text("80.00")
