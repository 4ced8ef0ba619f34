"""The inventory subledger: setup (items, locations, posting groups and setups) and the three ledgers.

Item ledger entries record quantities, value entries record cost (expected and actual, by entry type), item
application entries record which inbound entry supplied which outbound entry. All three are append-only in
PostgreSQL (migrations/sql/costing_guards.sql) except the designed bookkeeping columns: remaining quantity / open /
invoiced quantity on item ledger entries, the Adjust Cost flag on application entries. Value entries never change:
what Post Inventory Cost to G/L has posted of them is kept beside them (``ValueEntryGLPosting``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.money import AMOUNT_FIELD, QUANTITY_FIELD, UNIT_COST_FIELD
from ledger.models import GenBusinessPostingGroup, GenProductPostingGroup, GLAccount, GLEntry, GLRegister

# ---------------------------------------------------------------------------------------------------------------- setup


class Location(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        db_table = "costing_location"
        ordering = ["code"]
        verbose_name = _("location")

    def __str__(self):
        return self.code


class InventoryPostingGroup(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        db_table = "costing_inventory_posting_group"
        ordering = ["code"]
        verbose_name = _("inventory posting group")

    def __str__(self):
        return self.code


class CostingMethod(models.TextChoices):
    FIFO = "fifo", _("FIFO")
    LIFO = "lifo", _("LIFO")
    SPECIFIC = "specific", _("Specific")
    AVERAGE = "average", _("Average")
    STANDARD = "standard", _("Standard")


class Item(models.Model):
    no = models.CharField(_("no."), max_length=20, primary_key=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    base_unit_of_measure = models.CharField(_("base unit of measure"), max_length=10, default="PCS")
    costing_method = models.CharField(
        _("costing method"), max_length=10, choices=CostingMethod.choices, default=CostingMethod.FIFO
    )
    unit_cost = models.DecimalField(_("unit cost"), default=0, **UNIT_COST_FIELD)
    standard_cost = models.DecimalField(_("standard cost"), default=0, **UNIT_COST_FIELD)
    last_direct_cost = models.DecimalField(_("last direct cost"), default=0, **UNIT_COST_FIELD)
    indirect_cost_percent = models.DecimalField(_("indirect cost %"), default=0, max_digits=9, decimal_places=5)
    overhead_rate = models.DecimalField(_("overhead rate"), default=0, **UNIT_COST_FIELD)
    inventory_posting_group = models.ForeignKey(
        InventoryPostingGroup, verbose_name=_("inventory posting group"), on_delete=models.PROTECT
    )
    gen_prod_posting_group = models.ForeignKey(
        GenProductPostingGroup, verbose_name=_("gen. prod. posting group"), on_delete=models.PROTECT
    )
    cost_is_adjusted = models.BooleanField(_("cost is adjusted"), default=True)
    allow_online_adjustment = models.BooleanField(_("allow online adjustment"), default=True)
    excluded_from_cost_adjustment = models.BooleanField(_("excluded from cost adjustment"), default=False)
    last_adjusted_at = models.DateTimeField(_("last cost adjustment"), null=True, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False)

    class Meta:
        db_table = "costing_item"
        ordering = ["no"]
        verbose_name = _("item")
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="item_unit_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(standard_cost__gte=0), name="item_standard_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(indirect_cost_percent__gte=0), name="item_indirect_cost_pct_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(overhead_rate__gte=0), name="item_overhead_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.no} {self.description}".strip()


def _account(label):
    return models.ForeignKey(
        GLAccount, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class InventoryPostingSetup(models.Model):
    """Accounts by Location x Inventory Posting Group (costing reference 1.1). A blank location is NULL."""

    location = models.ForeignKey(Location, verbose_name=_("location"), null=True, blank=True, on_delete=models.PROTECT)
    inventory_posting_group = models.ForeignKey(
        InventoryPostingGroup, verbose_name=_("inventory posting group"), on_delete=models.PROTECT
    )
    inventory_account = _account(_("inventory account"))
    inventory_account_interim = _account(_("inventory account (interim)"))
    wip_account = _account(_("WIP account"))
    material_variance_account = _account(_("material variance account"))
    capacity_variance_account = _account(_("capacity variance account"))
    subcontracted_variance_account = _account(_("subcontracted variance account"))
    cap_overhead_variance_account = _account(_("cap. overhead variance account"))
    mfg_overhead_variance_account = _account(_("mfg. overhead variance account"))

    ACCOUNT_FIELDS = (
        "inventory_account",
        "inventory_account_interim",
        "wip_account",
        "material_variance_account",
        "capacity_variance_account",
        "subcontracted_variance_account",
        "cap_overhead_variance_account",
        "mfg_overhead_variance_account",
    )

    class Meta:
        db_table = "costing_inventory_posting_setup"
        verbose_name = _("inventory posting setup")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "inventory_posting_group"],
                nulls_distinct=False,
                name="inventory_posting_setup_unique",
            ),
        ]

    def __str__(self):
        return f"{self.location_id or ''} / {self.inventory_posting_group_id}"


class AutomaticCostAdjustment(models.TextChoices):
    NEVER = "never", _("Never")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    ALWAYS = "always", _("Always")


class AverageCostCalcType(models.TextChoices):
    ITEM = "item", _("Item")
    ITEM_LOCATION_VARIANT = "item_location_variant", _("Item & Location & Variant")


class AverageCostPeriod(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    ACCOUNTING_PERIOD = "accounting_period", _("Accounting period")


class InventorySetup(models.Model):
    """Singleton (pk=1), costing reference 6.1. Initial values as Business Central's: Day, Item & Location & Variant."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    automatic_cost_posting = models.BooleanField(_("automatic cost posting"), default=False)
    expected_cost_posting_to_gl = models.BooleanField(_("expected cost posting to G/L"), default=False)
    automatic_cost_adjustment = models.CharField(
        _("automatic cost adjustment"),
        max_length=10,
        choices=AutomaticCostAdjustment.choices,
        default=AutomaticCostAdjustment.NEVER,
    )
    average_cost_calc_type = models.CharField(
        _("average cost calc. type"),
        max_length=30,
        choices=AverageCostCalcType.choices,
        default=AverageCostCalcType.ITEM_LOCATION_VARIANT,
    )
    average_cost_period = models.CharField(
        _("average cost period"), max_length=20, choices=AverageCostPeriod.choices, default=AverageCostPeriod.DAY
    )

    class Meta:
        db_table = "costing_inventory_setup"
        verbose_name = _("inventory setup")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="inventory_setup_singleton")]

    def __str__(self):
        return str(_("Inventory setup"))

    @classmethod
    def get(cls) -> "InventorySetup":
        obj, _created = cls.objects.get_or_create(id=1)
        return obj


