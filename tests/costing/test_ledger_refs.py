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


# ------------------------------------------------------------------ the item ledger entry's item, location and group


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("item_no", "names item NOPE"),
        ("location_code", "names location NOPE"),
        ("gen_bus_posting_group_id", "names general business posting group NOPE"),
    ],
)
def test_an_entry_naming_a_missing_setup_row_is_refused_at_insert(posted, column, message):
    with pytest.raises(IntegrityError, match=message), transaction.atomic(), connection.cursor() as cur:
        cur.execute(copy_of("costing_item_ledger_entry", "entry_no", {column: "'NOPE'"}))


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM costing_item WHERE no = 'A'", "costing_item A is named by item ledger entries"),
        ("UPDATE costing_item SET no = 'A2' WHERE no = 'A'", "costing_item A is named"),
        ("DELETE FROM costing_location WHERE code = 'EAST'", "costing_location EAST is named"),
        ("UPDATE costing_location SET code = 'E2' WHERE code = 'EAST'", "costing_location EAST is named"),
        ("DELETE FROM ledger_gen_business_posting_group WHERE code = 'DOMESTIC'", "DOMESTIC is named"),
    ],
)
def test_setup_rows_named_by_entries_are_not_deleted_or_renamed(db, statement, message):
    company()
    item("A")
    item("UNUSED")
    post_item_journal(
        [line("purchase", "01-05-20", 2, unit_cost=D("3"), location="EAST", gen_bus_posting_group="DOMESTIC")]
    )
    with pytest.raises(IntegrityError, match=message), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)
    with connection.cursor() as cur:
        # Rows no entry names still go, and other columns of used rows still change.
        cur.execute("DELETE FROM costing_item WHERE no = 'UNUSED'")
        cur.execute("UPDATE costing_location SET name = 'East side' WHERE code = 'EAST'")
        cur.execute("INSERT INTO costing_location (code, name) VALUES ('NORTH', 'North')")
        cur.execute("DELETE FROM costing_location WHERE code = 'NORTH'")


def test_setup_tables_named_by_entries_are_not_emptied(posted):
    with connection.cursor() as cur:
        # Run the setup's pending deferred checks now: TRUNCATE refuses a table with pending trigger events.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET costbook.maintenance = 'off'")
    try:
        for table in ("costing_item", "costing_location", "ledger_gen_business_posting_group"):
            with pytest.raises(IntegrityError, match="named by item ledger entries"), transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute(f"TRUNCATE {table} CASCADE")
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET costbook.maintenance")
