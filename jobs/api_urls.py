"""API routes of the jobs (under /api/v1/)."""

from django.urls import path

from jobs import api

urlpatterns = [
    path("jobs/adjust-cost/", api.AdjustCostJobView.as_view(), name="job-adjust-cost"),
    path(
        "jobs/post-inventory-cost-to-gl/",
        api.PostInventoryCostToGLJobView.as_view(),
        name="job-post-inventory-cost-to-gl",
    ),
    path("job-runs/", api.JobRunViewSet.as_view({"get": "list"}), name="job-run-list"),
    path("job-runs/<int:pk>/", api.JobRunViewSet.as_view({"get": "retrieve"}), name="job-run-detail"),
    path("job-runs/<int:pk>/cancel/", api.JobRunViewSet.as_view({"post": "cancel"}), name="job-run-cancel"),
]
