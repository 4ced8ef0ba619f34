"""The books' invariants hold in PostgreSQL itself, whatever path writes to them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import InvalidInput
from ledger.models import GLAccount, GLEntry, GLSetup
from ledger.services import post_gl_journal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def accounts():
    GLAccount.objects.create(no="2130", name="Inventory", income_balance="balance_sheet")
    GLAccount.objects.create(no="7291", name="Direct Cost Applied", income_balance="income_statement")
    GLAccount.objects.create(no="2000", name="Assets", income_balance="balance_sheet", account_type="heading")
    GLAccount.objects.create(no="9999", name="Old", income_balance="income_statement", blocked=True)


def journal(*pairs, document_no="J1", posting_date=date(2026, 1, 5)):
    return [
        {"gl_account": acc, "amount": Decimal(amount), "posting_date": posting_date, "document_no": document_no}
        for acc, amount in pairs
    ]


def test_balanced_journal_posts_gap_free_entries(accounts):
    posted = post_gl_journal(journal(("2130", "150.00"), ("7291", "-150.00")))
    posted2 = post_gl_journal(journal(("2130", "1.10"), ("7291", "-1.10"), document_no="J2"))
    numbers = list(GLEntry.objects.values_list("entry_no", "amount"))
    assert numbers == [(1, Decimal("150.00")), (2, Decimal("-150.00")), (3, Decimal("1.10")), (4, Decimal("-1.10"))]
    assert posted.register.no == 1 and posted2.register.no == 2
    assert (posted2.register.from_entry_no, posted2.register.to_entry_no) == (3, 4)


def test_unbalanced_journal_is_refused_and_nothing_written(accounts):
    with pytest.raises(InvalidInput) as err:
        post_gl_journal(journal(("2130", "150.00"), ("7291", "-149.99")))
    assert "does not balance" in err.value.message
    assert GLEntry.objects.count() == 0


def test_database_refuses_unbalanced_transaction_at_commit(accounts):
    post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
            "VALUES (99, 50, 50, 'X', now())"
        )
        cur.execute("INSERT INTO ledger_gl_transaction (no, register_no, created_at) VALUES (99, 99, now())")
        cur.execute(
            "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
            " document_no, external_document_no, description, amount, source_code, system_created,"
            " created_at) VALUES (50, 99, 99, '2130', '2026-01-05', 'X', '', '', 5, 'X', false, now())"
        )
    assert GLEntry.objects.count() == 2


def test_database_refuses_line_added_to_a_committed_transaction(accounts):
    post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    with pytest.raises(IntegrityError, match="not opened by this posting"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
                " document_no, external_document_no, description, amount, source_code, system_created,"
                " created_at) VALUES (50, 1, 1, '2130', '2026-01-05', 'X', '', '', 0, 'X', false, now())"
            )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_gl_entry SET amount = 0 WHERE entry_no = 1",
        "DELETE FROM ledger_gl_entry WHERE entry_no = 1",
        "DELETE FROM ledger_gl_transaction",
    ],
)
def test_posted_entries_are_append_only(accounts, statement):
    post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    with pytest.raises(IntegrityError, match="never changed or deleted"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    assert list(GLEntry.objects.values_list("amount", flat=True)) == [Decimal("10.00"), Decimal("-10.00")]


def test_truncate_is_refused_outside_maintenance(accounts):
    post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    with pytest.raises(IntegrityError, match="never changed or deleted"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL costbook.maintenance = 'off'")
            cur.execute("TRUNCATE ledger_gl_entry CASCADE")
    assert GLEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ("2000", "is a heading"),
        ("9999", "is blocked"),
        ("4711", "does not exist"),
    ],
)
def test_bad_accounts_are_refused_naming_the_line(accounts, account, message):
    with pytest.raises(InvalidInput) as err:
        post_gl_journal(journal(("2130", "10.00"), (account, "-10.00")))
    assert message in err.value.message
    assert list(err.value.errors) == ["lines[1].gl_account"]
    assert GLEntry.objects.count() == 0


def test_database_refuses_blocked_account_even_past_the_service(accounts):
    with pytest.raises(IntegrityError, match="blocked or not a posting account"):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
                "VALUES (99, 50, 51, 'X', now())"
            )
            cur.execute("INSERT INTO ledger_gl_transaction (no, register_no, created_at) VALUES (99, 99, now())")
            cur.execute(
                "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
                " document_no, external_document_no, description, amount, source_code, system_created,"
                " created_at) VALUES (50, 99, 99, '9999', '2026-01-05', 'X', '', '', 5, 'X', false, now()),"
                " (51, 99, 99, '2130', '2026-01-05', 'X', '', '', -5, 'X', false, now())"
            )


def test_amount_with_three_decimals_is_refused(accounts):
    with pytest.raises(InvalidInput) as err:
        post_gl_journal(journal(("2130", "10.005"), ("7291", "-10.005")))
    assert list(err.value.errors) == ["lines[0].amount"]


def test_dates_outside_allowed_range_are_refused(accounts):
    GLSetup.objects.update_or_create(id=1, defaults={"allow_posting_from": date(2026, 2, 1)})
    with pytest.raises(InvalidInput) as err:
        post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    assert "not within the allowed posting dates" in err.value.message
    assert list(err.value.errors) == ["lines[0].posting_date"]
