"""The posting gate (costing reference 4.9, 4.10): once a period is closed nothing is posted on or before its ending
date, neither through the services (409) nor through raw SQL (the trigger's IntegrityError). Applying to open inbound
entries of the closed period stays allowed, and cost adjustments of entries in it are dated the day after its end."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import Conflict
from costing.adjustment import adjust_cost
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import (
    RevaluationLine,
    invoice_item_ledger_entry,
    post_item_charge,
    post_revaluation_journal,
)
from periods import services
from tests.periods.conftest import JAN31, line, post

pytestmark = pytest.mark.django_db

CLOSED_MESSAGE = "You cannot post before 2026-02-01 because the inventory period ending 2026-01-31 is closed."


@pytest.fixture
def january_closed(books):
    """Receipt 1 (10 at 10, invoiced), receipt 2 (5, received not invoiced), sale 3 (4 from receipt 1): January
    closed."""
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10))
    post(line("purchase", date(2026, 1, 6), 5, unit_cost=12, invoiced_quantity=0))
    post(line("sale", date(2026, 1, 20), 4))
    adjust_cost()
    services.create_period(ending_date=JAN31, name="January")
    services.close_period(JAN31)


def refused(call):
    with pytest.raises(Conflict) as error:
        call()
    assert error.value.code == "inventory_period_closed"
    assert error.value.message.startswith(CLOSED_MESSAGE)
    return error.value


@pytest.mark.parametrize(
    "journal_line",
    [
        pytest.param(line("purchase", JAN31, 1, unit_cost=10), id="receipt"),
        pytest.param(line("purchase", date(2026, 1, 2), 1, unit_cost=10, invoiced_quantity=0), id="expected-receipt"),
        pytest.param(line("sale", date(2026, 1, 25), 1), id="shipment"),
        pytest.param(line("positive_adjmt", JAN31, 1), id="positive-adjustment"),
        pytest.param(line("negative_adjmt", date(2025, 12, 1), 1), id="negative-adjustment"),
        pytest.param(line("transfer", date(2026, 1, 15), 1, new_location="EAST"), id="transfer"),
        pytest.param(line("sale", JAN31, -1, applies_from_entry=3), id="sales-return"),
    ],
)
def test_no_journal_posting_on_or_before_the_closed_ending_date(january_closed, journal_line):
    count = ItemLedgerEntry.objects.count(), ValueEntry.objects.count()
    error = refused(lambda: post(journal_line))
    assert error.errors == {"lines[0].posting_date": ["Dated in a closed inventory period."]}
    assert (ItemLedgerEntry.objects.count(), ValueEntry.objects.count()) == count


def test_no_invoice_item_charge_or_revaluation_dated_in_the_closed_period(january_closed):
    count = ValueEntry.objects.count()
    refused(lambda: invoice_item_ledger_entry(2, posting_date=JAN31, document_no="PINV", unit_cost=Decimal("12")))
    refused(lambda: post_item_charge(1, posting_date=date(2026, 1, 30), document_no="FREIGHT", amount=Decimal("5")))
    refused(
        lambda: post_revaluation_journal(
            [RevaluationLine(item="A", posting_date=JAN31, document_no="REV", unit_cost_revalued=Decimal("11"))]
        )
    )
    assert ValueEntry.objects.count() == count
    # The day after the end is open again: the receipt of January is invoiced in February.
    invoice_item_ledger_entry(2, posting_date=date(2026, 2, 1), document_no="PINV", unit_cost=Decimal("12"))


def _copy_sql(table: str, key: str, new_no: int, source_no: int, posting_date: date) -> tuple[str, list]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        columns = [c for (c,) in cur.fetchall() if c not in (key, "posting_date")]
    listed = ", ".join(columns)
    sql = (
        f"INSERT INTO {table} ({key}, posting_date, {listed}) "  # noqa: S608 - table and columns come from the catalogue
        f"SELECT %s, %s, {listed} FROM {table} WHERE {key} = %s"
    )
    return sql, [new_no, posting_date, source_no]


@pytest.mark.parametrize(
    ("table", "key"),
    [("costing_item_ledger_entry", "entry_no"), ("costing_value_entry", "entry_no")],
)
def test_raw_sql_cannot_insert_entries_dated_in_the_closed_period(january_closed, table, key):
    sql, params = _copy_sql(table, key, 9001, 1, JAN31)
    with pytest.raises(IntegrityError, match="You cannot post before 2026-02-01"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)
    # The same insert dated after the period passes the gate.
    sql, params = _copy_sql(table, key, 9002, 1, date(2026, 2, 1))
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(sql, params)


def test_an_outbound_entry_after_the_period_may_apply_to_an_open_inbound_entry_of_the_closed_period(january_closed):
    result = post(line("sale", date(2026, 2, 3), 2, applies_to_entry=1))
    sale = result.item_ledger_entries[0]
    assert ItemApplicationEntry.objects.filter(inbound_item_entry=1, outbound_item_entry=sale.entry_no).exists()
    assert ItemLedgerEntry.objects.get(entry_no=1).remaining_quantity == 4
    # And without a fixed application, FIFO takes what is left of January's receipts.
    post(line("sale", date(2026, 2, 4), 5))
    assert ItemLedgerEntry.objects.get(entry_no=1).remaining_quantity == 0


def test_adjustment_of_an_entry_in_the_closed_period_is_dated_the_day_after_its_end(january_closed):
    """Freight invoiced in February on January's receipt: the January sale's adjustment cannot be dated January 20,
    so it takes the first open date, February 1 (4.9)."""
    post_item_charge(1, posting_date=date(2026, 2, 10), document_no="FREIGHT", amount=Decimal("20.00"))
    report = adjust_cost()
    assert [
        (v.item_ledger_entry_id, v.posting_date, v.cost_amount_actual, v.adjustment) for v in report.value_entries
    ] == [(3, date(2026, 2, 1), Decimal("-8.00"), True)]
    # Reopened, the same kind of adjustment keeps its own date.
    services.reopen_period(JAN31)
    post_item_charge(1, posting_date=date(2026, 2, 11), document_no="FREIGHT2", amount=Decimal("10.00"))
    report = adjust_cost()
    assert [(v.item_ledger_entry_id, v.posting_date, v.cost_amount_actual) for v in report.value_entries] == [
        (3, date(2026, 1, 20), Decimal("-4.00"))
    ]


@pytest.mark.django_db(transaction=True)
def test_a_posting_waiting_for_a_close_gets_the_409_once_the_close_commits(books):
    """The close holds the ledger counter rows; a posting that waits for them reads the period as closed."""
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10))
    adjust_cost()
    services.create_period(ending_date=JAN31)
    outcome = {}

    def receipt_on_january_31():
        try:
            post(line("purchase", JAN31, 1, unit_cost=10, document_no="LATE"))
            outcome["result"] = "posted"
        except Conflict as error:
            outcome["result"] = error.code
        finally:
            connection.close()

    with transaction.atomic():
        services.close_period(JAN31)
        worker = threading.Thread(target=receipt_on_january_31)
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # waiting for the counter rows the close holds
    worker.join(10)
    assert outcome == {"result": "inventory_period_closed"}
    assert not ItemLedgerEntry.objects.filter(document_no="LATE").exists()
