"""The Django admin lists every setup and ledger model; posted entries cannot be added, changed or deleted there.

The G/L - item ledger relation, keyed by two columns, has no list of its own (the admin cannot list such a model):
a value entry's page lists its G/L entries and a G/L entry's page its value entries."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User

from ledger.models import GLAccount

pytestmark = pytest.mark.django_db

APPS = {"core", "ledger", "costing", "periods"}
READ_ONLY = {
    "ledger.glentry",
    "ledger.glregister",
    "ledger.gltransaction",
    "costing.itemledgerentry",
    "costing.valueentry",
    "costing.itemapplicationentry",
    "costing.itemregister",
    "core.auditentry",
    "periods.inventoryperiodentry",
}


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("root-admin", email="r@example.com"))
    return client


def registered():
    return [m for m in admin.site._registry if m._meta.app_label in APPS]


def test_every_setup_and_ledger_model_is_registered():
    labels = {m._meta.label_lower for m in registered()}
    assert labels >= READ_ONLY
    assert {
        "ledger.glaccount",
        "ledger.generalpostingsetup",
        "ledger.glsetup",
        "costing.item",
        "costing.location",
        "costing.inventorypostingsetup",
        "costing.inventorysetup",
        "periods.inventoryperiod",
    } <= labels


@pytest.mark.parametrize("model", registered(), ids=lambda m: m._meta.label_lower)
def test_changelist_renders(staff, model, chart):
    response = staff.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    assert response.status_code == 200


@pytest.mark.parametrize("label", sorted(READ_ONLY))
def test_posted_entries_are_read_only_in_the_admin(staff, label):
    app, model = label.split(".")
    assert staff.get(f"/admin/{app}/{model}/add/").status_code == 403


def test_posting_setup_offers_posting_accounts_only(staff, chart):
    response = staff.get("/admin/costing/inventorypostingsetup/add/")
    choices = {str(a) for a in response.context["adminform"].form.fields["inventory_account"].queryset}
    assert str(GLAccount.objects.get(no="2130")) in choices
    assert str(GLAccount.objects.get(no="2000")) not in choices


def test_value_entry_and_g_l_entry_pages_link_each_other(staff):
    from costing import gl_posting
    from tests.reports.examples import overhead_example

    overhead_example(post=False)
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    page = staff.get("/admin/costing/valueentry/1/change/").content.decode()
    # Value entry 1, the purchase of 10 at 7.00: inventory 70.00 and direct cost applied -70.00.
    assert '<a href="/admin/ledger/glentry/1/change/">1</a> (70.00)' in page
    assert '<a href="/admin/ledger/glentry/2/change/">2</a> (-70.00)' in page
    page = staff.get("/admin/ledger/glentry/2/change/").content.decode()
    assert '<a href="/admin/costing/valueentry/1/change/">1</a> (-70.00)' in page
