"""URLs. Pages live at the root, the REST API under /api/v1/ (shared/spec/api.md)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# A database failure of the moment is a 503 with Retry-After on pages too (core.views.server_error).
handler500 = "core.views.server_error"

api_v1 = [
    path("", include("ledger.api_urls")),
    path("", include("costing.api_urls")),
    path("", include("reconciliation.api_urls")),
    path("", include("periods.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("production.api_urls")),
    path("", include("reports.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # The sign-in page offers the language switch too, so set_language must answer anonymous visitors.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("", include("ledger.urls")),
    path("", include("costing.urls")),
    path("", include("costing.urls_batch")),
    path("", include("reconciliation.urls")),
    path("", include("periods.urls")),
    path("", include("jobs.urls")),
    path("", include("production.urls")),
    path("", include("reports.urls")),
]
