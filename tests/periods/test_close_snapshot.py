"""The close's balance snapshot (invariant I6b) and the close's refusal over books that are not in order
(docs/reliability.md; shared spec "reliability" 7.1 I6b and 8.6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from core import invariants
from core.roles import ensure_roles
from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from costing.models import PostValueEntryToGL
from ledger.services import post_gl_journal
from periods import selectors, services
from periods.models import InventoryPeriod, PeriodCloseSnapshot
from tests.periods.conftest import FEB28, JAN31, line, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def january(books):
    """January and February; in January 10 of A bought at 10 and 4 sold (value 60), adjusted, not yet posted to G/L."""
    for end in (JAN31, FEB28):
        services.create_period(ending_date=end)
    post(line("purchase", date(2026, 1, 5), 10, unit_cost=10), line("sale", date(2026, 1, 20), 4))
    adjust_cost()


def snapshot(end=JAN31):
    return {
        (r.gl_account_no, r.location_code, r.inventory_posting_group, r.account_total): (
            r.gl_balance,
            r.inventory_value,
            r.not_posted,
        )
        for r in PeriodCloseSnapshot.objects.filter(ending_date=end)
    }


def manual_posting(day, amount="5.00", account="2130"):
    """A G/L journal posting to an inventory account (which the G/L does not refuse: it is not an item posting)."""
    post_gl_journal(
        [
            {"gl_account": acc, "amount": Decimal(a), "posting_date": day, "document_no": "MAN-1"}
            for acc, a in ((account, Decimal(amount)), ("7290", -Decimal(amount)))
        ]
    )


def forge_value_entry_into(end, *, created_before_close: bool) -> int:
    """A copy of the latest value entry dated ``end``, inserted by SQL as the superuser with every trigger off (the
    period gate and the guards bypassed); with ``created_before_close`` its created_at is forged too, so I6a cannot
    see it. Returns the new entry no."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'costing_value_entry' "
            "ORDER BY ordinal_position"
        )
        columns = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT max(entry_no) + 1000 FROM costing_value_entry")
        new_no = cur.fetchone()[0]
        values = {
            "entry_no": "%(no)s",
            "posting_date": "%(end)s",
            "cost_amount_actual": "25.00",
            "created_at": "created_at - interval '1 day'" if created_before_close else "clock_timestamp()",
        }
        select = ", ".join(values.get(c, c) for c in columns)
        cur.execute("SET session_replication_role = replica")
        try:
            cur.execute(
                f"INSERT INTO costing_value_entry ({', '.join(columns)}) SELECT {select} FROM costing_value_entry "
                "WHERE entry_no = (SELECT min(entry_no) FROM costing_value_entry)",
                {"no": new_no, "end": end},
            )
            cur.execute(
                "INSERT INTO costing_post_value_entry_to_gl (value_entry_no, item_no, posting_date) "
                "VALUES (%(no)s, 'A', %(end)s)",
                {"no": new_no, "end": end},
            )
        finally:
            cur.execute("RESET session_replication_role")
    return new_no


# --------------------------------------------------------------------------------------------------- the snapshot


