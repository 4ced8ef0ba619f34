"""Pages that post on one item ledger entry (costing.entry_actions); costing.urls includes them."""

from django.urls import path

from costing import entry_actions

urlpatterns = [
    path(
        "item-ledger-entries/<int:entry_no>/invoice/",
        entry_actions.invoice_entry,
        name="item-ledger-entry-invoice",
    ),
    path(
        "item-ledger-entries/<int:entry_no>/item-charge/",
        entry_actions.item_charge,
        name="item-ledger-entry-item-charge",
    ),
]
