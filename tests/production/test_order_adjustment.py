"""Order-level Adjust Cost (reference 4.1): a late cost change of a consumed component reaches the output and the
produced item's sales; the journal accepts consumption and output lines with an order no.; orders refuse postings
unless released."""

from decimal import Decimal

import pytest

from core import invariants
from core.errors import Conflict, InvalidInput
from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import ValueEntry
from costing.posting import JournalLine, post_item_charge, post_item_journal
from ledger.models import GLEntry
from periods import selectors as periods_selectors
from periods import services as periods
from periods.models import PeriodCloseSnapshot
from production import services
from production.models import WorkCenter
from reconciliation import selectors
from reconciliation.formulas import GL_SOURCES
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def cost_of(entry_no: int) -> Decimal:
    entries = ValueEntry.objects.filter(item_ledger_entry_id=entry_no)
    return sum((v.cost_amount_actual + v.cost_amount_expected for v in entries), Decimal("0"))


def test_item_charge_on_a_consumed_component_reaches_the_output_and_its_sale():
    company(expected_cost_posting=True)
    item("COMP", "fifo", unit_cost=D("5"))
    item("FG", "fifo")
    WorkCenter.objects.create(no="WC", direct_unit_cost=D("1"), indirect_cost_percent=D("50"), overhead_rate=D("0.5"))
    purchase = post_item_journal(
        [JournalLine("purchase", d("01-01-20"), "P1", "COMP", D("10"), unit_cost=D("5"))]
    ).item_ledger_entries[0]
    order = services.create_order(item="FG", quantity=D("2"), status="firm_planned")
    assert order.no == "RPO00001"
    with pytest.raises(Conflict):
        services.post_output(order.no, posting_date=d("01-05-20"), document_no="X", quantity=D("1"))
    services.release_order(order.no)
    # Through the item journal, as the API posts it.
    post_item_journal([JournalLine("consumption", d("01-05-20"), order.no, "COMP", D("10"), order_no=order.no)])
    capacity = services.post_capacity(
        order.no, posting_date=d("01-05-20"), document_no=order.no, work_center="WC", run_time=D("10")
    )
    # direct 10 × 1 = 10; indirect 10 × 50 % + 0.5 × 10 = 10
    assert [v.cost_amount_actual for v in capacity.value_entries] == [D("10.00"), D("10.00")]
    output = post_item_journal(
        [JournalLine("output", d("01-06-20"), order.no, "FG", D("2"), order_no=order.no)]
    ).item_ledger_entries[0]
    # Not Standard: expected cost = material 50 + capacity 20 so far.
    assert cost_of(output.entry_no) == D("70.00")
    sale = post_item_journal([JournalLine("sale", d("01-10-20"), "S1", "FG", D("1"))]).item_ledger_entries[0]
    services.finish_order(order.no, posting_date=d("01-06-20"))
    adjust_cost()
    assert cost_of(output.entry_no) == D("70.00")
    assert (
        not ValueEntry.objects.filter(item_ledger_entry_id=output.entry_no, expected_cost=False)
        .filter(cost_amount_expected__gt=0)
        .exists()
    )
    assert cost_of(sale.entry_no) == D("-35.00")

    post_item_charge(purchase.entry_no, posting_date=d("02-01-20"), document_no="FREIGHT", amount=D("20"))
    adjust_cost()
    assert services.order_totals(order.no)["material"] == D("70.00")
    assert cost_of(output.entry_no) == D("90.00")
    assert cost_of(sale.entry_no) == D("-45.00")
    assert adjust_cost().value_entries == []

    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    wip = sum(GLEntry.objects.filter(gl_account_id="2140").values_list("amount", flat=True), Decimal("0"))
    assert wip == 0
    result = selectors.matrix(selectors.Filters())
    assert {f: v for f, v in result.diff.items() if v and f in GL_SOURCES} == {}
    assert result.cell("difference", "wip_inventory") == 0

    # The books pass the whole invariant suite, and January closes: the capacity entries are WIP, not inventory
    # (until the twenty-second session the suite counted them under I2 and I5, and the close refused the period).
    books = invariants.run(drained=True, rerun=True)
    assert books.failed == {}, books.failed
    periods.create_period(ending_date=d("01-31-20"))
    assert periods_selectors.close_test(d("01-31-20")).problems == []
    periods.close_period(d("01-31-20"))
    snapshot = PeriodCloseSnapshot.objects.get(ending_date=d("01-31-20"), account_total=True, gl_account_no="2130")
    # At January's end: the component bought at 50.00, its February freight of 20.00 not yet; the adjustments the
    # freight caused are dated at the entries they adjust (consumption -70.00 on January 5, the output 90.00 on
    # January 6, the sale -45.00 on January 10): 50 - 70 + 90 - 45 = 25.00. The capacity's 20.00 is in the output's
    # cost through WIP, not on the inventory account by itself.
    assert (snapshot.inventory_value, snapshot.gl_balance, snapshot.not_posted) == (D("25.00"), D("25.00"), D("0"))
    assert invariants.run(drained=True).failed == {}


def test_journal_refuses_production_lines_without_a_released_order():
    company()
    item("COMP")
    item("FG")
    with pytest.raises(InvalidInput) as no_order:
        post_item_journal([JournalLine("consumption", d("01-05-20"), "D", "COMP", D("1"))])
    assert "lines[0].order_no" in no_order.value.errors
    order = services.create_order(item="FG", quantity=D("1"), location="EAST")
    with pytest.raises(InvalidInput) as wrong_item:
        post_item_journal([JournalLine("output", d("01-05-20"), "D", "COMP", D("1"), order_no=order.no)])
    assert "lines[0].item" in wrong_item.value.errors
    with pytest.raises(InvalidInput) as wrong_location:
        post_item_journal([JournalLine("output", d("01-05-20"), "D", "FG", D("1"), order_no=order.no)])
    assert "lines[0].location" in wrong_location.value.errors
    services.finish_order(order.no, posting_date=d("01-05-20"))
    with pytest.raises(Conflict):
        post_item_journal([JournalLine("consumption", d("01-05-20"), "D", "COMP", D("1"), order_no=order.no)])


def test_capacity_entries_stay_out_of_the_average_running_totals():
    """Capacity value entries name the produced item but are WIP: an Average produced item's running totals (which
    value its decreases at posting) count only inventory value entries."""
    from django.db import connection

    company()
    item("COMP", "fifo", unit_cost=D("5"))
    item("AVGFG", "average")
    WorkCenter.objects.create(no="WC", direct_unit_cost=D("3"))
    post_item_journal([JournalLine("purchase", d("01-01-20"), "P1", "COMP", D("4"), unit_cost=D("5"))])
    order = services.create_order(item="AVGFG", quantity=D("1"), status="released")
    post_item_journal([JournalLine("consumption", d("01-05-20"), order.no, "COMP", D("4"), order_no=order.no)])
    services.post_capacity(
        order.no, posting_date=d("01-05-20"), document_no=order.no, work_center="WC", run_time=D("10")
    )
    with connection.cursor() as cur:
        cur.execute("SELECT quantity, cost FROM costing_avg_cost_total WHERE item_no = 'AVGFG'")
        assert cur.fetchall() in ([], [(D("0"), D("0"))])
        cur.execute(
            "SELECT coalesce(sum(quantity), 0), coalesce(sum(cost), 0) FROM costing_avg_cost_total "
            "WHERE item_no = 'COMP'"
        )
        assert cur.fetchone() == (D("0"), D("0.00"))
