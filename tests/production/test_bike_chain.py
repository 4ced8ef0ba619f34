"""Seed 001 (Reconciliation with the G/L): the bike chain made of 150 purchased links, end to end, G/L entry by entry.

Setup from the seed: LINK Standard, standard cost 1.00, overhead rate 0.02; CHAIN Standard, standard cost 150.00,
overhead rate 25.00; the work center: direct unit cost 2.00 (per minute), indirect cost 10 %. Expected Cost Posting
to G/L is on. Accounts are the US demo numbers of tests/books.py.

What the seed does not give (costing reference 7, point 4) and how the figures here are derived:

* The link's purchase price: the picture's Direct Cost Applied of 165.00 for 150 links is 1.10 a link. With the
  overhead of 150 × 0.02 = 3.00 the actual cost is 168.00 against a standard of 150.00: the seed's purchase variance
  of 18.00.
* The chain's cost shares: the card's standard cost of 150.00 equals the material of its BOM (150 links at their
  standard cost 1.00), so the shares are Material 150.00 and nothing else — the standard cost was calculated from
  the BOM before the routing and the overhead rate were set up. A Calculate Standard Cost now would give 307.00
  (test_calculate_standard_cost_rolls_up_the_chain).
* The 157.00 variance split: actual cost = material 150.00 + capacity 60 × 2.00 = 120.00 + capacity overhead
  120.00 × 10 % = 12.00 + manufacturing overhead (the chain's overhead rate) 25.00 = 307.00; standard 150.00. Per
  share (standard − actual): Material 0.00, Capacity −120.00, Capacity Overhead −12.00, Mfg. Overhead −25.00,
  Subcontracted 0.00: 157.00 to the variance accounts in all, as the picture's single variance account shows.
* The revaluation 150.00 → 140.00 (Inventory Cr 10.00, Inventory Adjmt. Dr 10.00) needs the produced chain in stock.
  A sale at the order's location before the output leaves negative inventory that the output closes (Business
  Central applies it the same way), and nothing would be left to revalue. So the sold chain is shipped from a second
  location (WEST), where it stays a negative entry valued at the standard cost of 150.00 — the COGS of the sales
  picture — and the produced chain is in stock at the blank location for the revaluation.
"""

from decimal import Decimal

import pytest

from core import invariants
from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import ItemLedgerEntry, ValueEntry
from costing.posting import (
    JournalLine,
    RevaluationLine,
    invoice_item_ledger_entry,
    post_item_journal,
    post_revaluation_journal,
)
from ledger.models import GLEntry
from production import services
from production.models import BOMComponent, RoutingOperation, StandardCostShares, WorkCenter
from reconciliation import selectors
from reconciliation.formulas import CELLS
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


def chain_setup():
    company(expected_cost_posting=True)
    item("LINK", "standard", standard_cost=D("1"), unit_cost=D("1"), overhead_rate=D("0.02"))
    chain = item("CHAIN", "standard", standard_cost=D("150"), unit_cost=D("150"), overhead_rate=D("25"))
    wc = WorkCenter.objects.create(no="WC1", name="Assembly", direct_unit_cost=D("2"), indirect_cost_percent=D("10"))
    BOMComponent.objects.create(item=chain, line_no=10000, component_id="LINK", quantity_per=D("150"))
    RoutingOperation.objects.create(item=chain, operation_no="10", work_center=wc, run_time=D("60"))
    StandardCostShares.objects.create(item=chain, material=D("150"))


class GL:
    """The G/L entries each step adds, after Post Inventory Cost to G/L (per entry)."""

    def __init__(self):
        self.seen = 0

    def step(self) -> list[tuple[str, Decimal]]:
        gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
        new = GLEntry.objects.filter(entry_no__gt=self.seen).order_by("entry_no")
        rows = [(e.gl_account_id, e.amount) for e in new]
        self.seen = max([self.seen, *[e.entry_no for e in new]])
        return sorted(rows)


def gl_balance(account: str) -> Decimal:
    return sum(GLEntry.objects.filter(gl_account_id=account).values_list("amount", flat=True), Decimal("0"))


