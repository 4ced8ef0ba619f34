"""The inventory ledgers' references to each other (costing/migrations/sql/ledger_refs_checked.sql): checked once per
INSERT statement instead of by deferred foreign keys, with the same outcome: a value entry, application entry or queue
row naming an entry that does not exist is refused, whatever writes it."""

import pytest
from django.db import IntegrityError, connection, transaction

from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import post_item_journal
from tests.books import D, company, item
from tests.costing.test_posting_examples import line

pytestmark = pytest.mark.django_db

MISSING = 999_999


@pytest.fixture
def posted(db):
    company()
    item("A")
    post_item_journal([line("purchase", "01-05-20", 2, unit_cost=D("3")), line("sale", "01-06-20", 1)])


def copy_of(table: str, key: str, overrides: dict[str, str]) -> str:
    """INSERT ... SELECT of the table's first row with a new key and the given columns replaced (SQL expressions)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position",
            [table],
        )
        columns = [row[0] for row in cur.fetchall()]
    values = {key: f"{key} + 1000", **overrides}
    select = ", ".join(values.get(c, c) for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} "
        f"WHERE {key} = (SELECT min({key}) FROM {table})"
    )


@pytest.mark.parametrize(
    ("table", "key", "overrides", "message"),
    [
        ("costing_value_entry", "entry_no", {"item_ledger_entry_no": str(MISSING)}, "names item ledger entry 999999"),
        ("costing_item_application_entry", "entry_no", {"inbound_item_entry_no": str(MISSING)}, "entry 999999"),
        ("costing_item_application_entry", "entry_no", {"outbound_item_entry_no": str(MISSING)}, "entry 999999"),
        ("costing_post_value_entry_to_gl", "value_entry_no", {}, "names value entry"),
    ],
)
def test_a_reference_to_a_missing_entry_is_refused_at_insert(posted, table, key, overrides, message):
    with pytest.raises(IntegrityError, match=message), transaction.atomic(), connection.cursor() as cur:
        cur.execute(copy_of(table, key, overrides))


def test_references_to_existing_entries_go_in(posted):
    """Copies naming entries that exist (the value entry of a new number is written before its queue row)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(copy_of("costing_value_entry", "entry_no", {}))
        cur.execute(copy_of("costing_item_application_entry", "entry_no", {}))
        cur.execute(
            "INSERT INTO costing_post_value_entry_to_gl (value_entry_no, item_no, posting_date) "
            "SELECT max(entry_no), 'A', DATE '2020-01-07' FROM costing_value_entry"
        )
        transaction.set_rollback(True)
    assert ValueEntry.objects.count() == 2
    assert ItemApplicationEntry.objects.count() == 2
    assert ItemLedgerEntry.objects.count() == 2


def test_no_database_foreign_key_is_left_between_the_ledgers():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid IN ('costing_item_ledger_entry'::regclass, 'costing_value_entry'::regclass)"
        )
        assert cur.fetchall() == []
