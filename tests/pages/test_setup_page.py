from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from costing.models import InventorySetup
from ledger.models import GLSetup

pytestmark = pytest.mark.django_db


def client_for(client, *roles):
    from core.roles import ensure_roles

    ensure_roles()
    user = User.objects.create_user("u_" + "_".join(roles), password="pw-12345-long")
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def test_accountant_sees_the_setup_and_the_schedule_notice_but_cannot_change_it(client):
    c = client_for(client, "accountant")
    page = c.get("/setup/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Inventory setup" in body and "General ledger setup" in body
    assert 'id="schedule-notice"' in body  # automatic posting off, nothing scheduled (6.2)
    assert "Save inventory setup" not in body
    assert c.post("/setup/", {"form": "gl", "gl-allow_posting_from": "2026-01-01"}).status_code == 403
    assert GLSetup.get().allow_posting_from is None


def test_admin_changes_the_inventory_and_gl_setup(client):
    c = client_for(client, "admin")
    response = c.post(
        "/setup/",
        {
            "form": "inventory",
            "inventory-automatic_cost_posting": "on",
            "inventory-automatic_cost_adjustment": "always",
            "inventory-average_cost_calc_type": "item",
            "inventory-average_cost_period": "month",
        },
    )
    assert response.status_code == 302
    setup = InventorySetup.get()
    assert (setup.automatic_cost_posting, setup.automatic_cost_adjustment, setup.average_cost_period) == (
        True,
        "always",
        "month",
    )
    assert 'id="schedule-notice"' not in c.get("/setup/").content.decode()
    bad = c.post("/setup/", {"form": "gl", "gl-allow_posting_from": "2026-02-01", "gl-allow_posting_to": "2026-01-01"})
    assert bad.status_code == 200 and "must not be before" in bad.content.decode()
    ok = c.post("/setup/", {"form": "gl", "gl-allow_posting_from": "2026-01-01", "gl-allow_posting_to": "2026-12-31"})
    assert ok.status_code == 302
    assert (GLSetup.get().allow_posting_from, GLSetup.get().allow_posting_to) == (date(2026, 1, 1), date(2026, 12, 31))