# ------------------------------------------------------------------------------------------------------------ ledgers


class ItemLedgerEntryType(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    SALE = "sale", _("Sale")
    POSITIVE_ADJMT = "positive_adjmt", _("Positive Adjmt.")
    NEGATIVE_ADJMT = "negative_adjmt", _("Negative Adjmt.")
    TRANSFER = "transfer", _("Transfer")
    CONSUMPTION = "consumption", _("Consumption")
    OUTPUT = "output", _("Output")


class ValueEntryType(models.TextChoices):
    DIRECT_COST = "direct_cost", _("Direct Cost")
    REVALUATION = "revaluation", _("Revaluation")
    ROUNDING = "rounding", _("Rounding")
    INDIRECT_COST = "indirect_cost", _("Indirect Cost")
    VARIANCE = "variance", _("Variance")


class VarianceType(models.TextChoices):
    NONE = "", _("(none)")
    PURCHASE = "purchase", _("Purchase")
    MATERIAL = "material", _("Material")
    CAPACITY = "capacity", _("Capacity")
    SUBCONTRACTED = "subcontracted", _("Subcontracted")
    CAPACITY_OVERHEAD = "capacity_overhead", _("Capacity Overhead")
    MANUFACTURING_OVERHEAD = "manufacturing_overhead", _("Manufacturing Overhead")


class OrderType(models.TextChoices):
    NONE = "", _("(none)")
    PRODUCTION = "production", _("Production")
    TRANSFER = "transfer", _("Transfer")


class ItemRegister(models.Model):
    """One per posting call: the ranges of item ledger, value and application entries it created."""

    no = models.BigIntegerField(primary_key=True)
    from_entry_no = models.BigIntegerField(null=True)
    to_entry_no = models.BigIntegerField(null=True)
    from_value_entry_no = models.BigIntegerField(null=True)
    to_value_entry_no = models.BigIntegerField(null=True)
    source_code = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        db_table = "costing_item_register"
        ordering = ["no"]
        verbose_name = _("item register")


class ItemLedgerEntry(models.Model):
    entry_no = models.BigIntegerField(_("entry no."), primary_key=True)
    # Indexed by ile_item_date (item first); Django's own FK index (and its varchar_pattern_ops twin) only cost inserts.
    # Item, location and business group are checked once per INSERT statement, and the setup rows they name are
    # protected from DELETE, a key change and TRUNCATE by triggers (costing/migrations/sql/ile_setup_refs.sql), not by
    # deferred FKs: three checks and row locks per entry at commit were the whole of a posting's commit time.
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, db_column="item_no", db_index=False, db_constraint=False
    )
    posting_date = models.DateField(_("posting date"))
    entry_type = models.CharField(_("entry type"), max_length=20, choices=ItemLedgerEntryType.choices)
    document_no = models.CharField(_("document no."), max_length=40)
    external_document_no = models.CharField(_("external document no."), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    # No index on location or posting group alone: a handful of codes, no query filters by them alone.
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="location_code",
        db_index=False,
        db_constraint=False,
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    remaining_quantity = models.DecimalField(_("remaining quantity"), **QUANTITY_FIELD)
    invoiced_quantity = models.DecimalField(_("invoiced quantity"), **QUANTITY_FIELD)
    open = models.BooleanField(_("open"))
    positive = models.BooleanField(_("positive"))
    completely_invoiced = models.BooleanField(_("completely invoiced"))
    applies_to_entry = models.BigIntegerField(_("applies-to entry"), null=True, blank=True)
    # Adjust Cost bookkeeping: an inbound entry whose cost changed and must be forwarded to its outbound entries.
    applied_entry_to_adjust = models.BooleanField(default=False)
    gen_bus_posting_group = models.ForeignKey(
        GenBusinessPostingGroup, null=True, blank=True, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    order_type = models.CharField(max_length=20, choices=OrderType.choices, blank=True, default="")
    order_no = models.CharField(max_length=20, blank=True, default="")
    order_line_no = models.IntegerField(default=0)
    # A transfer posts an outbound and an inbound entry; the inbound one points at its outbound twin.
    transferred_from_entry = models.BigIntegerField(null=True, blank=True)
    # A correction (Business Central's Correction): the entry this one cancels, at that entry's cost (costing.cancel).
    # Unique: an entry is cancelled at most once, whatever two users do at the same moment.
    corrects_entry = models.BigIntegerField(_("cancels entry"), null=True, blank=True)
    # Written in the same transaction as its register row by the same service: no database FK (as on value entries).
    # No index either: a register's entries are its entry no. range (from_entry_no..to_entry_no), read by primary key.
    register = models.ForeignKey(
        ItemRegister, on_delete=models.PROTECT, db_column="register_no", db_constraint=False, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "costing_item_ledger_entry"
        ordering = ["entry_no"]
        verbose_name = _("item ledger entry")
        verbose_name_plural = _("item ledger entries")
        indexes = [
            # Application: the open inbound entries of an item, in application order (posting date, entry no.;
            # read backwards for LIFO).
            models.Index(
                fields=["item", "location", "posting_date", "entry_no"],
                condition=models.Q(open=True, positive=True),
                name="ile_open_inbound",
            ),
            # Application: open outbound entries (negative inventory) waiting for stock.
            models.Index(
                fields=["item", "location", "posting_date", "entry_no"],
                condition=models.Q(open=True, positive=False),
                name="ile_open_outbound",
            ),
            # Ledger pages and the close test filter by item and date.
            models.Index(fields=["item", "posting_date"], name="ile_item_date"),
            models.Index(fields=["posting_date"], name="ile_posting_date"),
            models.Index(fields=["document_no"], name="ile_document_no"),
            # The few entries a posting flagged for Adjust Cost (hundreds in a million): Adjust Cost clears the flag
            # per item, the close test lists them up to a date. Without it both read every entry of the items.
            models.Index(
                fields=["item", "posting_date"], condition=models.Q(applied_entry_to_adjust=True), name="ile_to_adjust"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="ile_quantity_not_zero"),
            models.UniqueConstraint(
                fields=["corrects_entry"], condition=models.Q(corrects_entry__isnull=False), name="ile_cancelled_once"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        positive=True,
                        quantity__gt=0,
                        remaining_quantity__gte=0,
                        remaining_quantity__lte=models.F("quantity"),
                    )
                    | models.Q(
                        positive=False,
                        quantity__lt=0,
                        remaining_quantity__lte=0,
                        remaining_quantity__gte=models.F("quantity"),
                    )
                ),
                name="ile_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=(models.Q(open=True) & ~models.Q(remaining_quantity=0))
                | (models.Q(open=False) & models.Q(remaining_quantity=0)),
                name="ile_open_iff_remaining",
            ),
        ]

    def __str__(self):
        return f"ILE {self.entry_no} {self.item_id} {self.quantity}"


class ValueEntryManager(models.Manager):
    """Value entries with what has been posted of them to the G/L (``ValueEntryGLPosting``) as two annotations,
    ``cost_posted_to_gl`` and ``expected_cost_posted_to_gl`` (zero until posted), so every ORM reader, the API and
    the pages see Business Central's two value entry fields. PostgreSQL drops the outer join from a query that does
    not use them (the posting row is unique per value entry)."""

    def get_queryset(self):
        zero = models.Value(Decimal("0.00"), output_field=models.DecimalField(**AMOUNT_FIELD))
        return (
            super()
            .get_queryset()
            .annotate(
                cost_posted_to_gl=Coalesce("gl_posting__cost_posted_to_gl", zero),
                expected_cost_posted_to_gl=Coalesce("gl_posting__expected_cost_posted_to_gl", zero),
            )
        )


class ValueEntry(models.Model):
    entry_no = models.BigIntegerField(_("entry no."), primary_key=True)
    # Checked once per INSERT statement (costing/migrations/sql/ledger_refs_checked.sql), not by a deferred FK.
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="item_ledger_entry_no",
        related_name="value_entries",
        db_index=False,  # ve_ile
        db_constraint=False,
    )
    # The item of the item ledger entry (which keeps its foreign key): no database FK, see below.
    # Indexed by ve_item_date (item first).
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, db_column="item_no", db_constraint=False, db_index=False
    )
    item_ledger_entry_type = models.CharField(
        _("item ledger entry type"), max_length=20, blank=True, choices=ItemLedgerEntryType.choices
    )
    entry_type = models.CharField(_("entry type"), max_length=20, choices=ValueEntryType.choices)
    variance_type = models.CharField(
        _("variance type"), max_length=30, blank=True, default="", choices=VarianceType.choices
    )
    posting_date = models.DateField(_("posting date"))
    valuation_date = models.DateField(_("valuation date"))
    document_no = models.CharField(_("document no."), max_length=40)
    external_document_no = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=100, blank=True)
    adjustment = models.BooleanField(_("adjustment"), default=False)
    expected_cost = models.BooleanField(_("expected cost"), default=False)
    item_charge = models.BooleanField(_("item charge"), default=False)
    item_ledger_entry_quantity = models.DecimalField(default=0, **QUANTITY_FIELD)
    valued_quantity = models.DecimalField(_("valued quantity"), default=0, **QUANTITY_FIELD)
    invoiced_quantity = models.DecimalField(_("invoiced quantity"), default=0, **QUANTITY_FIELD)
    cost_per_unit = models.DecimalField(default=0, **UNIT_COST_FIELD)
    cost_amount_actual = models.DecimalField(_("cost amount (actual)"), default=0, **AMOUNT_FIELD)
    cost_amount_expected = models.DecimalField(_("cost amount (expected)"), default=0, **AMOUNT_FIELD)
    applies_to_entry = models.BigIntegerField(_("applies-to entry"), null=True, blank=True)
    valued_by_average_cost = models.BooleanField(default=False)
    # Denormalised copies of what the item ledger entry and the item say (BC copies them too, so the G/L bridge and
    # the reports read one row). No database foreign key: the posting service takes them from rows it has just read
    # and validated, and a deferred FK check per column per row was most of a posting's commit
    # (docs/books-invariants.md).
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="location_code",
        db_constraint=False,
        db_index=False,
    )
    inventory_posting_group = models.ForeignKey(
        InventoryPostingGroup, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    gen_bus_posting_group = models.ForeignKey(
        GenBusinessPostingGroup, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    gen_prod_posting_group = models.ForeignKey(
        GenProductPostingGroup, null=True, blank=True, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    source_code = models.CharField(max_length=20)
    # Production: the order the entry belongs to; capacity entries (no item ledger entry) name their work center.
    order_type = models.CharField(max_length=20, choices=OrderType.choices, blank=True, default="")
    order_no = models.CharField(max_length=20, blank=True, default="")
    order_line_no = models.IntegerField(default=0)
    source_no = models.CharField(max_length=20, blank=True, default="")
    capacity_no = models.CharField(max_length=20, blank=True, default="")
    # Written in the same transaction as its register row by the same service: no database FK (see above).
    # No index: a register's value entries are its value entry no. range (from/to_value_entry_no).
    register = models.ForeignKey(
        ItemRegister, on_delete=models.PROTECT, db_column="register_no", db_constraint=False, db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ValueEntryManager()

    class Meta:
        db_table = "costing_value_entry"
        ordering = ["entry_no"]
        verbose_name = _("value entry")
        verbose_name_plural = _("value entries")
        indexes = [
            models.Index(fields=["item_ledger_entry"], name="ve_ile"),
            # Reconciliation and valuation reports aggregate by item and date.
            models.Index(fields=["item", "posting_date"], name="ve_item_date"),
            models.Index(fields=["posting_date"], name="ve_posting_date"),
            models.Index(fields=["valuation_date"], name="ve_valuation_date"),
            models.Index(fields=["document_no"], name="ve_document_no"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_cost=False) | models.Q(entry_type__in=["direct_cost", "revaluation"]),
                name="ve_expected_only_direct_or_revaluation",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_amount_expected=0) | models.Q(entry_type__in=["direct_cost", "revaluation"]),
                name="ve_expected_amount_only_direct_or_revaluation",
            ),
        ]

    def __str__(self):
        return f"VE {self.entry_no} {self.entry_type} {self.cost_amount_actual}"


class ItemApplicationEntry(models.Model):
    entry_no = models.BigIntegerField(_("entry no."), primary_key=True)
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        db_column="item_ledger_entry_no",
        related_name="+",
        db_index=False,
        # Always the inbound or the outbound entry of the same row, whose references are checked: no check of its own.
        db_constraint=False,
    )
    # Both checked once per INSERT statement (costing/migrations/sql/ledger_refs_checked.sql), not by deferred FKs.
    inbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        db_column="inbound_item_entry_no",
        related_name="inbound_applications",
        db_index=False,  # iae_inbound
        db_constraint=False,
    )
    outbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_column="outbound_item_entry_no",
        related_name="outbound_applications",
        db_index=False,  # iae_outbound
        db_constraint=False,
    )
    # The foreign keys' indexes are the named ones in Meta (Django's own would duplicate them).
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    posting_date = models.DateField(_("posting date"))
    cost_application = models.BooleanField(_("cost application"), default=False)
    # Adjust Cost bookkeeping: the outbound entry has taken the current cost of its inbound entry.
    outbound_entry_is_updated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "costing_item_application_entry"
        ordering = ["entry_no"]
        verbose_name = _("item application entry")
        verbose_name_plural = _("item application entries")
        indexes = [
            # Adjust Cost walks from an inbound entry to the outbound entries applied to it, and back.
            models.Index(fields=["inbound_item_entry"], name="iae_inbound"),
            models.Index(fields=["outbound_item_entry"], name="iae_outbound"),
            models.Index(fields=["item_ledger_entry"], name="iae_ile"),
        ]


