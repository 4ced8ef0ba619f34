from django.urls import path

from costing import views_batch

urlpatterns = [
    path("cost-adjustment/", views_batch.cost_adjustment, name="cost-adjustment"),
    path("cost-adjustment/run/", views_batch.run_cost_adjustment, name="cost-adjustment-run"),
    path("cost-adjustment/exclusion/", views_batch.change_exclusion, name="cost-adjustment-exclusion"),
    path(
        "cost-adjustment/runs/<int:run_id>/progress/",
        views_batch.cost_adjustment_progress,
        name="cost-adjustment-progress",
    ),
    path("cost-adjustment/<str:no>/entry-points/", views_batch.item_entry_points, name="cost-adjustment-entry-points"),
    path("post-inventory-cost/", views_batch.post_inventory_cost, name="post-inventory-cost"),
    path("post-inventory-cost/test-report/", views_batch.post_inventory_cost_test, name="post-inventory-cost-test"),
    path("post-inventory-cost/run/", views_batch.run_post_inventory_cost, name="post-inventory-cost-run"),
    path(
        "post-inventory-cost/runs/<int:run_id>/",
        views_batch.post_inventory_cost_run,
        name="post-inventory-cost-run-report",
    ),
    path(
        "post-inventory-cost/runs/<int:run_id>/progress/",
        views_batch.post_inventory_cost_run_progress,
        name="post-inventory-cost-run-progress",
    ),
]
