"""API routes of the books (under /api/v1/). A plain list: other apps' routes live in their own api_urls."""

from django.urls import path

from ledger import api

urlpatterns = [
    *api.setup_routes("gl-accounts", api.GLAccountViewSet, "no", "gl-account"),
    *api.setup_routes("gen-business-posting-groups", api.GenBusinessPostingGroupViewSet, "code", "gen-bus-group"),
    *api.setup_routes("gen-product-posting-groups", api.GenProductPostingGroupViewSet, "code", "gen-prod-group"),
    *api.setup_routes("general-posting-setups", api.GeneralPostingSetupViewSet, "id", "general-posting-setup", "int"),
    path("setup/general-ledger/", api.GLSetupView.as_view(), name="gl-setup"),
    path("gl-journal/post/", api.GLJournalPostView.as_view(), name="gl-journal-post"),
    path("gl-entries/", api.GLEntryViewSet.as_view({"get": "list"}), name="gl-entry-list"),
    path("gl-entries/<int:entry_no>/", api.GLEntryViewSet.as_view({"get": "retrieve"}), name="gl-entry-detail"),
]
