"""REST API of inventory setup: locations, inventory posting groups and setups, items, the inventory setup."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from core.filters import FilterSet
from costing import selectors_setup, services_setup
from costing.models import InventoryPostingSetup, Item
from costing.serializers_setup import (
    InventoryPostingGroupSerializer,
    InventoryPostingSetupSerializer,
    InventorySetupSerializer,
    ItemSerializer,
    LocationSerializer,
)
from ledger.api import SetupViewSet


class InventoryPostingSetupFilter(FilterSet):
    location = django_filters.CharFilter(field_name="location_id")
    inventory_posting_group = django_filters.CharFilter(field_name="inventory_posting_group_id")

    class Meta:
        model = InventoryPostingSetup
        fields = []


class ItemFilter(FilterSet):
    description = django_filters.CharFilter(lookup_expr="icontains")
    inventory_posting_group = django_filters.CharFilter(field_name="inventory_posting_group_id")
    gen_prod_posting_group = django_filters.CharFilter(field_name="gen_prod_posting_group_id")

    class Meta:
        model = Item
        fields = ["costing_method", "cost_is_adjusted", "excluded_from_cost_adjustment", "blocked"]


@extend_schema(tags=["setup"])
class LocationViewSet(SetupViewSet):
    serializer_class = LocationSerializer
    queryset = selectors_setup.locations()
    lookup_field = "code"
    filterset_fields = ["code"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    create_service = staticmethod(services_setup.create_location)
    update_service = staticmethod(services_setup.update_location)
    delete_service = staticmethod(services_setup.delete_location)


@extend_schema(tags=["setup"])
class InventoryPostingGroupViewSet(SetupViewSet):
    serializer_class = InventoryPostingGroupSerializer
    queryset = selectors_setup.inventory_posting_groups()
    lookup_field = "code"
    filterset_fields = ["code"]
    ordering_fields = ["code", "description"]
    ordering = ["code"]
    create_service = staticmethod(services_setup.create_inventory_posting_group)
    update_service = staticmethod(services_setup.update_inventory_posting_group)
    delete_service = staticmethod(services_setup.delete_inventory_posting_group)


@extend_schema(tags=["setup"])
class InventoryPostingSetupViewSet(SetupViewSet):
    serializer_class = InventoryPostingSetupSerializer
    queryset = selectors_setup.inventory_posting_setups()
    lookup_field = "id"
    filterset_class = InventoryPostingSetupFilter
    ordering_fields = ["id", "location", "inventory_posting_group"]
    ordering = ["id"]
    create_service = staticmethod(services_setup.create_inventory_posting_setup)
    update_service = staticmethod(services_setup.update_inventory_posting_setup)
    delete_service = staticmethod(services_setup.delete_inventory_posting_setup)


@extend_schema(tags=["setup"])
class ItemViewSet(SetupViewSet):
    serializer_class = ItemSerializer
    queryset = selectors_setup.items()
    lookup_field = "no"
    filterset_class = ItemFilter
    ordering_fields = ["no", "description", "costing_method", "unit_cost", "inventory_posting_group"]
    ordering = ["no"]
    create_service = staticmethod(services_setup.create_item)
    update_service = staticmethod(services_setup.update_item)
    delete_service = staticmethod(services_setup.delete_item)


@extend_schema(tags=["setup"])
class InventorySetupView(generics.RetrieveUpdateAPIView):
    """The inventory setup (a singleton): automatic cost posting and adjustment, average cost settings."""

    serializer_class = InventorySetupSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors_setup.inventory_setup()

    def perform_update(self, serializer):
        serializer.instance = services_setup.update_inventory_setup(serializer.validated_data)