class AvgCostAdjmtEntryPoint(models.Model):
    """Average cost: one row per item (x location with calc type Item & Location & Variant) per valuation period."""

    # No index of their own: the unique constraint (item, location, valuation date) serves lookups by item, and a
    # location is looked up by its entries, not its entry points. Adjust Cost marks every entry point of an item
    # adjusted, a non-HOT update (the partial index's predicate changes): with the two FK indexes and their two
    # pattern-ops twins that was seven index insertions per row, 4.3 s of a full run at 1,000,000 lines.
    item = models.ForeignKey(Item, on_delete=models.PROTECT, db_column="item_no", db_index=False)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, db_column="location_code", db_index=False
    )
    valuation_date = models.DateField()
    cost_is_adjusted = models.BooleanField(default=False)

    class Meta:
        db_table = "costing_avg_cost_adjmt_entry_point"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "location", "valuation_date"], nulls_distinct=False, name="avg_cost_entry_point_unique"
            ),
        ]
        indexes = [
            # Close test and Adjust Cost: unadjusted entry points up to a date.
            models.Index(
                fields=["valuation_date"], condition=models.Q(cost_is_adjusted=False), name="avg_entry_point_unadjusted"
            ),
        ]


class PostValueEntryToGL(models.Model):
    """The queue of value entries not yet posted to the G/L (BC table 5811).

    Written with the value entry when automatic cost posting is off; Post Inventory Cost to G/L claims rows with
    ``FOR UPDATE SKIP LOCKED`` and deletes them in the transaction that writes the G/L entries. Never a "last id"
    cutoff: a late commit would be skipped.
    """

    # Checked once per INSERT statement (costing/migrations/sql/ledger_refs_checked.sql), not by a deferred FK.
    value_entry = models.OneToOneField(
        ValueEntry, primary_key=True, on_delete=models.PROTECT, db_column="value_entry_no", db_constraint=False
    )
    # A copy of the value entry's item, for the item filter: no database FK (the value entry reference is the check).
    item = models.ForeignKey(
        Item, null=True, on_delete=models.PROTECT, db_column="item_no", db_constraint=False, db_index=False
    )  # pve_item_date
    posting_date = models.DateField()

    class Meta:
        db_table = "costing_post_value_entry_to_gl"
        indexes = [models.Index(fields=["item", "posting_date"], name="pve_item_date")]


