"""Setup endpoints: create, read, change and delete by code, with the refusals an integrator would hit."""

from datetime import date

import pytest

from costing.models import InventoryPostingSetup, InventorySetup, Item, Location
from ledger.models import GeneralPostingSetup, GLAccount, GLSetup

pytestmark = pytest.mark.django_db


def test_gl_account_create_read_update_delete(admin_api):
    body = {"no": "2130", "name": "Inventory", "income_balance": "balance_sheet", "account_type": "posting"}
    created = admin_api.post("/api/v1/gl-accounts/", body, format="json")
    assert created.status_code == 201
    assert created.json() == {**body, "blocked": False}

    changed = admin_api.patch(
        "/api/v1/gl-accounts/2130/", {"name": "Inventory, Finished", "blocked": True}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Inventory, Finished"
    assert GLAccount.objects.get(no="2130").blocked is True

    listed = admin_api.get("/api/v1/gl-accounts/")
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["no"] == "2130"

    assert admin_api.delete("/api/v1/gl-accounts/2130/").status_code == 204
    assert not GLAccount.objects.exists()
    assert admin_api.get("/api/v1/gl-accounts/2130/").status_code == 404


def test_duplicate_code_is_a_400_naming_the_key(admin_api, chart):
    response = admin_api.post(
        "/api/v1/gl-accounts/", {"no": "2130", "name": "Again", "income_balance": "balance_sheet"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"no": ["G/L account 2130 already exists."]}
    assert GLAccount.objects.get(no="2130").name == "Inventory, Finished Goods"


def test_code_cannot_be_changed_by_put(admin_api, groups):
    response = admin_api.put("/api/v1/locations/BLUE/", {"code": "RED", "name": "Red"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()["errors"]
    assert list(Location.objects.values_list("code", "name")) == [("BLUE", "Blue warehouse")]
    ok = admin_api.put("/api/v1/locations/BLUE/", {"code": "BLUE", "name": "Blue hall"}, format="json")
    assert ok.status_code == 200
    assert ok.json() == {"code": "BLUE", "name": "Blue hall"}


def test_codes_are_case_sensitive(admin_api, groups):
    assert admin_api.post("/api/v1/locations/", {"code": "blue", "name": "lower"}, format="json").status_code == 201
    assert admin_api.get("/api/v1/locations/blue/").json() == {"code": "blue", "name": "lower"}
    assert admin_api.get("/api/v1/locations/BLUE/").json() == {"code": "BLUE", "name": "Blue warehouse"}


@pytest.mark.parametrize(
    "path", ["inventory-posting-groups", "gen-business-posting-groups", "gen-product-posting-groups", "locations"]
)
def test_group_and_location_endpoints_round_trip(admin_api, path):
    field = "name" if path == "locations" else "description"
    created = admin_api.post(f"/api/v1/{path}/", {"code": "NEW", field: "New one"}, format="json")
    assert created.status_code == 201
    assert created.json() == {"code": "NEW", field: "New one"}
    assert admin_api.patch(f"/api/v1/{path}/NEW/", {field: "Renamed"}, format="json").json()[field] == "Renamed"
    assert admin_api.delete(f"/api/v1/{path}/NEW/").status_code == 204


def test_delete_of_a_referenced_group_is_a_409(admin_api, item):
    response = admin_api.delete("/api/v1/inventory-posting-groups/RESALE/")
    assert response.status_code == 409
    assert response.json()["code"] == "referenced"
    assert "RESALE" in response.json()["detail"]
    assert Item.objects.filter(inventory_posting_group="RESALE").exists()


def test_inventory_posting_setup_with_blank_location(admin_api, chart, groups):
    body = {
        "location": "",
        "inventory_posting_group": "RESALE",
        "inventory_account": "2130",
        "inventory_account_interim": "2131",
    }
    response = admin_api.post("/api/v1/inventory-posting-setups/", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["location"] == ""
    assert data["inventory_account"] == "2130"
    assert data["inventory_account_interim"] == "2131"
    assert data["wip_account"] is None
    setup = InventoryPostingSetup.objects.get(id=data["id"])
    assert setup.location_id is None and setup.inventory_account_id == "2130"

    # The same location (blank) and group again: the unique key refuses it.
    again = admin_api.post("/api/v1/inventory-posting-setups/", body, format="json")
    assert again.status_code == 400
    assert "inventory_posting_group" in again.json()["errors"]

    blue = admin_api.post("/api/v1/inventory-posting-setups/", {**body, "location": "BLUE"}, format="json")
    assert blue.status_code == 201 and blue.json()["location"] == "BLUE"
    filtered = admin_api.get("/api/v1/inventory-posting-setups/?location=BLUE").json()
    assert [row["id"] for row in filtered["results"]] == [blue.json()["id"]]

    cleared = admin_api.patch(
        f"/api/v1/inventory-posting-setups/{data['id']}/", {"inventory_account_interim": ""}, format="json"
    )
    assert cleared.status_code == 200
    assert cleared.json()["inventory_account_interim"] is None


def test_posting_setup_refuses_heading_and_unknown_accounts(admin_api, chart, groups):
    heading = admin_api.post(
        "/api/v1/inventory-posting-setups/",
        {"location": "", "inventory_posting_group": "RESALE", "inventory_account": "2000"},
        format="json",
    )
    assert heading.status_code == 400
    assert heading.json()["errors"] == {
        "inventory_account": ["G/L account 2000 is a heading; choose a posting account."]
    }

    unknown = admin_api.post(
        "/api/v1/general-posting-setups/",
        {"gen_bus_posting_group": "", "gen_prod_posting_group": "RETAIL", "cogs_account": "7777"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"cogs_account": ["G/L account 7777 does not exist."]}

    unknown_location = admin_api.post(
        "/api/v1/inventory-posting-setups/",
        {"location": "GREEN", "inventory_posting_group": "RESALE"},
        format="json",
    )
    assert unknown_location.status_code == 400
    assert unknown_location.json()["errors"] == {"location": ["Location GREEN does not exist."]}
    assert not InventoryPostingSetup.objects.exists()
    assert not GeneralPostingSetup.objects.exists()


def test_general_posting_setup_allows_blocked_accounts_and_blank_business_group(admin_api, chart, groups):
    response = admin_api.post(
        "/api/v1/general-posting-setups/",
        {
            "gen_prod_posting_group": "RETAIL",
            "cogs_account": "7190",
            "inventory_adjmt_account": "9999",
            "direct_cost_applied_account": "7291",
        },
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["gen_bus_posting_group"] == ""
    assert (data["cogs_account"], data["inventory_adjmt_account"], data["blocked"]) == ("7190", "9999", False)
    domestic = admin_api.post(
        "/api/v1/general-posting-setups/",
        {"gen_bus_posting_group": "DOMESTIC", "gen_prod_posting_group": "RETAIL"},
        format="json",
    )
    assert domestic.status_code == 201
    assert domestic.json()["gen_bus_posting_group"] == "DOMESTIC"
    listed = admin_api.get("/api/v1/general-posting-setups/?gen_bus_posting_group=DOMESTIC").json()
    assert listed["count"] == 1


def test_item_create_with_exact_costs(admin_api, groups):
    body = {
        "no": "LINK",
        "description": "Chain link",
        "costing_method": "average",
        "unit_cost": "12.34567",
        "standard_cost": "0",
        "inventory_posting_group": "RESALE",
        "gen_prod_posting_group": "RETAIL",
        "excluded_from_cost_adjustment": True,
    }
    response = admin_api.post("/api/v1/items/", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["unit_cost"] == "12.34567"
    assert data["standard_cost"] == "0.00000"
    assert data["last_direct_cost"] == "0.00000"
    assert data["cost_is_adjusted"] is True
    assert data["excluded_from_cost_adjustment"] is True
    assert data["inventory_posting_group"] == "RESALE"


def test_item_cost_is_adjusted_is_read_only(admin_api, item):
    response = admin_api.patch("/api/v1/items/LINK/", {"cost_is_adjusted": False}, format="json")
    assert response.status_code == 200
    assert response.json()["cost_is_adjusted"] is True
    assert Item.objects.get(no="LINK").cost_is_adjusted is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inventory_posting_group": "NOPE"}, "inventory_posting_group"),
        ({"gen_prod_posting_group": "NOPE"}, "gen_prod_posting_group"),
        ({"costing_method": "fifo_ish"}, "costing_method"),
        ({"unit_cost": "1.123456"}, "unit_cost"),
        ({"unit_cost": 1.5}, "unit_cost"),
        ({"unit_cost": "-1.00"}, "unit_cost"),
        ({"unit_cost": "1e3"}, "unit_cost"),
        ({"unit_cost": "NaN"}, "unit_cost"),
        ({"unit_cost": "1234567890123456.00000"}, "unit_cost"),
        ({"no": "X" * 21}, "no"),
    ],
)
def test_item_bad_input_is_a_400_naming_the_field_and_writes_nothing(admin_api, groups, changes, field):
    body = {
        "no": "LINK",
        "description": "Chain link",
        "inventory_posting_group": "RESALE",
        "gen_prod_posting_group": "RETAIL",
        **changes,
    }
    response = admin_api.post("/api/v1/items/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Item.objects.exists()


def test_item_update_with_unknown_group_changes_nothing(admin_api, item):
    response = admin_api.patch(
        "/api/v1/items/LINK/", {"description": "Changed", "gen_prod_posting_group": "NOPE"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"gen_prod_posting_group": ["Gen. product posting group NOPE does not exist."]}
    assert Item.objects.get(no="LINK").description == "Chain link"


def test_item_list_filters_orders_and_pages(admin_api, groups):
    for no, method in [("C", "fifo"), ("A", "average"), ("B", "fifo")]:
        Item.objects.create(
            no=no, costing_method=method, inventory_posting_group_id="RESALE", gen_prod_posting_group_id="RETAIL"
        )
    fifo = admin_api.get("/api/v1/items/?costing_method=fifo&ordering=-no").json()
    assert [row["no"] for row in fifo["results"]] == ["C", "B"]
    page = admin_api.get("/api/v1/items/?page_size=2").json()
    assert page["count"] == 3
    assert [row["no"] for row in page["results"]] == ["A", "B"]
    assert page["next"].endswith("page=2&page_size=2")


def test_inventory_setup_singleton(admin_api):
    response = admin_api.get("/api/v1/setup/inventory/")
    assert response.status_code == 200
    assert response.json() == {
        "automatic_cost_posting": False,
        "expected_cost_posting_to_gl": False,
        "automatic_cost_adjustment": "never",
        "average_cost_calc_type": "item_location_variant",
        "average_cost_period": "day",
    }
    changed = admin_api.patch(
        "/api/v1/setup/inventory/",
        {"automatic_cost_posting": True, "automatic_cost_adjustment": "always"},
        format="json",
    )
    assert changed.status_code == 200
    setup = InventorySetup.get()
    assert (setup.automatic_cost_posting, setup.automatic_cost_adjustment) == (True, "always")
    bad = admin_api.patch("/api/v1/setup/inventory/", {"average_cost_period": "fortnight"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["average_cost_period"]
    assert admin_api.put("/api/v1/setup/inventory/", {}, format="json").status_code == 405


def test_gl_setup_posting_range(admin_api):
    ok = admin_api.patch(
        "/api/v1/setup/general-ledger/",
        {"allow_posting_from": "2026-01-01", "allow_posting_to": "2026-12-31"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json() == {"allow_posting_from": "2026-01-01", "allow_posting_to": "2026-12-31"}

    backwards = admin_api.patch("/api/v1/setup/general-ledger/", {"allow_posting_to": "2025-12-31"}, format="json")
    assert backwards.status_code == 400
    assert list(backwards.json()["errors"]) == ["allow_posting_to"]
    setup = GLSetup.get()
    assert (setup.allow_posting_from, setup.allow_posting_to) == (date(2026, 1, 1), date(2026, 12, 31))

    cleared = admin_api.patch("/api/v1/setup/general-ledger/", {"allow_posting_from": None}, format="json")
    assert cleared.json() == {"allow_posting_from": None, "allow_posting_to": "2026-12-31"}


def test_costing_method_is_fixed_once_the_item_has_entries(admin_api, item):
    from costing.models import ItemLedgerEntry, ItemRegister

    register = ItemRegister.objects.create(no=1, source_code="ITEMJNL")
    ItemLedgerEntry.objects.create(
        entry_no=1,
        item=item,
        posting_date=date(2026, 1, 5),
        entry_type="purchase",
        document_no="P1",
        quantity="1",
        remaining_quantity="1",
        invoiced_quantity="1",
        open=True,
        positive=True,
        completely_invoiced=True,
        register=register,
    )
    response = admin_api.patch("/api/v1/items/LINK/", {"costing_method": "average"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "item_has_entries"
    assert Item.objects.get(no="LINK").costing_method == "fifo"
    assert (
        admin_api.patch(
            "/api/v1/items/LINK/", {"costing_method": "fifo", "description": "L"}, format="json"
        ).status_code
        == 200
    )
    assert admin_api.delete("/api/v1/items/LINK/").status_code == 409
