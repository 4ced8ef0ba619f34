"""I2 / I4 (core.invariants.gl_link_counts): its first pass counts links without DISTINCT and only names candidates,
the second counts their distinct accounts and lines. Each way a value entry can be linked wrongly is counted once."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.invariants import MAX_GL_LINES_PER_VALUE_ENTRY, gl_link_counts, inventory_accounts
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import GLItemLedgerRelation
from ledger.models import GLEntry
from tests.jobs import support

pytestmark = pytest.mark.django_db


def _link(gl_entry: GLEntry, value_entry_no: int, amount: str = "0") -> None:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO costing_gl_item_ledger_relation (gl_entry_no, value_entry_no, gl_register_no, amount) "
            "VALUES (%s, %s, %s, %s)",
            [gl_entry.entry_no, value_entry_no, gl_entry.register_id, Decimal(amount)],
        )


def _counts() -> dict[str, int]:
    return gl_link_counts(inventory_accounts())


def test_clean_books_count_nothing_and_each_wrong_link_is_counted_once():
    support.company_with_items(3)
    run_post_inventory_cost_to_gl(method="per_entry")
    assert _counts() == {"I2_posted_differs_from_gl": 0, "I4_posted_twice": 0, "I4_too_many_gl_lines": 0}
    inventory = set(inventory_accounts())
    relations = list(GLItemLedgerRelation.objects.select_related("gl_entry").order_by("value_entry_id", "gl_entry_id"))
    first, second = sorted({r.value_entry_id for r in relations})[:2]
    own = [r.gl_entry for r in relations if r.value_entry_id == first]
    inv_line = next(g for g in own if g.gl_account_id in inventory)

    # The same inventory line linked twice: the relation's key (value entry, G/L entry) refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        _link(inv_line, first)

    # Another value entry linked to a line of a different G/L transaction: posted twice.
    other = next(r.gl_entry for r in relations if r.gl_entry.transaction_id != own[0].transaction_id
                 and r.value_entry_id != second and r.gl_entry.gl_account_id not in inventory)  # fmt: skip
    _link(other, second)
    assert _counts() == {"I2_posted_differs_from_gl": 0, "I4_posted_twice": 1, "I4_too_many_gl_lines": 0}

    # More distinct lines than the maximum (lines of other transactions, so it is posted twice too): too many.
    third = sorted({r.value_entry_id for r in relations})[2]
    linked = [r.gl_entry_id for r in relations if r.value_entry_id == third]
    others = GLEntry.objects.exclude(transaction_id=own[0].transaction_id).exclude(entry_no__in=linked)
    for g in others[: MAX_GL_LINES_PER_VALUE_ENTRY + 1]:
        _link(g, third)
    assert _counts() == {"I2_posted_differs_from_gl": 0, "I4_posted_twice": 2, "I4_too_many_gl_lines": 1}

    # A share that does not match what the entry posted: I2.
    foreign = next(g for g in GLEntry.objects.exclude(transaction_id=own[0].transaction_id))
    _link(foreign, first, "1.00")
    assert _counts()["I2_posted_differs_from_gl"] == 1


def test_a_second_inventory_line_of_the_same_account_and_transaction_is_posted_twice():
    """Per posting group a G/L transaction holds a day's groups: a sale's value entry linked to that day's purchase
    group as well (same inventory account, same transaction, so not split) is counted as posted twice, once."""
    support.company_with_items(3)
    run_post_inventory_cost_to_gl(method="per_posting_group", document_no="INVT-1")
    assert _counts() == {"I2_posted_differs_from_gl": 0, "I4_posted_twice": 0, "I4_too_many_gl_lines": 0}
    inventory = set(inventory_accounts())
    relations = list(
        GLItemLedgerRelation.objects.select_related("gl_entry", "value_entry").order_by("value_entry_id", "gl_entry_id")
    )
    # A sale's inventory line and another line of the same account in the same transaction (not every sale's day has
    # one: the first pair in entry order, not whichever sale the unordered query returned first).
    sale, purchases = next(
        (sale, r.gl_entry)
        for sale in relations
        if sale.value_entry.item_ledger_entry_type == "sale" and sale.gl_entry.gl_account_id in inventory
        for r in relations
        if (r.gl_entry.transaction_id, r.gl_entry.gl_account_id)
        == (sale.gl_entry.transaction_id, sale.gl_entry.gl_account_id)
        and r.gl_entry_id != sale.gl_entry_id
    )
    _link(purchases, sale.value_entry_id)
    assert _counts() == {"I2_posted_differs_from_gl": 0, "I4_posted_twice": 1, "I4_too_many_gl_lines": 0}
