"""The value entry guard (costing/migrations/sql/ve_hot_posting.sql): only the posted-to-G/L amounts may change, and
marking entries posted stays a heap-only update (no index covers those amounts)."""

import pytest
from django.db import IntegrityError, connection, transaction

from costing.models import ValueEntry
from costing.posting import post_item_journal
from tests.books import D, company, item
from tests.costing.test_posting_examples import line
from tests.guards import table_columns, watched_columns

pytestmark = pytest.mark.django_db

POSTED = {"cost_posted_to_gl", "expected_cost_posted_to_gl"}


def test_the_update_guard_watches_every_column_but_the_posted_amounts():
    """A column added later must be added to the trigger's WHEN list (rerun the DO block of ve_hot_posting.sql)."""
    table = "costing_value_entry"
    assert watched_columns(table, "ve_guard") == table_columns(table) - POSTED


def test_no_index_covers_the_posted_amounts():
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'costing_value_entry'")
        definitions = [row[0] for row in cur.fetchall()]
    assert definitions and not [d for d in definitions if any(c in d for c in POSTED)]


def test_posted_amounts_may_change_other_columns_may_not_and_nothing_is_deleted():
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 2, unit_cost=D("3"))])
    ve = ValueEntry.objects.get()
    with connection.cursor() as cur:
        cur.execute("UPDATE costing_value_entry SET cost_posted_to_gl = 6 WHERE entry_no = %s", [ve.entry_no])
    for statement in (
        "UPDATE costing_value_entry SET cost_amount_actual = 7 WHERE entry_no = %s",
        "UPDATE costing_value_entry SET document_no = 'X' WHERE entry_no = %s",
        "DELETE FROM costing_value_entry WHERE entry_no = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [ve.entry_no])
    ve.refresh_from_db()
    assert (ve.cost_posted_to_gl, ve.cost_amount_actual, ve.document_no) == (6, 6, ve.document_no)
