from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from ledger.models import GLAccount
from ledger.services import post_gl_journal


@pytest.fixture
def accountant(db):
    user = User.objects.create_user("anna", password="s3cret-ledger-pass", first_name="Anna", last_name="Berg")
    user.groups.add(Group.objects.get(name="accountant"))
    return user


@pytest.fixture
def accountant_client(client, accountant):
    client.force_login(accountant)
    return client


@pytest.fixture
def chart(db):
    GLAccount.objects.create(no="1000", name="Balance sheet", income_balance="balance_sheet", account_type="heading")
    GLAccount.objects.create(no="2130", name="Inventory", income_balance="balance_sheet")
    GLAccount.objects.create(no="5510", name="Cash", income_balance="balance_sheet")
    GLAccount.objects.create(no="7291", name="Direct Cost Applied", income_balance="income_statement")
    GLAccount.objects.create(no="9999", name="Old account", income_balance="income_statement", blocked=True)


def line(account, amount, document_no, posting_date, description=""):
    return {
        "gl_account": account,
        "amount": Decimal(amount),
        "posting_date": posting_date,
        "document_no": document_no,
        "description": description,
    }


@pytest.fixture
def journal(chart, accountant):
    """Three transactions: 1,234.50 of inventory bought for cash, 80.00 applied, a cash correction in February."""
    post_gl_journal(
        [
            line("2130", "1234.50", "J-100", date(2026, 1, 5), "Inventory bought"),
            line("5510", "-1234.50", "J-100", date(2026, 1, 5), "Inventory bought"),
            line("7291", "80.00", "J-101", date(2026, 1, 20), "Cost applied"),
            line("2130", "-80.00", "J-101", date(2026, 1, 20), "Cost applied"),
        ],
        user=accountant,
    )
    post_gl_journal(
        [
            line("5510", "1000000.00", "J-200", date(2026, 2, 3), "Capital"),
            line("7291", "-1000000.00", "J-200", date(2026, 2, 3), "Capital"),
        ],
        user=accountant,
    )
