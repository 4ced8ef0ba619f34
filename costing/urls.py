from django.urls import include, path

from costing import views

urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/<str:no>/", views.item_detail, name="item-card"),
    path("item-ledger-entries/", views.item_ledger_entry_list, name="item-ledger-entries"),
    path("item-ledger-entries/<int:entry_no>/", views.item_ledger_entry_detail, name="item-ledger-entry"),
    path("value-entries/", views.value_entry_list, name="value-entries"),
    path("item-application-entries/", views.application_entry_list, name="item-application-entries"),
    path("item-journal/", views.item_journal, name="item-journal"),
    path("revaluation-journal/", views.revaluation_journal, name="revaluation-journal"),
    path("cancel-document/", views.cancel_document, name="cancel-document"),
    path("", include("costing.entry_action_urls")),
]
