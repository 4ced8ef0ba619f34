"""Item ledger entries keep room on their pages for the updates every posting makes (costing migration 0018)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_item_ledger_leaves_a_tenth_of_each_page_free():
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'costing_item_ledger_entry'")
        assert cur.fetchone()[0] == ["fillfactor=90"]


def ile_updates():
    """Rows updated, and of those heap-only, in the item ledger by this backend. The view also holds earlier
    transactions' counts until the backend flushes them (at most once a second), so only differences count."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'costing_item_ledger_entry'"
        )
        return cur.fetchone()


def test_a_partly_used_inbound_entry_is_updated_on_its_own_page(db):
    """Remaining quantity is no index column and "open" stays true: a heap-only update, no new index entries."""
    from datetime import date
    from decimal import Decimal

    from costing.posting import JournalLine, post_item_journal
    from tests import books

    books.company()
    books.item("A")
    day = date(2020, 1, 1)
    post_item_journal([JournalLine("purchase", day, "P1", "A", Decimal("10"), unit_cost=Decimal("2"))])
    updated, heap_only = ile_updates()
    post_item_journal([JournalLine("sale", day, "S1", "A", Decimal("3"))])
    after_updated, after_heap_only = ile_updates()
    assert (after_updated - updated, after_heap_only - heap_only) == (1, 1)
