"""Admin for the books. Setup is editable (account fields offer posting accounts only); posted rows are read-only."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, relation_links
from ledger.models import (
    GenBusinessPostingGroup,
    GeneralPostingSetup,
    GenProductPostingGroup,
    GLAccount,
    GLEntry,
    GLRegister,
    GLSetup,
    GLTransaction,
)


class PostingAccountsOnlyMixin:
    """Account fields of posting setups list posting accounts only: a heading cannot receive entries."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is GLAccount:
            kwargs["queryset"] = GLAccount.objects.filter(account_type=GLAccount.AccountType.POSTING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(GLAccount)
class GLAccountAdmin(admin.ModelAdmin):
    list_display = ["no", "name", "income_balance", "account_type", "blocked"]
    list_filter = ["income_balance", "account_type", "blocked"]
    search_fields = ["no", "name"]


@admin.register(GLSetup)
class GLSetupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "allow_posting_from", "allow_posting_to"]

    def has_add_permission(self, request):
        return not GLSetup.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GenBusinessPostingGroup)
class GenBusinessPostingGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(GenProductPostingGroup)
class GenProductPostingGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(GeneralPostingSetup)
class GeneralPostingSetupAdmin(PostingAccountsOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "gen_bus_posting_group",
        "gen_prod_posting_group",
        "cogs_account",
        "inventory_adjmt_account",
        "direct_cost_applied_account",
        "blocked",
    ]
    list_filter = ["blocked", "gen_bus_posting_group", "gen_prod_posting_group"]
    search_fields = ["gen_bus_posting_group__code", "gen_prod_posting_group__code"]
    list_select_related = ["gen_bus_posting_group", "gen_prod_posting_group"]


@admin.register(GLRegister)
class GLRegisterAdmin(ReadOnlyAdmin):
    list_display = ["no", "from_entry_no", "to_entry_no", "source_code", "created_at", "user"]
    list_filter = ["source_code"]
    search_fields = ["no", "source_code"]


@admin.register(GLTransaction)
class GLTransactionAdmin(ReadOnlyAdmin):
    list_display = ["no", "register", "created_at"]
    search_fields = ["no"]


@admin.register(GLEntry)
class GLEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "posting_date",
        "gl_account",
        "document_no",
        "description",
        "amount",
        "transaction_id",
        "source_code",
    ]
    list_filter = ["source_code", "system_created", "posting_date"]
    search_fields = ["document_no", "description", "gl_account__no"]
    date_hierarchy = "posting_date"
    list_select_related = ["gl_account"]
    readonly_fields = ["value_entries"]

    @admin.display(description=_("Value entries"))
    def value_entries(self, obj):
        """The value entries this G/L entry was posted from, with each one's share (the G/L - item ledger relation
        belongs to the subledger and is looked up by name, as in ledger.selectors)."""
        relation = apps.get_model("costing", "GLItemLedgerRelation")
        rows = relation.objects.filter(gl_entry=obj).order_by("value_entry_id")
        return relation_links(rows, "value_entry_id", "admin:costing_valueentry_change")
