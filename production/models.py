"""Production: work centers, a single-level BOM and routing per item, standard cost shares, production orders.

The costs themselves live in the inventory ledgers (costing.models): consumption and output item ledger entries and
capacity value entries (no item ledger entry) carry order_type "production" and the order's number. These tables hold
the setup and the order's status and cost-adjustment bookkeeping only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import QUANTITY_FIELD, UNIT_COST_FIELD
from costing.models import Item, Location


class WorkCenter(models.Model):
    """Costs are per unit of time (minutes in the examples): direct unit cost, indirect cost %, overhead rate."""

    no = models.CharField(_("no."), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    direct_unit_cost = models.DecimalField(_("direct unit cost"), default=0, **UNIT_COST_FIELD)
    indirect_cost_percent = models.DecimalField(_("indirect cost %"), default=0, max_digits=9, decimal_places=5)
    overhead_rate = models.DecimalField(_("overhead rate"), default=0, **UNIT_COST_FIELD)
    # A subcontracted work center's direct cost is the Subcontracted cost share (4.5), not Capacity.
    subcontracted = models.BooleanField(_("subcontracted"), default=False)

    class Meta:
        db_table = "production_work_center"
        ordering = ["no"]
        verbose_name = _("work center")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direct_unit_cost__gte=0), name="wc_direct_unit_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(indirect_cost_percent__gte=0), name="wc_indirect_pct_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(overhead_rate__gte=0), name="wc_overhead_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.no} {self.name}".strip()


class BOMComponent(models.Model):
    """One line of an item's production BOM (single level): ``quantity_per`` units of ``component`` per unit."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bom_components", db_column="item_no")
    line_no = models.PositiveIntegerField(_("line no."))
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", db_column="component_no")
    quantity_per = models.DecimalField(_("quantity per"), **QUANTITY_FIELD)

    class Meta:
        db_table = "production_bom_component"
        ordering = ["item", "line_no"]
        verbose_name = _("BOM component")
        constraints = [
            models.UniqueConstraint(fields=["item", "line_no"], name="bom_component_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity_per__gt=0), name="bom_quantity_per_positive"),
            models.CheckConstraint(condition=~models.Q(component=models.F("item")), name="bom_component_not_itself"),
        ]


class RoutingOperation(models.Model):
    """One operation of an item's routing: ``run_time`` units of time per unit produced on ``work_center``."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="routing_operations", db_column="item_no")
    operation_no = models.CharField(_("operation no."), max_length=10)
    description = models.CharField(_("description"), max_length=100, blank=True)
    work_center = models.ForeignKey(WorkCenter, on_delete=models.PROTECT, db_column="work_center_no")
    run_time = models.DecimalField(_("run time"), **QUANTITY_FIELD)

    class Meta:
        db_table = "production_routing_operation"
        ordering = ["item", "operation_no"]
        verbose_name = _("routing operation")
        constraints = [
            models.UniqueConstraint(fields=["item", "operation_no"], name="routing_operation_unique"),
            models.CheckConstraint(condition=models.Q(run_time__gte=0), name="routing_run_time_not_negative"),
        ]


class StandardCostShares(models.Model):
    """The single-level cost shares of an item's standard cost (4.5); their sum is the standard cost."""

    item = models.OneToOneField(
        Item, primary_key=True, on_delete=models.CASCADE, related_name="cost_shares", db_column="item_no"
    )
    material = models.DecimalField(_("material"), default=0, **UNIT_COST_FIELD)
    capacity = models.DecimalField(_("capacity"), default=0, **UNIT_COST_FIELD)
    subcontracted = models.DecimalField(_("subcontracted"), default=0, **UNIT_COST_FIELD)
    capacity_overhead = models.DecimalField(_("capacity overhead"), default=0, **UNIT_COST_FIELD)
    manufacturing_overhead = models.DecimalField(_("manufacturing overhead"), default=0, **UNIT_COST_FIELD)

    SHARES = ("material", "capacity", "subcontracted", "capacity_overhead", "manufacturing_overhead")

    class Meta:
        db_table = "production_standard_cost_shares"
        verbose_name = _("standard cost shares")
        verbose_name_plural = _("standard cost shares")

    def __str__(self):
        return f"{self.item_id}: {self.total}"

    @property
    def total(self):
        return sum(getattr(self, name) for name in self.SHARES)


class ProductionOrderStatus(models.TextChoices):
    FIRM_PLANNED = "firm_planned", _("Firm Planned")
    RELEASED = "released", _("Released")
    FINISHED = "finished", _("Finished")


class ProductionOrder(models.Model):
    """One production order with one line (line no. 1): ``quantity`` of ``item`` at ``location``."""

    no = models.CharField(_("no."), max_length=20, primary_key=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", db_column="item_no")
    description = models.CharField(_("description"), max_length=100, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_column="location_code"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProductionOrderStatus.choices, default=ProductionOrderStatus.RELEASED
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    # Order-level cost adjustment (4.1): the standard cost shares per unit fixed at the first adjustment (4.5: for
    # produced items the standard cost is fixed at cost adjustment; a later revaluation must not move the variance),
    # and the last value entry of the order it has seen, so an order is adjusted again only when something new was
    # posted to it (consumption, its adjustment by a component's late cost, capacity).
    standard_material = models.DecimalField(null=True, blank=True, **UNIT_COST_FIELD)
    standard_capacity = models.DecimalField(null=True, blank=True, **UNIT_COST_FIELD)
    standard_subcontracted = models.DecimalField(null=True, blank=True, **UNIT_COST_FIELD)
    standard_capacity_overhead = models.DecimalField(null=True, blank=True, **UNIT_COST_FIELD)
    standard_manufacturing_overhead = models.DecimalField(null=True, blank=True, **UNIT_COST_FIELD)
    adjusted_through_value_entry = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "production_order"
        ordering = ["no"]
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="production_order_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(status="finished", finished_on__isnull=False) | ~models.Q(status="finished"),
                name="production_order_finished_has_date",
            ),
        ]
        indexes = [
            # Adjust Cost looks for finished orders with value entries it has not seen.
            models.Index(fields=["status", "no"], name="production_order_status"),
        ]

    def __str__(self):
        return f"{self.no} {self.item_id}"
