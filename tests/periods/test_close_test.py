"""Close Inventory Period - Test (costing reference 4.10, 5.3): each reason provoked on purpose, each naming the item
and the entry; warnings for value entries not yet posted to the G/L do not block."""

from datetime import date
from decimal import Decimal

import pytest

from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import Item
from costing.posting import post_item_charge
from periods import selectors
from tests.periods.conftest import JAN31, line, post

pytestmark = pytest.mark.django_db


def reasons(ending_date=JAN31):
    return [(p.code, p.item, p.entry_no) for p in selectors.close_test(ending_date).problems]


def test_nothing_posted_is_clean(books):
    test = selectors.close_test(JAN31)
    assert test.clean and test.warnings == []
    assert test.as_dict() == {"ending_date": "2026-01-31", "can_close": True, "problems": [], "warnings": []}


@pytest.mark.django_db(transaction=True)
def test_unadjusted_item_names_the_entries_changed_since_the_last_adjustment(books):
    """Transactional: "since the last adjustment" compares commit-time stamps, one transaction per service call."""
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10))
    assert reasons() == [("item_not_adjusted", "A", 1)]
    adjust_cost()
    assert reasons() == []
    post(line("sale", date(2026, 1, 20), 4))
    problem = selectors.close_test(JAN31).problems[0]
    assert (problem.code, problem.entries) == ("item_not_adjusted", [2])
    assert problem.message == (
        "The item A has entries in this period that have not been adjusted (item ledger entries 2)."
    )
    assert problem.guidance == "Run Adjust Cost - Item Entries for item A."


def test_unadjusted_item_with_entries_only_after_the_ending_date_does_not_block(books):
    post(line("purchase", date(2026, 2, 5), 10, unit_cost=10))
    assert reasons() == []
    assert reasons(date(2026, 2, 28)) == [("item_not_adjusted", "A", 1)]


def test_unadjusted_average_cost_entry_point(books):
    post(line("purchase", date(2026, 1, 5), 10, item_no="V", unit_cost=10))
    post(line("sale", date(2026, 1, 7), 4, item_no="V"))
    found = reasons()
    assert ("avg_cost_entry_point_not_adjusted", "V", 1) in found
    point = next(p for p in selectors.close_test(JAN31).problems if p.code == "avg_cost_entry_point_not_adjusted")
    assert "average cost period ending 2026-01-05" in point.message
    adjust_cost()
    assert reasons() == []


def test_entry_whose_cost_change_was_not_forwarded(books):
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10))
    post(line("sale", date(2026, 1, 20), 4))
    adjust_cost()
    # Excluded from adjustment, the item keeps its inbound entry marked "applied entry to adjust".
    Item.objects.filter(no="A").update(excluded_from_cost_adjustment=True)
    post_item_charge(1, posting_date=date(2026, 1, 25), document_no="FREIGHT", amount=Decimal("5.00"))
    adjust_cost()
    test = selectors.close_test(JAN31)
    assert [(p.code, p.entry_no) for p in test.problems] == [("item_not_adjusted", 1), ("applied_entry_to_adjust", 1)]
    assert "Item A is excluded from cost adjustment" in test.problems[0].guidance
    assert test.problems[1].message == (
        "Item ledger entry 1 (item A, 2026-01-05) has a cost change that has not been forwarded to the entries applied "
        "to it."
    )


def test_open_outbound_entry_negative_inventory(books):
    post(line("purchase", date(2026, 1, 5), 1, unit_cost=10), line("sale", date(2026, 1, 8), 3))
    adjust_cost()
    test = selectors.close_test(JAN31)
    assert [(p.code, p.item, p.entry_no) for p in test.problems] == [("open_outbound_entry", "A", 2)]
    assert test.problems[0].message == (
        "Item ledger entry 2 is open: item A, 2026-01-08, location -, 2 not applied (negative inventory)."
    )
    assert test.problems[0].guidance.startswith("Close the open item ledger entry")
    # An open outbound entry after the ending date does not block January.
    post(line("sale", date(2026, 2, 2), 1, location="WEST"))
    adjust_cost()
    assert reasons() == [("open_outbound_entry", "A", 2)]


def test_value_entries_not_posted_to_gl_warn_but_do_not_block(books):
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10), line("purchase", date(2026, 1, 6), 2, unit_cost=11))
    adjust_cost()
    test = selectors.close_test(JAN31)
    assert test.clean
    assert [(w.code, w.item, w.entry_no, w.blocking) for w in test.warnings] == [("not_posted_to_gl", "A", 1, False)]
    assert test.warnings[0].message == (
        "2 value entries of item A dated on or before 2026-01-31 are not posted to the G/L yet (first: value entry 1)."
    )
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert selectors.close_test(JAN31).warnings == []


def test_a_reason_with_more_rows_than_the_limit_says_how_many_more(books):
    post(*[line("sale", date(2026, 1, 10), 1, document_no=f"S{n}") for n in range(5)])
    adjust_cost()
    test = selectors.close_test(JAN31, limit=3)
    assert [p.entry_no for p in test.problems] == [1, 2, 3, None]
    assert test.problems[-1].message == "Only the first 3 are listed; there are more of the same kind."


@pytest.mark.django_db(transaction=True)
def test_the_test_split_over_two_connections_says_what_it_says_on_one(books):
    """Outside a transaction the close test reads on two connections (core.consistent); inside one, on one. The same
    problems, warnings and books figures, in the same order and language, either way."""
    from django.db import transaction
    from django.utils import translation

    post(line("purchase", date(2026, 1, 5), 1, unit_cost=10), line("sale", date(2026, 1, 8), 3))
    post(line("purchase", date(2026, 1, 9), 2, item_no="V", unit_cost=11), line("sale", date(2026, 1, 12), 1, "V"))
    post(*[line("sale", date(2026, 1, 10), 1, document_no=f"S{n}") for n in range(3)])
    messages = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            split = selectors.close_test(JAN31, limit=2)
            with transaction.atomic():
                inline = selectors.close_test(JAN31, limit=2)
        assert split.as_dict() == inline.as_dict()
        assert (split.books.counts, split.books.figures) == (inline.books.counts, inline.books.figures)
        assert len(split.problems) >= 4 and split.warnings
        messages[language] = [p.message for p in split.problems + split.warnings]
    # The reasons and the warning were written on the second connection's thread, in the caller's language.
    assert all(en != zh for en, zh in zip(messages["en"], messages["zh-hans"], strict=True))


@pytest.mark.django_db(transaction=True)
def test_close_period_runs_the_split_test_in_its_own_transaction(books):
    """close_period joins its transaction's snapshot (core.consistent, join=True): it refuses with exactly the
    problems the close test shows, and closes once they are gone, its snapshot rows from the test's balances."""
    from periods.models import InventoryPeriod
    from periods.services import PeriodNotClean, close_period, create_period

    create_period(ending_date=JAN31)
    post(line("purchase", date(2026, 1, 5), 4, unit_cost=10), line("sale", date(2026, 1, 8), 3))
    shown = [p.as_dict() for p in selectors.close_test(JAN31).problems]
    assert shown
    with pytest.raises(PeriodNotClean) as refused:
        close_period(JAN31)
    assert refused.value.problems == shown
    adjust_cost()
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    close_period(JAN31)
    assert InventoryPeriod.objects.get(ending_date=JAN31).closed
