"""Admin for inventory periods. Closing and reopening go through the period services; the log is read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from periods.models import InventoryCloseLogLine, InventoryPeriod, InventoryPeriodEntry


@admin.register(InventoryPeriod)
class InventoryPeriodAdmin(admin.ModelAdmin):
    list_display = ["ending_date", "name", "closed"]
    list_filter = ["closed"]
    search_fields = ["name"]
    # Closing runs the close test and writes the log; a tick box here would skip both.
    readonly_fields = ["closed"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.closed


@admin.register(InventoryPeriodEntry)
class InventoryPeriodEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_no", "ending_date", "entry_type", "user", "created_at"]
    list_filter = ["entry_type"]
    search_fields = ["description", "user__username"]


@admin.register(InventoryCloseLogLine)
class InventoryCloseLogLineAdmin(ReadOnlyAdmin):
    list_display = ["period_entry", "item_no", "item_ledger_entry_no", "reason", "inbound_entry_no"]
    list_filter = ["reason"]
    search_fields = ["item_no"]
