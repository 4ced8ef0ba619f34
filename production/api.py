"""REST API of production: work centers (read), production orders (create, release, consumption, capacity, output,
finish), the order's entries and cost breakdown, and Calculate Standard Cost.

Thin views as in costing.api: parse with a serializer, call one service, answer with what it created. Postings need
core.post_entries and honour ``Idempotency-Key``; Calculate Standard Cost changes setup (core.manage_setup).
"""

import django_filters
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import IdempotentPostMixin
from core.filters import FilterSet
from core.permissions import POST, SETUP
from costing.api import POSTING_RESPONSES, created
from costing.serializers import ItemLedgerEntrySerializer, ValueEntrySerializer
from ledger.api import ERROR_RESPONSES
from production import selectors, services
from production.models import ProductionOrder
from production.serializers import (
    CapacitySerializer,
    ConsumptionSerializer,
    DatedSerializer,
    OutputSerializer,
    ProductionOrderCreateSerializer,
    ProductionOrderDetailSerializer,
    ProductionOrderSerializer,
    StandardCostSharesSerializer,
    WorkCenterSerializer,
)


def _order_or_404(no: str):
    order = selectors.production_order(no)
    if order is None:
        raise NotFound(gettext("Production order %(no)s does not exist.") % {"no": no})
    return order


class ProductionOrderFilter(FilterSet):
    """Item and location by code: an unknown code lists nothing (as the ledgers' filters do) instead of a 400."""

    item = django_filters.CharFilter(field_name="item_id")
    location = django_filters.CharFilter(field_name="location_id")

    class Meta:
        model = ProductionOrder
        fields = ["status", "item", "location"]


def _detail(order) -> dict:
    order.cost_breakdown = selectors.cost_breakdown(order)
    return ProductionOrderDetailSerializer(order).data


@extend_schema(tags=["production"])
class WorkCenterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkCenterSerializer
    queryset = selectors.work_centers()
    lookup_field = "no"
    filterset_fields = ["subcontracted"]
    ordering_fields = ["no", "name"]
    ordering = ["no"]


@extend_schema(tags=["production"])
class ProductionOrderListView(IdempotentPostMixin, generics.ListAPIView):
    """Production orders; POST creates one (firm planned or released)."""

    serializer_class = ProductionOrderSerializer
    queryset = selectors.production_orders()
    filterset_class = ProductionOrderFilter
    ordering_fields = ["no", "item", "status", "due_date"]
    ordering = ["no"]
    write_permission = POST

    @extend_schema(
        request=ProductionOrderCreateSerializer,
        responses={201: ProductionOrderDetailSerializer, **ERROR_RESPONSES},
        operation_id="production_order_create",
    )
    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def _post(self, request):
        serializer = ProductionOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data, "location": serializer.validated_data["location"] or ""}
        order = services.create_order(**data)
        return Response(_detail(selectors.production_order(order.no)), status=status.HTTP_201_CREATED)


@extend_schema(tags=["production"])
class ProductionOrderDetailView(generics.GenericAPIView):
    """One order with its cost breakdown: expected vs actual per cost share, variances, WIP."""

    serializer_class = ProductionOrderDetailSerializer

    def get(self, request, no):
        return Response(_detail(_order_or_404(no)))


@extend_schema(tags=["production"])
class ProductionOrderEntriesView(generics.GenericAPIView):
    """The order's item ledger entries (consumption, output) and value entries (including capacity)."""

    serializer_class = ValueEntrySerializer

    @extend_schema(responses={200: dict})
    def get(self, request, no):
        _order_or_404(no)
        entries = selectors.order_entries(no)
        return Response(
            {
                "item_ledger_entries": ItemLedgerEntrySerializer(entries["item_ledger_entries"], many=True).data,
                "value_entries": ValueEntrySerializer(entries["value_entries"], many=True).data,
            }
        )


class OrderPostingView(IdempotentPostMixin, generics.GenericAPIView):
    """A posting on the order of the URL (404 for an unknown order); one transaction, idempotent with a key."""

    write_permission = POST

    def post(self, request, no):
        return self.idempotent(request, lambda: self._post(request, no))

    def _post(self, request, no):
        _order_or_404(no)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.call(no, request.user, serializer.validated_data)


@extend_schema(tags=["production"])
class ConsumptionView(OrderPostingView):
    serializer_class = ConsumptionSerializer

    @extend_schema(responses=POSTING_RESPONSES, operation_id="production_order_consumption")
    def post(self, request, no):
        return super().post(request, no)

    def call(self, no, user, data):
        components = data.pop("components")
        if components is not None:
            components = [services.ComponentLine(**c) for c in components]
        return created(services.post_consumption(no, components=components, user=user, **data))


@extend_schema(tags=["production"])
class CapacityView(OrderPostingView):
    serializer_class = CapacitySerializer

    @extend_schema(responses=POSTING_RESPONSES, operation_id="production_order_capacity")
    def post(self, request, no):
        return super().post(request, no)

    def call(self, no, user, data):
        return created(services.post_capacity(no, user=user, **data))


@extend_schema(tags=["production"])
class OutputView(OrderPostingView):
    serializer_class = OutputSerializer

    @extend_schema(responses=POSTING_RESPONSES, operation_id="production_order_output")
    def post(self, request, no):
        return super().post(request, no)

    def call(self, no, user, data):
        return created(services.post_output(no, user=user, **data))


@extend_schema(tags=["production"])
class ReleaseView(OrderPostingView):
    serializer_class = ProductionOrderDetailSerializer

    @extend_schema(
        request=None,
        responses={200: ProductionOrderDetailSerializer, **ERROR_RESPONSES},
        operation_id="production_order_release",
    )
    def post(self, request, no):
        return super().post(request, no)

    def _post(self, request, no):
        _order_or_404(no)
        return Response(_detail(services.release_order(no)))


@extend_schema(tags=["production"])
class FinishView(OrderPostingView):
    serializer_class = DatedSerializer

    @extend_schema(
        responses={200: ProductionOrderDetailSerializer, **ERROR_RESPONSES}, operation_id="production_order_finish"
    )
    def post(self, request, no):
        return super().post(request, no)

    def call(self, no, user, data):
        return Response(_detail(services.finish_order(no, **data)))


@extend_schema(tags=["production"])
class CalculateStandardCostView(generics.GenericAPIView):
    """Calculate Standard Cost (4.5, single level): the item's cost shares and standard cost from BOM and routing."""

    write_permission = SETUP
    serializer_class = StandardCostSharesSerializer

    @extend_schema(
        request=None,
        responses={200: StandardCostSharesSerializer, **ERROR_RESPONSES},
        operation_id="item_calculate_standard_cost",
    )
    def post(self, request, no):
        return Response(StandardCostSharesSerializer(services.calculate_standard_cost(no)).data)
