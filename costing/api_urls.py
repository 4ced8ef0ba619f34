"""API routes of the inventory subledger (under /api/v1/). A plain list: append new routes at the end."""

from django.urls import path

from costing import api_setup
from ledger.api import setup_routes

urlpatterns = [
    *setup_routes("locations", api_setup.LocationViewSet, "code", "location"),
    *setup_routes(
        "inventory-posting-groups", api_setup.InventoryPostingGroupViewSet, "code", "inventory-posting-group"
    ),
    *setup_routes(
        "inventory-posting-setups", api_setup.InventoryPostingSetupViewSet, "id", "inventory-posting-setup", "int"
    ),
    *setup_routes("items", api_setup.ItemViewSet, "no", "item"),
    path("setup/inventory/", api_setup.InventorySetupView.as_view(), name="inventory-setup"),
]
