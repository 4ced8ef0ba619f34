from datetime import date
from decimal import Decimal

import pytest

from costing.posting import JournalLine, post_item_journal
from tests.books import company, item


@pytest.fixture
def books(db):
    """The test company with one FIFO item A (unit cost 10) and an Average item V."""
    company()
    item("A", unit_cost=Decimal("10"))
    item("V", method="average", unit_cost=Decimal("10"))


def line(entry_type, day, quantity, item_no="A", **kw):
    kw.setdefault("document_no", f"{entry_type.upper()}-{day:%m%d}")
    return JournalLine(entry_type=entry_type, posting_date=day, item=item_no, quantity=Decimal(str(quantity)), **kw)


def post(*lines, **kw):
    return post_item_journal(list(lines), **kw)


JAN31 = date(2026, 1, 31)
FEB28 = date(2026, 2, 28)
MAR31 = date(2026, 3, 31)
