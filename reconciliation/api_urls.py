"""API routes of the reconciliation (under /api/v1/)."""

from django.urls import path

from reconciliation import api

urlpatterns = [
    path("reconciliation/matrix/", api.MatrixView.as_view(), name="reconciliation-matrix"),
    path("reconciliation/drilldown/", api.DrilldownView.as_view(), name="reconciliation-drilldown-api"),
]
