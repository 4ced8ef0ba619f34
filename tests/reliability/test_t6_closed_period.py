"""T6 Closed-period attack: close January, then try to post into it through every path."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from core.errors import Conflict
from core.roles import ensure_roles
from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import ItemLedgerEntry, ValueEntry
from costing.posting import JournalLine, post_item_charge, post_item_journal
from periods import services as periods
from tests.jobs import support
from tests.reliability.conftest import api_client, as_app_role, assert_clean, grant_app_role, size

pytestmark = pytest.mark.django_db(transaction=True)

END = date(2026, 1, 31)

# A copy of an existing row, renumbered and dated inside the closed period, inserted with plain SQL.
SQL_INSERT = """
    INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table},
        to_jsonb(t) || jsonb_build_object('entry_no', 900000, 'posting_date', '2026-01-20'))).*
      FROM {table} t ORDER BY entry_no LIMIT 1
"""


def test_t6_nothing_lands_in_a_closed_period(record):
    rng = random.Random(record.seed)
    items = support.company_with_items(8)
    ensure_roles()
    controller = User.objects.create_user("carla")
    controller.groups.add(Group.objects.get(name="controller"))
    adjust_cost()
    run_post_inventory_cost_to_gl()
    periods.create_period(ending_date=END, name="January", user=controller)
    periods.create_period(ending_date=date(2026, 2, 28), name="February", user=controller)
    periods.close_period(END, user=controller)

    refused = {"service_409": 0, "api_409": 0, "db_23514": 0, "api_reopen_403": 0}
    accepted = 0
    documents = size(250, 50)
    accountant = api_client("alice", "accountant")
    for n in range(documents):
        backdated = rng.random() < 0.3
        day = (END - timedelta(days=rng.randint(0, 25))) if backdated else date(2026, 2, rng.randint(1, 27))
        item = rng.choice(items)
        if n % 2:
            body = {
                "lines": [
                    {
                        "entry_type": "purchase",
                        "item": item,
                        "quantity": "2",
                        "unit_cost": f"{rng.randint(5, 30)}.00",
                        "posting_date": day.isoformat(),
                        "document_no": f"API-{n}",
                    }
                ]
            }
            status = accountant.post("/api/v1/item-journal/post/", body, format="json").status_code
            if status == 409:
                refused["api_409"] += 1
            else:
                assert status == 201, status
                accepted += 1
        else:
            try:
                post_item_journal([JournalLine("purchase", day, f"SVC-{n}", item, Decimal(1), unit_cost=Decimal(9))])
                accepted += 1
            except Conflict as exc:
                assert exc.code == "inventory_period_closed"
                refused["service_409"] += 1
        assert not backdated or status_or_refused(refused, n)

    # An item charge dated in February on a January receipt whose stock was sold in January: Adjust Cost must date
    # the January sale's adjustment on the first open day.
    receipt = ItemLedgerEntry.objects.filter(posting_date__lte=END, positive=True).order_by("entry_no").first()
    post_item_charge(receipt.entry_no, posting_date=date(2026, 2, 3), document_no="FRT-1", amount=Decimal("5.00"))
    adjust_cost()
    run_post_inventory_cost_to_gl()
    redated = ValueEntry.objects.filter(adjustment=True, posting_date=END + timedelta(days=1)).count()

    grant_app_role(grant="SELECT, INSERT, UPDATE, DELETE")
    for table in ("costing_item_ledger_entry", "costing_value_entry"):
        state = as_app_role(SQL_INSERT.format(table=table))
        assert state == "23514", (table, state)
        refused["db_23514"] += 1

    reopen = accountant.post(f"/api/v1/inventory-periods/{END.isoformat()}/reopen/")
    assert reopen.status_code == 403
    refused["api_reopen_403"] += 1

    counts = record.check(drained=True, rerun=True)
    record.figures = {
        "documents": documents,
        "accepted": accepted,
        "refused_by_layer": refused,
        "adjustments_redated_to_first_open_day": redated,
        "entries_dated_in_closed_period_after_close": counts["I6a_item_ledger_after_close"]
        + counts["I6a_value_entries_after_close"],
        "reopen_by_controller_without_approval": "not applicable: reopening needs the close_periods permission only",
    }
    assert redated >= 1
    assert_clean(counts)


def status_or_refused(refused: dict, n: int) -> bool:
    """A backdated document was refused by the layer it went through (the counters moved for it)."""
    return refused["api_409"] + refused["service_409"] > 0
