"""The item ledger entry guard (costing/migrations/sql/ile_guard_when.sql): only the designed bookkeeping columns may
change, never beyond the quantity, and nothing is deleted; the guard's WHEN clause must watch every other column."""

import pytest
from django.db import IntegrityError, connection, transaction

from costing.models import ItemLedgerEntry
from costing.posting import post_item_journal
from tests.books import D, company, item
from tests.costing.test_posting_examples import line
from tests.guards import table_columns, watched_columns

pytestmark = pytest.mark.django_db

BOOKKEEPING = {"remaining_quantity", "open", "invoiced_quantity", "completely_invoiced", "applied_entry_to_adjust"}


def test_the_update_guard_watches_every_column_but_the_bookkeeping():
    """A column added later must be added to the trigger's WHEN list (rerun the DO block of ile_guard_when.sql)."""
    table = "costing_item_ledger_entry"
    assert watched_columns(table, "ile_guard") == table_columns(table) - BOOKKEEPING


def test_bookkeeping_may_change_within_the_quantity_other_columns_may_not_and_nothing_is_deleted():
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 4, unit_cost=D("3"), invoiced_quantity=D("0"))])
    entry = ItemLedgerEntry.objects.get()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE costing_item_ledger_entry SET remaining_quantity = 1, invoiced_quantity = 4, "
            "completely_invoiced = true, applied_entry_to_adjust = true WHERE entry_no = %s",
            [entry.entry_no],
        )
    for statement, message in (
        ("UPDATE costing_item_ledger_entry SET document_no = 'X' WHERE entry_no = %s", "only its remaining"),
        ("UPDATE costing_item_ledger_entry SET quantity = 5, remaining_quantity = 5 WHERE entry_no = %s", "only its"),
        ("UPDATE costing_item_ledger_entry SET invoiced_quantity = 5 WHERE entry_no = %s", "beyond its quantity"),
        ("UPDATE costing_item_ledger_entry SET invoiced_quantity = -1 WHERE entry_no = %s", "beyond its quantity"),
        ("DELETE FROM costing_item_ledger_entry WHERE entry_no = %s", "cannot be deleted"),
    ):
        with pytest.raises(IntegrityError, match=message), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [entry.entry_no])
    entry.refresh_from_db()
    assert (entry.remaining_quantity, entry.invoiced_quantity, entry.document_no) == (1, 4, entry.document_no)
