from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from costing.posting import post_item_charge, post_item_journal
from ledger.models import GLEntry
from tests.books import D, company, d, item
from tests.costing.test_posting_examples import line

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_adjust_cost_and_post_to_gl_commands():
    company()
    item("A")
    post_item_journal([line("purchase", "01-01-20", 1, unit_cost=D("10")), line("sale", "01-15-20", 1)])
    post_item_charge(1, posting_date=d("02-10-20"), document_no="CHG", amount=D("2.00"))
    assert "Adjusted 1 items: 1 adjustment value entries, -2.00 in total, 0 G/L entries." in run("adjust_cost")
    dry = run("post_inventory_cost_to_gl", "--dry-run")
    assert "Would post 4 value entries as 8 G/L lines." in dry
    assert GLEntry.objects.count() == 0
    posted = run("post_inventory_cost_to_gl", "--method", "per-posting-group", "--document-no", "INVT-01")
    assert "Posted 4 value entries" in posted
    assert [ln.split() for ln in posted.splitlines()[1:]] == [
        ["2130", "inventory", "0.00"],
        ["7290", "cogs", "12.00"],
        ["7291", "direct_cost_applied", "-12.00"],
    ]
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-01"}


def test_per_posting_group_needs_a_document_no():
    with pytest.raises(CommandError, match="document no"):
        run("post_inventory_cost_to_gl", "--method", "per-posting-group")
