"""Reads of inventory setup for the API and the pages."""

from django.db.models import QuerySet

from costing.models import InventoryPostingGroup, InventoryPostingSetup, InventorySetup, Item, Location


def locations() -> QuerySet[Location]:
    return Location.objects.order_by("code")


def inventory_posting_groups() -> QuerySet[InventoryPostingGroup]:
    return InventoryPostingGroup.objects.order_by("code")


def inventory_posting_setups() -> QuerySet[InventoryPostingSetup]:
    return InventoryPostingSetup.objects.order_by("id")


def items() -> QuerySet[Item]:
    return Item.objects.order_by("no")


def inventory_setup() -> InventorySetup:
    return InventorySetup.get()
