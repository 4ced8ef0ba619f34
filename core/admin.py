"""Admin for the cross-cutting records: the audit trail and idempotency keys are read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.models import AuditEntry, Counter, IdempotencyKey, UserProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """Posted or recorded rows: visible to staff, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def relation_links(rows, key: str, url_name: str):
    """G/L - item ledger relation rows (the ledger and the subledger both show them) as links to the entries on
    the other side, each with its amount."""
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a> ({})',
        ((reverse(url_name, args=[getattr(r, key)]), getattr(r, key), r.amount) for r in rows),
    )
    return links or format_html("{}", "–")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "method", "path", "status_code", "remote_addr", "action"]
    list_filter = ["method", "status_code"]
    search_fields = ["path", "action", "user__username", "remote_addr"]
    date_hierarchy = "created_at"


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "key", "method", "path", "status_code"]
    list_filter = ["method", "status_code"]
    search_fields = ["key", "path", "user__username"]


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin):
    list_display = ["name", "last"]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username"]
