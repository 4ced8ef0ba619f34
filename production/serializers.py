"""Production API: input and output shapes (docs/production.md, contract style of shared/spec/api.md)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import AmountField, QuantityField, UnitCostField
from production.models import ProductionOrder, ProductionOrderStatus, StandardCostShares, WorkCenter


class WorkCenterSerializer(serializers.ModelSerializer):
    direct_unit_cost = UnitCostField()
    indirect_cost_percent = serializers.DecimalField(max_digits=9, decimal_places=5, coerce_to_string=True)
    overhead_rate = UnitCostField()

    class Meta:
        model = WorkCenter
        fields = ["no", "name", "direct_unit_cost", "indirect_cost_percent", "overhead_rate", "subcontracted"]


class CostShareSerializer(serializers.Serializer):
    share = serializers.CharField()
    expected = AmountField()
    actual = AmountField()
    variance = AmountField()


class CostBreakdownSerializer(serializers.Serializer):
    quantity = QuantityField()
    output_quantity = QuantityField()
    shares = CostShareSerializer(many=True)
    total = serializers.DictField(child=AmountField())
    wip = AmountField()
    output_cost = AmountField()


class ProductionOrderSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item_id")
    location = serializers.CharField(source="location_id", allow_null=True)
    quantity = QuantityField()

    class Meta:
        model = ProductionOrder
        fields = ["no", "item", "description", "quantity", "location", "status", "due_date", "finished_on"]


class ProductionOrderDetailSerializer(ProductionOrderSerializer):
    cost_breakdown = CostBreakdownSerializer(read_only=True)

    class Meta(ProductionOrderSerializer.Meta):
        fields = [*ProductionOrderSerializer.Meta.fields, "cost_breakdown"]


class ProductionOrderCreateSerializer(serializers.Serializer):
    no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    item = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    quantity = QuantityField()
    location = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=ProductionOrderStatus.choices,
        default=ProductionOrderStatus.RELEASED,
        help_text=_("firm_planned or released."),
    )


class DatedSerializer(serializers.Serializer):
    posting_date = serializers.DateField()


class ComponentSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=20)
    quantity = QuantityField()
    location = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Defaults to the order's location."),
    )
    applies_to_entry = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ConsumptionSerializer(DatedSerializer):
    document_no = serializers.CharField(max_length=40)
    # A ListField, not ComponentSerializer(many=True, allow_null=True): DRF hands allow_null to the child as well, so
    # a null component got through validation (and was a 500 in the posting).
    components = serializers.ListField(
        child=ComponentSerializer(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Omit to consume the BOM: quantity per × order quantity."),
    )


class CapacitySerializer(DatedSerializer):
    document_no = serializers.CharField(max_length=40)
    work_center = serializers.CharField(max_length=20)
    run_time = QuantityField(help_text=_("In the work center's unit of time (minutes in the examples)."))
    operation_no = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class OutputSerializer(DatedSerializer):
    document_no = serializers.CharField(max_length=40)
    quantity = QuantityField()


class StandardCostSharesSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item_id")
    material = UnitCostField()
    capacity = UnitCostField()
    subcontracted = UnitCostField()
    capacity_overhead = UnitCostField()
    manufacturing_overhead = UnitCostField()
    standard_cost = UnitCostField(source="total")

    class Meta:
        model = StandardCostShares
        fields = [
            "item",
            "material",
            "capacity",
            "subcontracted",
            "capacity_overhead",
            "manufacturing_overhead",
            "standard_cost",
        ]