def test_bike_chain_end_to_end():
    chain_setup()
    gl = GL()

    # 1. Purchase of 150 links, received: expected cost at the standard cost.
    receipt = post_item_journal(
        [
            JournalLine(
                "purchase", d("01-01-20"), "PO-1", "LINK", D("150"), invoiced_quantity=D("0"), unit_cost=D("1.10")
            )
        ]
    ).item_ledger_entries[0]
    assert gl.step() == sorted([("2131", D("150.00")), ("5530", D("-150.00"))])

    # 2. Invoiced at 1.10: interim cleared, direct cost 165, overhead 3, purchase variance 18.
    invoice_item_ledger_entry(receipt.entry_no, posting_date=d("01-15-20"), document_no="PI-1", unit_cost=D("1.10"))
    assert gl.step() == sorted(
        [
            ("2131", D("-150.00")),
            ("5530", D("150.00")),
            ("2130", D("165.00")),
            ("7291", D("-165.00")),
            ("2130", D("3.00")),
            ("7292", D("-3.00")),
            ("2130", D("-18.00")),
            ("7293", D("18.00")),
        ]
    )

    # 3.-4. One chain sold: shipped (interim), then invoiced (interim cleared, COGS).
    sale = post_item_journal(
        [JournalLine("sale", d("01-20-20"), "SS-1", "CHAIN", D("1"), invoiced_quantity=D("0"), location="WEST")]
    ).item_ledger_entries[0]
    assert gl.step() == sorted([("2131", D("-150.00")), ("7294", D("150.00"))])
    invoice_item_ledger_entry(sale.entry_no, posting_date=d("01-25-20"), document_no="SI-1")
    assert gl.step() == sorted(
        [("2131", D("150.00")), ("7294", D("-150.00")), ("2130", D("-150.00")), ("7290", D("150.00"))]
    )

    # 5. Consumption of 150 links (the BOM's quantity per × 1 chain).
    order = services.create_order(no="RPO-CHAIN", item="CHAIN", quantity=D("1"), due_date=d("02-15-20"))
    consumed = services.post_consumption(order.no, posting_date=d("02-01-20"), document_no="RPO-CHAIN")
    consumption = consumed.item_ledger_entries[0]
    assert (consumption.entry_type, consumption.quantity, consumption.order_no) == ("consumption", D("-150"), order.no)
    assert consumed.value_entries[0].source_no == "CHAIN"
    assert gl.step() == sorted([("2130", D("-150.00")), ("2140", D("150.00"))])

    # 6. 60 minutes of capacity: direct cost 120 and indirect cost 12 on WIP.
    capacity = services.post_capacity(
        order.no, posting_date=d("02-01-20"), document_no="RPO-CHAIN", work_center="WC1", run_time=D("60")
    )
    assert [(v.entry_type, v.cost_amount_actual, v.item_ledger_entry_id) for v in capacity.value_entries] == [
        ("direct_cost", D("120.00"), None),
        ("indirect_cost", D("12.00"), None),
    ]
    assert gl.step() == sorted(
        [("2140", D("120.00")), ("7291", D("-120.00")), ("2140", D("12.00")), ("7292", D("-12.00"))]
    )

    # 7. Output of one chain at its expected (standard) cost.
    output = services.post_output(order.no, posting_date=d("02-15-20"), document_no="RPO-CHAIN", quantity=D("1"))
    output_entry = output.item_ledger_entries[0]
    assert output.value_entries[0].cost_amount_expected == D("150.00")
    assert gl.step() == sorted([("2131", D("150.00")), ("2140", D("-150.00"))])

    # 8. Finish and adjust: interim cleared, WIP to inventory, overhead, and the 157.00 of variance.
    services.finish_order(order.no, posting_date=d("02-15-20"))
    adjust_cost()
    assert gl.step() == sorted(
        [
            ("2131", D("-150.00")),
            ("2140", D("150.00")),
            ("2130", D("282.00")),
            ("2140", D("-282.00")),
            ("2130", D("25.00")),
            ("7292", D("-25.00")),
            ("2130", D("-120.00")),
            ("7891", D("120.00")),
            ("2130", D("-12.00")),
            ("7893", D("12.00")),
            ("2130", D("-25.00")),
            ("7894", D("25.00")),
        ]
    )
    variances = ValueEntry.objects.filter(item_ledger_entry_id=output_entry.entry_no, entry_type="variance")
    assert sum(v.cost_amount_actual for v in variances) == D("-157.00")
    output_entry = ItemLedgerEntry.objects.get(entry_no=output_entry.entry_no)
    assert output_entry.completely_invoiced and output_entry.invoiced_quantity == D("1")
    assert gl_balance("2140") == 0  # WIP ends at zero
    assert services.order_totals(order.no)["wip"] == 0

    # 9. Revaluation of the chain from 150.00 to 140.00.
    post_revaluation_journal(
        [RevaluationLine("CHAIN", d("02-28-20"), "REVAL-1", location="", unit_cost_revalued=D("140"))]
    )
    assert gl.step() == sorted([("2130", D("-10.00")), ("7270", D("10.00"))])

    # Adjusting again posts nothing: the variance stays measured against the standard fixed at the adjustment.
    again = adjust_cost()
    assert again.value_entries == []
    assert gl.step() == []

    assert gl_balance("2140") == 0
    result = selectors.matrix(selectors.Filters())
    differences = {
        (row, col): result.cell(row, col)
        for row in result.rows
        for col in result.columns
        if CELLS[row].get(col) and CELLS[row][col].line == "diff" and result.cell(row, col)
    }
    assert differences == {}
    assert result.item["wip_inventory"] == 0
    assert result.cell("inventory_to_wip", "wip_inventory") == D("132.00")  # 150 consumed into, 282 out of WIP
    assert result.cell("wip_to_interim", "wip_inventory") == D("0.00")  # the expected 150 came and went
    assert result.cell("capacity_variance", "inventory") == D("120.00")

    # The books pass the whole invariant suite. Capacity value entries carry the produced item but no item ledger
    # entry: WIP, not inventory. Their G/L lines are on WIP (I2 looks there) and they are not in the inventory
    # valuation (I5, I10). Until the twenty-second session the suite took them for inventory: I2 counted the two
    # capacity entries and I5 their 132.00 as a difference on the inventory account. I10 also counted the chain: no
    # quantity in all, but one sold from WEST at its standard cost 150.00 and one in stock here at 140.00 (I10 is per
    # item and location now).
    books = invariants.run(drained=True, rerun=True)
    assert books.failed == {}, books.failed


def test_calculate_standard_cost_rolls_up_the_chain():
    """4.5, single level: material 150 × 1.00, capacity 60 × 2.00, capacity overhead 60 × 0.20, mfg. overhead 25."""
    chain_setup()
    shares = services.calculate_standard_cost("CHAIN")
    assert (shares.material, shares.capacity, shares.subcontracted) == (D("150"), D("120"), D("0"))
    assert (shares.capacity_overhead, shares.manufacturing_overhead) == (D("12"), D("25"))
    from costing.models import Item

    chain = Item.objects.get(no="CHAIN")
    assert chain.standard_cost == D("307") and chain.unit_cost == D("307")
