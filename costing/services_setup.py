"""Setup writes for inventory: locations, inventory posting groups and setups, items, the inventory setup.

Each function is one transaction and raises InvalidInput (400, naming the field) or Conflict (409) before anything is
written. Codes that other records name are checked to exist; accounts must be posting accounts
(ledger.services_setup.resolve_posting_account).
"""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.records import delete_record, resolve_code, save_record
from costing.models import (
    InventoryPostingGroup,
    InventoryPostingSetup,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    Location,
)
from ledger.models import GenProductPostingGroup
from ledger.services_setup import resolve_accounts

# ----------------------------------------------------------------------------------------- locations and groups


@transaction.atomic
def create_location(data: Mapping) -> Location:
    return save_record(Location(), dict(data), create=True)


@transaction.atomic
def update_location(location: Location, data: Mapping) -> Location:
    return save_record(location, {k: v for k, v in data.items() if k != "code"}, create=False)


def delete_location(location: Location) -> None:
    delete_record(location)


@transaction.atomic
def create_inventory_posting_group(data: Mapping) -> InventoryPostingGroup:
    return save_record(InventoryPostingGroup(), dict(data), create=True)


@transaction.atomic
def update_inventory_posting_group(group: InventoryPostingGroup, data: Mapping) -> InventoryPostingGroup:
    return save_record(group, {k: v for k, v in data.items() if k != "code"}, create=False)


def delete_inventory_posting_group(group: InventoryPostingGroup) -> None:
    delete_record(group)


# --------------------------------------------------------------------------------------- inventory posting setup


def _inventory_posting_setup_changes(data: Mapping, *, creating: bool) -> dict:
    changes = {}
    if "location" in data or creating:
        changes["location_id"] = resolve_code(Location, "location", data.get("location"), required=False)
    if "inventory_posting_group" in data or creating:
        changes["inventory_posting_group_id"] = resolve_code(
            InventoryPostingGroup, "inventory_posting_group", data.get("inventory_posting_group"), required=True
        )
    changes.update(resolve_accounts(data, InventoryPostingSetup.ACCOUNT_FIELDS))
    return changes


_INVENTORY_SETUP_CONSTRAINTS = {"inventory_posting_setup_unique": "inventory_posting_group"}


@transaction.atomic
def create_inventory_posting_setup(data: Mapping) -> InventoryPostingSetup:
    changes = _inventory_posting_setup_changes(data, creating=True)
    return save_record(InventoryPostingSetup(), changes, create=True, constraint_fields=_INVENTORY_SETUP_CONSTRAINTS)


@transaction.atomic
def update_inventory_posting_setup(setup: InventoryPostingSetup, data: Mapping) -> InventoryPostingSetup:
    changes = _inventory_posting_setup_changes(data, creating=False)
    return save_record(setup, changes, create=False, constraint_fields=_INVENTORY_SETUP_CONSTRAINTS)


def delete_inventory_posting_setup(setup: InventoryPostingSetup) -> None:
    delete_record(setup)


# ----------------------------------------------------------------------------------------------------------- items

_ITEM_REFERENCES = {
    "inventory_posting_group": InventoryPostingGroup,
    "gen_prod_posting_group": GenProductPostingGroup,
}


def _item_changes(data: Mapping, *, creating: bool) -> dict:
    changes = {k: v for k, v in data.items() if k not in _ITEM_REFERENCES and k != "no"}
    for field, model in _ITEM_REFERENCES.items():
        if field in data or creating:
            changes[f"{field}_id"] = resolve_code(model, field, data.get(field), required=True)
    return changes


@transaction.atomic
def create_item(data: Mapping) -> Item:
    changes = _item_changes(data, creating=True)
    changes["no"] = data["no"]
    return save_record(Item(), changes, create=True)


@transaction.atomic
def update_item(item: Item, data: Mapping) -> Item:
    """Change an item. As in Business Central the costing method is fixed once the item has ledger entries."""
    changes = _item_changes(data, creating=False)
    new_method = changes.get("costing_method")
    if (
        new_method is not None
        and new_method != item.costing_method
        and ItemLedgerEntry.objects.filter(item_id=item.no).exists()
    ):
        raise Conflict(
            _("The costing method of item %(no)s cannot be changed because it has item ledger entries.")
            % {"no": item.no},
            code="item_has_entries",
        )
    return save_record(item, changes, create=False)


def delete_item(item: Item) -> None:
    delete_record(item)


# ------------------------------------------------------------------------------------------------- inventory setup


@transaction.atomic
def update_inventory_setup(data: Mapping) -> InventorySetup:
    InventorySetup.get()
    setup = InventorySetup.objects.select_for_update().get(id=1)
    return save_record(setup, dict(data), create=False)
