"""Worked examples posted through the services, shared by the report tests."""

from datetime import date
from decimal import Decimal

from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import ItemLedgerEntry, ItemRegister, ValueEntry
from costing.posting import JournalLine, RevaluationLine, post_item_journal, post_revaluation_journal
from tests.books import D, company, d, item


def line(entry_type, date_text, quantity, item_no="A", **kw):
    kw.setdefault("document_no", f"DOC-{date_text}")
    return JournalLine(entry_type=entry_type, posting_date=d(date_text), item=item_no, quantity=D(str(quantity)), **kw)


def post_all():
    adjust_cost()
    gl_posting.run_post_inventory_cost_to_gl(method="per_entry")


def overhead_example(post=True):
    """Reference 1.6: purchase 10 at 7.00 with overhead rate 1 on 01-01-20 (80.00 in stock), sale of 10 on 01-15-20."""
    company()
    item("A", overhead_rate=D("1"))
    post_item_journal([line("purchase", "01-01-20", 10, unit_cost=D("7")), line("sale", "01-15-20", 10)])
    if post:
        post_all()


def revaluation_example():
    """Purchase 10 at 10.00 on 03-01-20, revalued to 12.00 on 03-10-20, sale of 4 on 03-15-20: 6 left worth 72.00."""
    company()
    item("R")
    post_item_journal([line("purchase", "03-01-20", 10, item_no="R", unit_cost=D("10"))])
    post_revaluation_journal(
        [RevaluationLine(item="R", posting_date=d("03-10-20"), document_no="REV-1", unit_cost_revalued=D("12"))]
    )
    post_item_journal([line("sale", "03-15-20", 4, item_no="R")])
    post_all()


_numbers = {"ile": 900_000, "ve": 900_000, "register": 900_000}


def _next(kind):
    _numbers[kind] += 1
    return _numbers[kind]


def production_order(order_no="PO-1", component="C", output="P"):
    """A production order as value entries written directly, the way Business Central shapes them (the report tests
    pin exact entries; tests/production posts through the production services): consumption of 5 C worth 50.00 on
    04-01-20, capacity 30.00 direct and 6.00 indirect on 04-02-20, output of 1 P valued 86.00 on 04-05-20."""
    register = ItemRegister.objects.create(no=_next("register"), source_code="PRODORDER")
    common = {
        "order_type": "production",
        "order_no": order_no,
        "register": register,
        "source_code": "PRODORDER",
        "inventory_posting_group_id": "RESALE",
        "gen_prod_posting_group_id": "RETAIL",
    }

    def ile(item_no, entry_type, day, quantity):
        positive = quantity > 0
        return ItemLedgerEntry.objects.create(
            entry_no=_next("ile"),
            item_id=item_no,
            posting_date=day,
            entry_type=entry_type,
            document_no=order_no,
            quantity=quantity,
            remaining_quantity=quantity if positive else 0,
            invoiced_quantity=quantity,
            open=positive,
            positive=positive,
            completely_invoiced=True,
            order_type="production",
            order_no=order_no,
            register=register,
        )

    def ve(entry, item_no, ile_type, entry_type, day, amount, quantity):
        return ValueEntry.objects.create(
            entry_no=_next("ve"),
            item_ledger_entry=entry,
            item_id=item_no,
            item_ledger_entry_type=ile_type,
            entry_type=entry_type,
            posting_date=day,
            valuation_date=day,
            document_no=order_no,
            item_ledger_entry_quantity=quantity if entry is not None and entry_type == "direct_cost" else 0,
            valued_quantity=quantity,
            invoiced_quantity=quantity,
            cost_amount_actual=amount,
            **common,
        )

    consumed = ile(component, "consumption", date(2020, 4, 1), Decimal("-5"))
    ve(consumed, component, "consumption", "direct_cost", date(2020, 4, 1), Decimal("-50.00"), Decimal("-5"))
    ve(None, None, "", "direct_cost", date(2020, 4, 2), Decimal("30.00"), Decimal("3"))
    ve(None, None, "", "indirect_cost", date(2020, 4, 2), Decimal("6.00"), Decimal("3"))
    produced = ile(output, "output", date(2020, 4, 5), Decimal("1"))
    ve(produced, output, "output", "direct_cost", date(2020, 4, 5), Decimal("86.00"), Decimal("1"))
