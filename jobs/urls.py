"""Jobs pages. ``jobs`` is the name the menu links to."""

from django.urls import path

from jobs import views

urlpatterns = [
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/runs/", views.runs_partial, name="jobs-runs"),
    path("jobs/run/<str:job>/", views.run_now, name="jobs-run"),
    path("jobs/runs/<int:run_id>/cancel/", views.cancel, name="jobs-cancel"),
    path("jobs/schedules/", views.schedule_setup, name="jobs-schedule-setup"),
    path("jobs/schedules/<str:job>/", views.schedule_edit, name="jobs-schedule-edit"),
]
