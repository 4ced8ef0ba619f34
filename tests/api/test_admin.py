"""The Django admin lists every setup and ledger model; posted entries cannot be added, changed or deleted there."""

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
    "costing.glitemledgerrelation",
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