class ValueEntryGLPosting(models.Model):
    """What Post Inventory Cost to G/L has posted of a value entry: Business Central's "Cost Posted to G/L" and
    "Expected Cost Posted to G/L", kept beside the value entry instead of in it.

    One row per value entry that has had anything posted, written in the transaction that writes its G/L entries; a
    later posting of the same entry (its expected cost once expected cost posting is turned on, say) adds to the row.
    So the value entries themselves never change after their posting, and marking a million of them posted writes
    narrow rows instead of a new version of each wide value entry row (docs/performance.md, "The seventeenth run":
    a fifth of the run). Rows are never deleted (costing/migrations/sql/ve_gl_posting.sql); a row names an existing
    value entry, checked once per INSERT statement, not by a deferred foreign key.
    """

    value_entry = models.OneToOneField(
        ValueEntry,
        primary_key=True,
        on_delete=models.PROTECT,
        db_column="value_entry_no",
        related_name="gl_posting",
        db_constraint=False,
    )
    cost_posted_to_gl = models.DecimalField(_("cost posted to G/L"), default=0, **AMOUNT_FIELD)
    expected_cost_posted_to_gl = models.DecimalField(_("expected cost posted to G/L"), default=0, **AMOUNT_FIELD)

    class Meta:
        db_table = "costing_value_entry_gl_posting"
        verbose_name = _("value entry posted to G/L")
        verbose_name_plural = _("value entries posted to G/L")


