"""Property tests: random valid journals keep the ledgers' quantity invariants, and after Adjust Cost every outbound
entry carries exactly the cost of what it is applied to (or, for Average items, the books balance to zero value when
the stock is gone)."""

import itertools
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing.adjustment import adjust_cost
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, post_item_charge, post_item_journal
from tests.books import company, item

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)

step = st.tuples(
    st.sampled_from(["purchase", "purchase", "sale", "sale", "positive_adjmt", "negative_adjmt", "transfer", "charge"]),
    st.integers(min_value=1, max_value=9),  # quantity
    st.integers(min_value=1, max_value=60),  # day of the year (back-dated postings happen naturally)
    st.sampled_from(["EAST", "WEST"]),
    st.integers(min_value=100, max_value=5000),  # unit cost in cents
)


def _post(item_no, steps):
    from datetime import date, timedelta

    for kind, quantity, day, location, cents in steps:
        posting_date = date(2026, 1, 1) + timedelta(days=day)
        if kind == "charge":
            inbounds = list(ItemLedgerEntry.objects.filter(item_id=item_no, positive=True).order_by("entry_no"))
            if inbounds:
                inbound = inbounds[cents % len(inbounds)]
                post_item_charge(
                    inbound.entry_no,
                    posting_date=max(posting_date, inbound.posting_date),
                    document_no="CHG",
                    amount=Decimal(cents) / 100,
                )
            continue
        other = "WEST" if location == "EAST" else "EAST"
        post_item_journal(
            [
                JournalLine(
                    entry_type=kind,
                    posting_date=posting_date,
                    document_no=f"D{day}",
                    item=item_no,
                    quantity=Decimal(quantity),
                    location=location,
                    new_location=other if kind == "transfer" else "",
                    unit_cost=Decimal(cents) / 100 if kind in ("purchase", "positive_adjmt") else None,
                )
            ]
        )


def _check_quantities(item_no):
    entries = ItemLedgerEntry.objects.filter(item_id=item_no)
    for e in entries:
        # An application's quantity carries the sign of the entry that created it: count magnitudes.
        if e.positive:
            apps = ItemApplicationEntry.objects.filter(
                inbound_item_entry=e, outbound_item_entry__isnull=False, cost_application=False
            )
            assert e.remaining_quantity == e.quantity - sum(abs(a.quantity) for a in apps), e
        else:
            apps = ItemApplicationEntry.objects.filter(outbound_item_entry=e, cost_application=False)
            assert e.remaining_quantity == e.quantity + sum(abs(a.quantity) for a in apps), e
        assert e.open == (e.remaining_quantity != 0)
    for location in ("EAST", "WEST"):
        here = entries.filter(location_id=location)
        on_hand = here.aggregate(s=Sum("quantity"))["s"] or 0
        assert on_hand == (here.aggregate(s=Sum("remaining_quantity"))["s"] or 0)


def _cost(entry_no, rounding=True):
    entries = ValueEntry.objects.filter(item_ledger_entry=entry_no)
    if not rounding:
        entries = entries.exclude(entry_type="rounding")
    agg = entries.aggregate(a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected"))
    return (agg["a"] or 0) + (agg["e"] or 0)


@pytest.mark.parametrize("method", ["fifo", "lifo", "standard", "average"])
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_random_journals_keep_invariants(method, steps, django_db_setup):
    from ledger.models import GLAccount

    if not GLAccount.objects.filter(no="2130").exists():
        company(average_calc_type="item_location_variant")
    item_no = f"P{next(_serial)}"
    item(item_no, method, standard_cost=Decimal("12.50"), unit_cost=Decimal("12.50"))
    _post(item_no, steps)
    _check_quantities(item_no)
    adjust_cost([item_no])
    assert adjust_cost([item_no]).value_entries == []  # a fixpoint
    for outbound in ItemLedgerEntry.objects.filter(item_id=item_no, positive=False, open=False):
        if method == "average" and not outbound.applies_to_entry:
            continue
        # Each application's cost is rounded to cents on its own (as Business Central does), the outbound cost is
        # their sum; inbound costs exclude their rounding entries, which settle the residuals of those parts.
        per_inbound: dict[int, Decimal] = {}
        for app in ItemApplicationEntry.objects.filter(outbound_item_entry=outbound, cost_application=False):
            per_inbound[app.inbound_item_entry_id] = per_inbound.get(app.inbound_item_entry_id, 0) + abs(app.quantity)
        expected = Decimal(0)
        for inbound_no, quantity in per_inbound.items():
            inbound = ItemLedgerEntry.objects.get(entry_no=inbound_no)
            expected += (quantity * _cost(inbound_no, rounding=False) / inbound.quantity).quantize(
                Decimal("0.01"), rounding="ROUND_HALF_UP"
            )
        assert _cost(outbound.entry_no) == -expected, outbound
    entries = ItemLedgerEntry.objects.filter(item_id=item_no)
    if entries.exists() and not entries.filter(~Q(remaining_quantity=0)).exists():
        # Everything is gone: the item's value must be exactly zero (rounding closes it).
        total = ValueEntry.objects.filter(item_id=item_no).aggregate(s=Sum("cost_amount_actual"))["s"] or 0
        total += ValueEntry.objects.filter(item_id=item_no).aggregate(s=Sum("cost_amount_expected"))["s"] or 0
        assert total == 0
