"""Inventory period pages. ``inventory-periods`` and ``close-checklist`` are the names the menu and docs link to."""

from django.urls import path

from periods import views

urlpatterns = [
    path("inventory-periods/", views.period_list, name="inventory-periods"),
    path("inventory-periods/<str:ending_date>/close/", views.period_close, name="inventory-period-close"),
    path("inventory-periods/<str:ending_date>/reopen/", views.period_reopen, name="inventory-period-reopen"),
    path("inventory-periods/<str:ending_date>/delete/", views.period_delete, name="inventory-period-delete"),
    path("inventory-periods/<str:ending_date>/close-test/", views.close_test, name="inventory-period-close-test"),
    path("inventory-period-entries/", views.entry_list, name="inventory-period-entries"),
    path("inventory-period-entries/<int:entry_no>/", views.entry_detail, name="inventory-period-entry"),
    path("close-checklist/", views.close_checklist, name="close-checklist"),
    path("close-checklist/adjust-cost/", views.checklist_adjust_cost, name="close-checklist-adjust-cost"),
    path("close-checklist/post-to-gl/", views.checklist_post_to_gl, name="close-checklist-post-to-gl"),
]
