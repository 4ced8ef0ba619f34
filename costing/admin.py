"""Admin for inventory setup (editable) and the inventory ledgers (read-only: entries are posted by the services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, relation_links
from costing.models import (
    AvgCostAdjmtEntryPoint,
    GLItemLedgerRelation,
    InventoryPostingGroup,
    InventoryPostingSetup,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    Location,
    PostValueEntryToGL,
    ValueEntry,
)
from ledger.admin import PostingAccountsOnlyMixin


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(InventoryPostingGroup)
class InventoryPostingGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(InventoryPostingSetup)
class InventoryPostingSetupAdmin(PostingAccountsOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "location", "inventory_posting_group", "inventory_account", "inventory_account_interim"]
    list_filter = ["location", "inventory_posting_group"]
    search_fields = ["location__code", "inventory_posting_group__code"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "no",
        "description",
        "costing_method",
        "unit_cost",
        "standard_cost",
        "inventory_posting_group",
        "gen_prod_posting_group",
        "cost_is_adjusted",
        "blocked",
    ]
    list_filter = [
        "costing_method",
        "inventory_posting_group",
        "gen_prod_posting_group",
        "cost_is_adjusted",
        "excluded_from_cost_adjustment",
        "blocked",
    ]
    search_fields = ["no", "description"]
    # Maintained by posting and Adjust Cost, not by hand.
    readonly_fields = ["cost_is_adjusted"]


@admin.register(InventorySetup)
class InventorySetupAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "automatic_cost_posting",
        "expected_cost_posting_to_gl",
        "automatic_cost_adjustment",
        "average_cost_calc_type",
        "average_cost_period",
    ]

    def has_add_permission(self, request):
        return not InventorySetup.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemRegister)
class ItemRegisterAdmin(ReadOnlyAdmin):
    list_display = ["no", "from_entry_no", "to_entry_no", "from_value_entry_no", "to_value_entry_no", "source_code"]
    list_filter = ["source_code"]
    search_fields = ["no"]


@admin.register(ItemLedgerEntry)
class ItemLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item",
        "posting_date",
        "entry_type",
        "document_no",
        "location",
        "quantity",
        "remaining_quantity",
        "invoiced_quantity",
        "open",
    ]
    list_filter = ["entry_type", "open", "positive", "completely_invoiced", "location"]
    search_fields = ["item__no", "document_no", "external_document_no"]
    date_hierarchy = "posting_date"


@admin.register(ValueEntry)
class ValueEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item_ledger_entry_id",
        "item",
        "posting_date",
        "entry_type",
        "adjustment",
        "expected_cost",
        "cost_amount_actual",
        "cost_amount_expected",
        "cost_posted",
    ]
    list_filter = ["entry_type", "item_ledger_entry_type", "adjustment", "expected_cost", "item_charge"]
    search_fields = ["item__no", "document_no"]
    date_hierarchy = "posting_date"
    readonly_fields = ["cost_posted", "expected_cost_posted", "gl_entries"]

    # The posted amounts are annotations of ValueEntry.objects (costing.models.ValueEntryGLPosting), not fields.
    @admin.display(description=_("cost posted to G/L"), ordering="cost_posted_to_gl")
    def cost_posted(self, obj):
        return obj.cost_posted_to_gl

    @admin.display(description=_("expected cost posted to G/L"), ordering="expected_cost_posted_to_gl")
    def expected_cost_posted(self, obj):
        return obj.expected_cost_posted_to_gl

    @admin.display(description=_("G/L entries"))
    def gl_entries(self, obj):
        """The G/L entries this value entry was posted to, with its share of each (the G/L - item ledger relation,
        which has no admin list of its own: the admin cannot list a model keyed by two columns)."""
        rows = GLItemLedgerRelation.objects.filter(value_entry=obj).order_by("gl_entry_id")
        return relation_links(rows, "gl_entry_id", "admin:ledger_glentry_change")


@admin.register(ItemApplicationEntry)
class ItemApplicationEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item_ledger_entry_id",
        "inbound_item_entry_id",
        "outbound_item_entry_id",
        "quantity",
        "posting_date",
        "cost_application",
    ]
    list_filter = ["cost_application", "outbound_entry_is_updated"]
    search_fields = ["entry_no", "item_ledger_entry__entry_no"]


@admin.register(AvgCostAdjmtEntryPoint)
class AvgCostAdjmtEntryPointAdmin(ReadOnlyAdmin):
    list_display = ["item", "location", "valuation_date", "cost_is_adjusted"]
    list_filter = ["cost_is_adjusted", "location"]
    search_fields = ["item__no"]


@admin.register(PostValueEntryToGL)
class PostValueEntryToGLAdmin(ReadOnlyAdmin):
    list_display = ["value_entry_id", "item", "posting_date"]
    search_fields = ["item__no"]
