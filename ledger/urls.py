from django.urls import path

from ledger import views

urlpatterns = [
    path("gl-accounts/", views.chart_of_accounts, name="chart-of-accounts"),
    path("gl-entries/", views.gl_entry_list, name="gl-entries"),
]
