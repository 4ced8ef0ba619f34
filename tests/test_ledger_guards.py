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


def _raw_transaction(cur, no: int, register: int, lines: list[tuple[int, str, str]]) -> None:
    cur.execute(
        "INSERT INTO ledger_gl_transaction (no, register_no, created_at) VALUES (%s, %s, now())", [no, register]
    )
    for entry_no, account, amount in lines:
        cur.execute(
            "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
            " document_no, external_document_no, description, amount, source_code, system_created,"
            " created_at) VALUES (%s, %s, %s, %s, '2026-01-05', 'X', '', '', %s, 'X', false, now())",
            [entry_no, no, register, account, amount],
        )


def test_one_unbalanced_transaction_among_many_is_refused_at_commit(accounts):
    """The balance check runs once per commit over all its G/L transactions (balance_check_once.sql)."""
    with pytest.raises(IntegrityError, match="G/L transaction 7 does not balance"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
                "VALUES (1, 1, 20, 'X', now())"
            )
            for no in range(1, 11):
                amount = "-4.99" if no == 7 else "-5.00"
                _raw_transaction(cur, no, 1, [(2 * no - 1, "2130", "5.00"), (2 * no, "7291", amount)])
    assert GLEntry.objects.count() == 0


def test_a_line_added_after_the_balance_check_is_checked_at_once(accounts):
    """After SET CONSTRAINTS ... IMMEDIATE has run the check, the note that says "checked" cannot hide a line that
    unbalances an already checked transaction: the insert trigger checks it on the spot."""
    with pytest.raises(IntegrityError, match="G/L transaction 1 does not balance"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
                "VALUES (1, 1, 3, 'X', now())"
            )
            _raw_transaction(cur, 1, 1, [(1, "2130", "5.00"), (2, "7291", "-5.00")])
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            cur.execute(
                "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
                " document_no, external_document_no, description, amount, source_code, system_created,"
                " created_at) VALUES (3, 1, 1, '2130', '2026-01-05', 'X', '', '', 1, 'X', false, now())"
            )
    assert GLEntry.objects.count() == 0


def test_a_transaction_cannot_claim_another_database_transaction(accounts):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
            "VALUES (1, 1, 2, 'X', now())"
        )
        cur.execute("INSERT INTO ledger_gl_transaction (no, register_no, created_at, xid) VALUES (1, 1, now(), 42)")
        cur.execute("SELECT xid = txid_current() FROM ledger_gl_transaction WHERE no = 1")
        assert cur.fetchone()[0] is True
        _raw_transaction(cur, 2, 1, [(1, "2130", "5.00"), (2, "7291", "-5.00")])
        cur.execute("SELECT xid = txid_current() FROM ledger_gl_transaction WHERE no = 2")
        assert cur.fetchone()[0] is True
        cur.execute(
            "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
            " document_no, external_document_no, description, amount, source_code, system_created,"
            " created_at) VALUES (3, 1, 1, '2130', '2026-01-05', 'X', '', '', 1, 'X', false, now()),"
            " (4, 1, 1, '7291', '2026-01-05', 'X', '', '', -1, 'X', false, now())"
        )
    assert GLEntry.objects.count() == 4


def test_a_transaction_added_after_the_balance_check_is_checked_at_commit(accounts):
    with pytest.raises(IntegrityError, match="G/L transaction 2 does not balance"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at) "
                "VALUES (1, 1, 4, 'X', now())"
            )
            _raw_transaction(cur, 1, 1, [(1, "2130", "5.00"), (2, "7291", "-5.00")])
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            _raw_transaction(cur, 2, 1, [(3, "2130", "5.00"), (4, "7291", "-4.00")])
    assert GLEntry.objects.count() == 0


def test_g_l_lines_need_a_register_of_their_own_database_transaction(accounts):
    post_gl_journal(journal(("2130", "10.00"), ("7291", "-10.00")))
    with pytest.raises(IntegrityError, match="did not open or extend"), transaction.atomic():
        with connection.cursor() as cur:
            _raw_transaction(cur, 99, 1, [(50, "2130", "5.00"), (51, "7291", "-5.00")])
    assert GLEntry.objects.count() == 2
