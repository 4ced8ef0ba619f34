"""check_books, the nightly check and the red banner: clean books pass; a manual posting to an inventory account
(the G/L no longer equals the valuation, I5) fails the command, is recorded and shows the banner."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core.context_processors_invariants import CACHE_KEY
from costing.gl_posting import run_post_inventory_cost_to_gl
from jobs.tasks_invariants import check_books_task
from ledger.services import post_gl_journal
from tests.jobs import support
from tests.reliability.conftest import api_client

pytestmark = pytest.mark.django_db


def test_check_books_passes_on_clean_books_then_fails_and_shows_the_banner(client, record):
    cache.delete(CACHE_KEY)
    support.company_with_items(3)
    run_post_inventory_cost_to_gl()
    call_command("check_books", "--drained", "--rerun")
    assert check_books_task() is True

    post_gl_journal(
        [
            {"gl_account": acc, "amount": Decimal(amount), "posting_date": date(2026, 1, 9), "document_no": "MAN-1"}
            for acc, amount in (("2130", "5.00"), ("7290", "-5.00"))
        ]
    )
    with pytest.raises(CommandError) as failed:
        call_command("check_books")
    assert failed.value.returncode == 1 and "I5_inventory_differs_from_valuation" in str(failed.value)
    assert check_books_task() is False

    user = api_client("alice", "accountant").user
    client.force_login(user)
    page = client.get("/")
    assert "The books check failed." in page.content.decode()
    assert "I5_inventory_differs_from_valuation" in page.content.decode()
    record.figures = {"banner_shown": True, "command_exit_status": failed.value.returncode}
