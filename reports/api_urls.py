"""API routes of the reports (under /api/v1/)."""

from django.urls import path

from reports import api

urlpatterns = [
    path("reports/inventory-valuation/", api.InventoryValuationView.as_view(), name="api-inventory-valuation"),
    path(
        "reports/inventory-valuation-cost-spec/", api.CostSpecView.as_view(), name="api-inventory-valuation-cost-spec"
    ),
    path("reports/inventory-valuation-wip/", api.WipView.as_view(), name="api-inventory-valuation-wip"),
    path("reports/cost-shares-breakdown/", api.CostSharesView.as_view(), name="api-cost-shares-breakdown"),
    path("reports/inventory-as-of/", api.InventoryAsOfView.as_view(), name="api-inventory-as-of"),
]
