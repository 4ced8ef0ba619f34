"""Production in the demo company: the Bicycle (item 1000, Standard) is made from wheels and a chain assembly on an
assembly work center. One order is finished (consumed, capacity, output, finished; Adjust Cost settles it), one is
released with consumption and capacity posted, so WIP is on the books. Called by costing.demo.post_transactions."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from costing.models import Item
from production import services
from production.models import BOMComponent, RoutingOperation, StandardCostShares, WorkCenter

BICYCLE = "1000"


def load_demo_production(day: Callable[[int], date]) -> int:
    """Setup and postings; ``day(offset)`` is the demo journal's date. Returns the number of posting calls."""
    wc = WorkCenter.objects.create(
        no="100",
        name="Assembly",
        direct_unit_cost=Decimal("1.50"),
        indirect_cost_percent=Decimal("10"),
        overhead_rate=Decimal("0.10"),
    )
    bicycle = Item.objects.get(no=BICYCLE)
    for line_no, (component, quantity) in enumerate((("1100", "1"), ("1200", "1"), ("1300", "1")), start=1):
        BOMComponent.objects.create(
            item=bicycle, line_no=line_no * 10000, component_id=component, quantity_per=Decimal(quantity)
        )
    RoutingOperation.objects.create(
        item=bicycle, operation_no="10", description="Assemble", work_center=wc, run_time=Decimal("60")
    )
    # The card's standard cost (350.00) stays; its shares: capacity 60 × 1.50, capacity overhead 60 × (0.15 + 0.10),
    # manufacturing overhead the item's overhead rate 12.00, and material the rest (frame and parts bought in).
    StandardCostShares.objects.create(
        item=bicycle,
        material=Decimal("233"),
        capacity=Decimal("90"),
        capacity_overhead=Decimal("15"),
        manufacturing_overhead=Decimal("12"),
    )
    calls = 0
    finished = services.create_order(no="RPO-1001", item=BICYCLE, quantity=Decimal("2"), location="EAST")
    services.post_consumption(finished.no, posting_date=day(113), document_no=finished.no)
    services.post_capacity(
        finished.no, posting_date=day(113), document_no=finished.no, work_center=wc.no, run_time=Decimal("125"),
        operation_no="10",
    )  # fmt: skip
    services.post_output(finished.no, posting_date=day(114), document_no=finished.no, quantity=Decimal("2"))
    services.finish_order(finished.no, posting_date=day(114))
    calls += 3
    released = services.create_order(no="RPO-1002", item=BICYCLE, quantity=Decimal("1"), location="EAST")
    services.post_consumption(released.no, posting_date=day(116), document_no=released.no)
    services.post_capacity(
        released.no, posting_date=day(116), document_no=released.no, work_center=wc.no, run_time=Decimal("40"),
        operation_no="10",
    )  # fmt: skip
    calls += 2
    return calls
