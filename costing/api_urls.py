"""API routes of the inventory subledger (under /api/v1/). A plain list: append new routes at the end."""

from django.urls import path

from costing import api, api_setup
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
    path("item-journal/post/", api.ItemJournalPostView.as_view(), name="item-journal-post"),
    path("revaluation-journal/post/", api.RevaluationJournalPostView.as_view(), name="revaluation-journal-post"),
    path("item-ledger-entries/", api.ItemLedgerEntryViewSet.as_view({"get": "list"}), name="item-ledger-entry-list"),
    path(
        "item-ledger-entries/<int:entry_no>/",
        api.ItemLedgerEntryViewSet.as_view({"get": "retrieve"}),
        name="item-ledger-entry-detail",
    ),
    path("item-ledger-entries/<int:entry_no>/invoice/", api.InvoiceView.as_view(), name="item-ledger-entry-invoice"),
    path(
        "item-ledger-entries/<int:entry_no>/item-charges/",
        api.ItemChargeView.as_view(),
        name="item-ledger-entry-item-charges",
    ),
    path("value-entries/", api.ValueEntryViewSet.as_view({"get": "list"}), name="value-entry-list"),
    path(
        "value-entries/<int:entry_no>/", api.ValueEntryViewSet.as_view({"get": "retrieve"}), name="value-entry-detail"
    ),
    path(
        "item-application-entries/",
        api.ItemApplicationEntryViewSet.as_view({"get": "list"}),
        name="item-application-entry-list",
    ),
    path(
        "item-application-entries/<int:entry_no>/",
        api.ItemApplicationEntryViewSet.as_view({"get": "retrieve"}),
        name="item-application-entry-detail",
    ),
    path(
        "reports/post-inventory-cost-to-gl-test/",
        api.PostInventoryCostToGLTestView.as_view(),
        name="report-post-inventory-cost-to-gl-test",
    ),
    path("documents/cancel/", api.CancelDocumentView.as_view(), name="cancel-document"),
]
