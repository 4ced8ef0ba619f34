"""The demo company's production: a finished and a released order; after Adjust Cost and Post Inventory Cost to G/L
the finished order's WIP is cleared, the released order's WIP is on the WIP account and the matrix reconciles."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from ledger.models import GLEntry
from production import services
from production.models import ProductionOrder
from reconciliation import selectors
from reconciliation.formulas import GL_SOURCES

pytestmark = pytest.mark.django_db


def test_demo_orders_reconcile():
    call_command("load_demo", stdout=None)
    assert dict(ProductionOrder.objects.values_list("no", "status")) == {"RPO-1001": "finished", "RPO-1002": "released"}
    adjust_cost()
    run_post_inventory_cost_to_gl(method="per_entry")
    assert services.order_totals("RPO-1001")["wip"] == 0
    released_wip = services.order_totals("RPO-1002")["wip"]
    assert released_wip > 0
    wip = GLEntry.objects.filter(gl_account_id="11140").aggregate(s=Sum("amount"))["s"] or Decimal("0")
    assert wip == released_wip
    result = selectors.matrix(selectors.Filters())
    assert {f: v for f, v in result.diff.items() if v and f in GL_SOURCES} == {}
