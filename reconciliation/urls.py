from django.urls import path

from reconciliation import views

urlpatterns = [
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/print/", views.reconciliation_print, name="reconciliation-print"),
    path("reconciliation/export.<str:fmt>", views.reconciliation_export, name="reconciliation-export"),
    path("reconciliation/post-unposted/", views.post_unposted, name="reconciliation-post-unposted"),
    path("reconciliation/drilldown/", views.drilldown, name="reconciliation-drilldown"),
    path(
        "reconciliation/drilldown/export.<str:fmt>",
        views.drilldown_export,
        name="reconciliation-drilldown-export",
    ),
]
