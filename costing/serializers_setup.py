"""Serializers for inventory setup: locations, inventory posting groups and setups, items, the inventory setup."""

from rest_framework import serializers

from core.fields import CodeField, DecimalStringField, UnitCostField
from costing.models import InventoryPostingGroup, InventoryPostingSetup, InventorySetup, Item, Location
from ledger.serializers import KeyUnchangedMixin, account_field


class LocationSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    key_field = "code"

    class Meta:
        model = Location
        fields = ["code", "name"]
        extra_kwargs = {"code": {"validators": []}}


class InventoryPostingGroupSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    key_field = "code"

    class Meta:
        model = InventoryPostingGroup
        fields = ["code", "description"]
        extra_kwargs = {"code": {"validators": []}}


class InventoryPostingSetupSerializer(serializers.ModelSerializer):
    location = CodeField(required=False, allow_blank=True, default="")
    inventory_posting_group = CodeField()
    inventory_account = account_field()
    inventory_account_interim = account_field()
    wip_account = account_field()
    material_variance_account = account_field()
    capacity_variance_account = account_field()
    subcontracted_variance_account = account_field()
    cap_overhead_variance_account = account_field()
    mfg_overhead_variance_account = account_field()

    class Meta:
        model = InventoryPostingSetup
        fields = ["id", "location", "inventory_posting_group", *InventoryPostingSetup.ACCOUNT_FIELDS]
        validators = []


class ItemSerializer(KeyUnchangedMixin, serializers.ModelSerializer):
    unit_cost = UnitCostField(allow_negative=False, required=False)
    standard_cost = UnitCostField(allow_negative=False, required=False)
    last_direct_cost = UnitCostField(allow_negative=False, required=False)
    indirect_cost_percent = DecimalStringField(decimal_places=5, max_digits=9, allow_negative=False, required=False)
    overhead_rate = UnitCostField(allow_negative=False, required=False)
    inventory_posting_group = CodeField()
    gen_prod_posting_group = CodeField()

    class Meta:
        model = Item
        fields = [
            "no",
            "description",
            "base_unit_of_measure",
            "costing_method",
            "unit_cost",
            "standard_cost",
            "last_direct_cost",
            "indirect_cost_percent",
            "overhead_rate",
            "inventory_posting_group",
            "gen_prod_posting_group",
            "cost_is_adjusted",
            "allow_online_adjustment",
            "excluded_from_cost_adjustment",
            "blocked",
        ]
        read_only_fields = ["cost_is_adjusted"]
        extra_kwargs = {"no": {"validators": []}}


class InventorySetupSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventorySetup
        fields = [
            "automatic_cost_posting",
            "expected_cost_posting_to_gl",
            "automatic_cost_adjustment",
            "average_cost_calc_type",
            "average_cost_period",
        ]
