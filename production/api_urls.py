"""API routes of production (under /api/v1/)."""

from django.urls import path

from production import api

urlpatterns = [
    path("work-centers/", api.WorkCenterViewSet.as_view({"get": "list"}), name="work-center-list"),
    path("work-centers/<str:no>/", api.WorkCenterViewSet.as_view({"get": "retrieve"}), name="work-center-detail"),
    path("production-orders/", api.ProductionOrderListView.as_view(), name="production-order-list"),
    path("production-orders/<str:no>/", api.ProductionOrderDetailView.as_view(), name="production-order-detail"),
    path(
        "production-orders/<str:no>/entries/", api.ProductionOrderEntriesView.as_view(), name="production-order-entries"
    ),
    path("production-orders/<str:no>/release/", api.ReleaseView.as_view(), name="production-order-release"),
    path("production-orders/<str:no>/consumption/", api.ConsumptionView.as_view(), name="production-order-consumption"),
    path("production-orders/<str:no>/capacity/", api.CapacityView.as_view(), name="production-order-capacity"),
    path("production-orders/<str:no>/output/", api.OutputView.as_view(), name="production-order-output"),
    path("production-orders/<str:no>/finish/", api.FinishView.as_view(), name="production-order-finish"),
    path(
        "items/<str:no>/calculate-standard-cost/",
        api.CalculateStandardCostView.as_view(),
        name="item-calculate-standard-cost",
    ),
]
