"""The reconciliation pages: matrix, warnings on click, explanations, the post button, drill-down, exports, print."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from openpyxl import load_workbook

from core.roles import ensure_roles
from costing.models import PostValueEntryToGL
from tests.books import D
from tests.reconciliation.test_matrix import example_1_6

pytestmark = pytest.mark.django_db


def login(client, role):
    ensure_roles()
    user = User.objects.create_user(f"u-{role}", password="a-long-test-password")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def test_matrix_page_shows_figures_linked_to_their_drilldown(client):
    example_1_6()
    login(client, "accountant")
    page = client.get(reverse("reconciliation"), {"show_warnings": "on"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Inventory - G/L Reconciliation" in html
    assert "-70.00" in html and "80.00" in html
    assert "row=direct_cost_applied&amp;column=inventory" in html
    assert "They agree on every day." in html and "<svg" in html
    partial = client.get(reverse("reconciliation"), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="results"')


def test_warning_explanation_and_post_button(client):
    example_1_6(post=False)
    login(client, "controller")
    html = client.get(reverse("reconciliation"), {"show_warnings": "on"}).content.decode()
    assert 'data-warning="cost_not_posted"' in html
    assert "Run Post Inventory Cost to G/L" in html
    assert "Value entries not yet posted to the G/L" in html
    assert "Post 3 waiting value entries to the G/L" in html
    assert "They first differ on 2020-01-01." in html
    response = client.post(reverse("reconciliation-post-unposted"), {})
    assert response.status_code == 302
    assert not PostValueEntryToGL.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Posted 3 value entries to the G/L" in html
    assert "data-warning" not in html


def test_accountant_may_not_post_from_the_page(client):
    example_1_6(post=False)
    login(client, "accountant")
    html = client.get(reverse("reconciliation")).content.decode()
    assert "waiting value entries" not in html
    assert client.post(reverse("reconciliation-post-unposted"), {}).status_code == 403
    assert PostValueEntryToGL.objects.count() == 3


def test_drilldown_page_lists_entries_adding_up_to_the_cell(client):
    example_1_6()
    login(client, "accountant")
    page = client.get(reverse("reconciliation-drilldown"), {"row": "cogs", "column": "inventory"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-total>80.00" in html and "DOC-01-15-20" in html
    gl = client.get(reverse("reconciliation-drilldown"), {"row": "gl_total", "column": "inventory"}).content.decode()
    assert 'data-drilldown="gl_entries"' in gl and "data-total>0.00" in gl
    bad = client.get(reverse("reconciliation-drilldown"), {"row": "total", "column": "total"}).content.decode()
    assert "This cell is always empty." in bad


def test_exports_and_print_view(client):
    example_1_6()
    login(client, "accountant")
    csv = b"".join(client.get(reverse("reconciliation-export", args=["csv"])).streaming_content).decode()
    assert "Direct Cost Applied,-70.00,,0.00,-70.00,-70.00,0.00" in csv.replace("\r", "")
    xlsx = client.get(reverse("reconciliation-export", args=["xlsx"]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Inventory"
    assert rows[4][0] == "Direct Cost Applied" and D(str(rows[4][1])) == D("-70.00")
    dd_csv = b"".join(
        client.get(
            reverse("reconciliation-drilldown-export", args=["csv"]), {"row": "cogs", "column": "inventory"}
        ).streaming_content
    ).decode()
    assert dd_csv.splitlines()[1].startswith("3,2020-01-15,A")
    dd_xlsx = client.get(
        reverse("reconciliation-drilldown-export", args=["xlsx"]), {"row": "cogs", "column": "inventory"}
    )
    assert dd_xlsx.status_code == 200
    printed = client.get(reverse("reconciliation-print")).content.decode()
    assert "@media print" in printed and "<nav" not in printed.split("<body>")[1].split("<h1>")[0]