def test_the_close_stores_the_balances_as_of_the_period_end_per_account_and_per_location_and_group(january):
    run_post_inventory_cost_to_gl()
    post(line("purchase", date(2026, 2, 3), 5, unit_cost=12))  # after the end: not in January's snapshot
    adjust_cost()
    entries = services.close_period(JAN31)
    assert snapshot() == {
        ("2130", None, None, True): (Decimal("60.00"), Decimal("60.00"), Decimal("0.00")),
        ("2130", None, "RESALE", False): (Decimal("0.00"), Decimal("60.00"), Decimal("0.00")),
        # The interim account is an inventory account too (nothing on it here).
        ("2131", None, None, True): (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
    }
    assert {r.period_entry_id for r in PeriodCloseSnapshot.objects.all()} == {entries[0].entry_no}
    assert invariants.run().counts["I6b_closed_period_changed"] == 0


def test_a_cascading_close_takes_one_snapshot_per_period_and_a_reclose_a_new_one(january):
    post(line("purchase", date(2026, 2, 3), 5, unit_cost=12))
    adjust_cost()
    services.close_period(FEB28)
    assert snapshot(JAN31)[("2130", None, None, True)] == (Decimal("0.00"), Decimal("60.00"), Decimal("60.00"))
    assert snapshot(FEB28)[("2130", None, None, True)] == (Decimal("0.00"), Decimal("120.00"), Decimal("120.00"))
    services.reopen_period(JAN31)
    post(line("purchase", date(2026, 1, 25), 1, unit_cost=10))
    adjust_cost()
    services.close_period(FEB28)
    # The new close entries took new snapshots; I6b holds each period to its last close's.
    assert PeriodCloseSnapshot.objects.filter(ending_date=JAN31).values("period_entry").distinct().count() == 2
    report = invariants.run()
    assert report.counts["I6b_closed_period_changed"] == 0 and report.figures["i6b_periods_checked"] == 2


def test_posting_what_was_pending_at_the_close_keeps_the_closed_period_frozen(january):
    """Post Inventory Cost to G/L may post, dated in the closed period, what was queued at the close: the amount
    moves from "not posted" to the G/L, and G/L + not posted is what I6b holds."""
    assert PostValueEntryToGL.objects.exists()
    services.close_period(JAN31)
    run_post_inventory_cost_to_gl()
    assert not PostValueEntryToGL.objects.exists()
    report = invariants.run(drained=True)
    assert report.ok, report.failed


def test_the_snapshot_is_append_only(january):
    services.close_period(JAN31)
    assert PeriodCloseSnapshot.objects.exists()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run over pending deferred FK checks
        for sql in (
            "UPDATE periods_close_snapshot SET gl_balance = 0",
            "DELETE FROM periods_close_snapshot",
            "TRUNCATE periods_close_snapshot",
        ):
            # The test database lets maintenance sessions TRUNCATE; this one is not.
            cur.execute("SET costbook.maintenance = 'off'")
            try:
                with pytest.raises(IntegrityError) as refused, transaction.atomic():
                    cur.execute(sql)
                assert refused.value.__cause__.pgcode == "23514"
            finally:
                cur.execute("SET costbook.maintenance = 'on'")


# ------------------------------------------------------------------------------------------------------------ I6b


def test_i6b_catches_a_value_entry_slipped_into_the_closed_period_that_i6a_cannot_see(january):
    run_post_inventory_cost_to_gl()
    services.close_period(JAN31)
    forge_value_entry_into(JAN31, created_before_close=True)
    report = invariants.run()
    assert report.counts["I6a_value_entries_after_close"] == 0  # its created_at says it was there before
    assert report.counts["I6b_closed_period_changed"] == 2  # the account's total and its location/group row
    assert report.figures["i6b_periods_changed"] == ["2026-01-31"]
    assert report.figures["i6b_max_abs_difference"] == "25.00"


def test_i6b_catches_a_later_gl_posting_dated_in_the_closed_period(january):
    run_post_inventory_cost_to_gl()
    services.close_period(JAN31)
    manual_posting(date(2026, 1, 15))
    report = invariants.run()
    assert report.counts["I6b_closed_period_changed"] == 1
    assert report.counts["I5_inventory_differs_from_valuation"] > 0
    # Dated after the period: January is untouched (I5 still sees the difference, I6b does not).
    manual_posting(date(2026, 1, 15), amount="-5.00")
    manual_posting(date(2026, 2, 2))
    report = invariants.run()
    assert report.counts["I6b_closed_period_changed"] == 0
    assert report.counts["I5_inventory_differs_from_valuation"] > 0


# ------------------------------------------------------------------------------------------- the close refuses


def test_the_close_refuses_while_the_books_are_not_in_order_and_names_the_failing_checks(january):
    run_post_inventory_cost_to_gl()
    manual_posting(date(2026, 1, 9))
    test = selectors.close_test(JAN31)
    assert not test.clean
    books = [p for p in test.problems if p.code == "books_check_failed"]
    assert len(books) == 1 and books[0].blocking
    assert "I5_inventory_differs_from_valuation" in books[0].message
    with pytest.raises(services.PeriodNotClean) as refused:
        services.close_period(JAN31)
    assert [p["code"] for p in refused.value.problems] == ["books_check_failed"]
    assert not InventoryPeriod.objects.filter(closed=True).exists()
    assert not PeriodCloseSnapshot.objects.exists()
    # A correcting posting puts the books in order; the close goes through.
    manual_posting(date(2026, 1, 9), amount="-5.00")
    services.close_period(JAN31)
    assert InventoryPeriod.objects.get(ending_date=JAN31).closed


def test_a_changed_closed_period_blocks_the_next_close(january):
    run_post_inventory_cost_to_gl()
    services.close_period(JAN31)
    forge_value_entry_into(JAN31, created_before_close=False)
    with pytest.raises(services.PeriodNotClean) as refused:
        services.close_period(FEB28)
    messages = " ".join(p["message"] for p in refused.value.problems)
    assert "I6b_closed_period_changed" in messages and "I6a_value_entries_after_close" in messages


def test_the_close_api_and_page_show_the_failing_checks(january, client):
    ensure_roles()
    user = User.objects.create_user("ctl", password="x-long-enough-pass")
    user.groups.add(Group.objects.get(name="controller"))
    api = APIClient()
    api.force_authenticate(user)
    run_post_inventory_cost_to_gl()
    manual_posting(date(2026, 1, 9))
    tested = api.get("/api/v1/inventory-periods/2026-01-31/close-test/")
    assert tested.status_code == 200 and tested.json()["can_close"] is False
    assert [p["code"] for p in tested.json()["problems"]] == ["books_check_failed"]
    refused = api.post("/api/v1/inventory-periods/2026-01-31/close/")
    assert refused.status_code == 409
    assert "I5_inventory_differs_from_valuation" in refused.json()["problems"][0]["message"]
    client.force_login(user)
    page = client.post("/inventory-periods/2026-01-31/close/")
    assert page.status_code == 409
    assert "I5_inventory_differs_from_valuation" in page.content.decode()
