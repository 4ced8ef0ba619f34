from django.urls import path

from costing import views

urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/<str:no>/", views.item_detail, name="item-card"),
    path("item-ledger-entries/", views.item_ledger_entry_list, name="item-ledger-entries"),
    path("item-ledger-entries/<int:entry_no>/", views.item_ledger_entry_detail, name="item-ledger-entry"),
    path("value-entries/", views.value_entry_list, name="value-entries"),
    path("item-application-entries/", views.application_entry_list, name="item-application-entries"),
    path("item-journal/", views.item_journal, name="item-journal"),
    path("cancel-document/", views.cancel_document, name="cancel-document"),
]
