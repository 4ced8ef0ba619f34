"""API routes of inventory periods (under /api/v1/)."""

from django.urls import path, re_path

from periods import api

DATE = r"(?P<ending_date>\d{4}-\d{2}-\d{2})"

urlpatterns = [
    path("inventory-periods/", api.InventoryPeriodListView.as_view(), name="inventory-period-list"),
    re_path(rf"^inventory-periods/{DATE}/$", api.InventoryPeriodDetailView.as_view(), name="inventory-period-detail"),
    re_path(rf"^inventory-periods/{DATE}/close/$", api.ClosePeriodView.as_view(), name="inventory-period-close"),
    re_path(rf"^inventory-periods/{DATE}/reopen/$", api.ReopenPeriodView.as_view(), name="inventory-period-reopen"),
    re_path(
        rf"^inventory-periods/{DATE}/close-test/$", api.CloseTestView.as_view(), name="inventory-period-close-test"
    ),
    path("inventory-period-entries/", api.InventoryPeriodEntryListView.as_view(), name="inventory-period-entry-list"),
    path(
        "inventory-period-entries/<int:entry_no>/",
        api.InventoryPeriodEntryDetailView.as_view(),
        name="inventory-period-entry-detail",
    ),
]