class GLItemLedgerRelation(models.Model):
    """Which G/L entries were posted from which value entry (BC table 5823), so both can be traced from the other.

    Keyed, as in Business Central, by the value entry and the G/L entry: one row per pair, so a value entry whose two
    lines fall into one posting group's G/L entry has one row with both lines' amounts (costing.gl_posting). The key
    leads with the value entry, so it also serves lookups by value entry; a separate id would be a third index on the
    table a Post Inventory Cost to G/L run writes millions of rows to (costing migration 0017)."""

    pk = models.CompositePrimaryKey("value_entry", "gl_entry")
    # Indexed by the primary key (value entry first) and glrel_gl_entry (Meta).
    # Both checked once per INSERT statement by a trigger (costing/migrations/sql/glrel_refs_checked.sql), not by
    # deferred foreign keys: a per-entry run writes millions of rows, and an FK check locks the referenced row.
    gl_entry = models.ForeignKey(
        GLEntry, on_delete=models.PROTECT, db_column="gl_entry_no", db_index=False, db_constraint=False
    )
    value_entry = models.ForeignKey(
        ValueEntry,
        on_delete=models.PROTECT,
        db_column="value_entry_no",
        related_name="gl_relations",
        db_index=False,
        db_constraint=False,
    )
    # A copy of the G/L entry's register (which its own FK checks): no database FK.
    gl_register = models.ForeignKey(
        GLRegister, on_delete=models.PROTECT, db_column="gl_register_no", db_constraint=False, db_index=False
    )
    # This value entry's share of the G/L entry's amount. Per entry it is the whole amount; per posting group a G/L
    # entry sums many value entries, and the shares let "cost posted to G/L = linked G/L amount" be checked per value
    # entry (reliability invariant I2) whatever the posting method.
    amount = models.DecimalField(default=0, **AMOUNT_FIELD)

    class Meta:
        db_table = "costing_gl_item_ledger_relation"
        indexes = [models.Index(fields=["gl_entry"], name="glrel_gl_entry")]


class AvgCostTotal(models.Model):
    """Running totals per item and location: the quantity of its item ledger entries and the cost of its value
    entries, kept by statement-level triggers on the two ledgers (migrations/sql/avg_cost_totals.sql), so whatever
    writes entries keeps them right.

    Posting values an Average item's decrease at value / quantity of everything posted so far (costing reference 4.3).
    Summing the item's whole history on every posting grew with the ledger; these rows are the same sums, read by key.
    Location is "" for entries without one. Rows exist for Average items only (nothing reads the others'); a change of
    an item's costing method recounts that item's rows (migrations/sql/avg_totals_average_items.sql).
    """

    item_no = models.CharField(max_length=20)
    location_code = models.CharField(max_length=20, blank=True, default="")
    quantity = models.DecimalField(default=0, **QUANTITY_FIELD)
    cost = models.DecimalField(default=0, **AMOUNT_FIELD)

    class Meta:
        db_table = "costing_avg_cost_total"
        constraints = [
            # Posting reads by item; the triggers upsert by (item, location).
            models.UniqueConstraint(fields=["item_no", "location_code"], name="avg_cost_total_unique"),
        ]

    def __str__(self):
        return f"{self.item_no} {self.location_code}: {self.quantity} / {self.cost}"
