"""Production: reads. Orders with their cost breakdown (expected vs actual per cost share) and their entries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from core.money import ZERO, round_amount
from costing import selectors as costing_selectors
from production.models import ProductionOrder, WorkCenter
from production.services import SHARES, VARIANCE_OF_SHARE, order_totals, standard_shares


def production_orders() -> QuerySet[ProductionOrder]:
    return ProductionOrder.objects.select_related("item").order_by("no")


def production_order(no: str) -> ProductionOrder | None:
    return production_orders().filter(no=no).first()


def work_centers() -> QuerySet[WorkCenter]:
    return WorkCenter.objects.order_by("no")


def order_entries(no: str) -> dict[str, QuerySet]:
    """The order's item ledger entries (consumption, output) and value entries (with capacity), as the ledgers show
    them."""
    return {
        "item_ledger_entries": costing_selectors.item_ledger_entries().filter(order_type="production", order_no=no),
        "value_entries": costing_selectors.value_entries().filter(order_type="production", order_no=no),
    }


def cost_breakdown(order: ProductionOrder) -> dict:
    """Per cost share: expected (standard share × quantity, the output quantity once there is output, else the order
    quantity; Standard items only) and actual (material consumed, capacity, subcontracted, capacity overhead, and the
    manufacturing overhead booked on the output), the variance booked, plus the WIP still on the order."""
    totals = order_totals(order.no)
    quantity = totals["output_quantity"] or order.quantity
    shares = standard_shares(order)
    actual = {
        "material": totals.get("material", ZERO),
        "capacity": totals.get("capacity", ZERO),
        "subcontracted": totals.get("subcontracted", ZERO),
        "capacity_overhead": totals.get("capacity_overhead", ZERO),
        "manufacturing_overhead": totals.get("output_indirect", ZERO),
    }
    rows = []
    for name in SHARES:
        expected = round_amount(shares[name] * quantity)
        rows.append(
            {
                "share": name,
                "expected": expected,
                "actual": round_amount(actual[name]),
                "variance": totals.get(f"variance_{VARIANCE_OF_SHARE[name]}", ZERO),
            }
        )
    total = {key: sum((r[key] for r in rows), Decimal("0")) for key in ("expected", "actual", "variance")}
    return {
        "quantity": quantity,
        "output_quantity": totals["output_quantity"],
        "shares": rows,
        "total": total,
        "wip": totals["wip"],
        "output_cost": totals.get("output_direct", ZERO)
        + totals.get("output_indirect", ZERO)
        + total["variance"]
        + totals.get("output_revaluation", ZERO),
    }
