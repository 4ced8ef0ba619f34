"""Writes for inventory periods (costing reference 4.10, seeds 003 and 004): create, rename, delete, close, reopen.

Every call is one transaction that first takes the inventory-period advisory lock, so period changes never interleave.
Closing also locks the item ledger and value entry counter rows (``core.sequences.NumberBlock``, the lock every
posting and every cost adjustment takes first): no posting can commit between the close test and the close, and a
posting that was waiting reads the closed period once it gets the lock (``costing.posting.PostingGate``). The database
trigger (migrations/sql/period_gate.sql) refuses anything that still slips past.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from core import invariants
from core.errors import Conflict, InvalidInput
from core.sequences import NumberBlock
from periods import selectors
from periods.models import InventoryPeriod, InventoryPeriodEntry, PeriodCloseSnapshot

# pg_advisory_xact_lock key for "the inventory periods" (any fixed 64-bit number no other lock uses).
PERIODS_LOCK = 0x1D0_5E77_0001


def _lock_periods() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [PERIODS_LOCK])


def _period(ending_date: date) -> InventoryPeriod:
    period = InventoryPeriod.objects.select_for_update().filter(ending_date=ending_date).first()
    if period is None:
        raise Http404(_("There is no inventory period ending %(date)s.") % {"date": ending_date})
    return period


def _refuse_if_closed(period: InventoryPeriod, what: str) -> None:
    if period.closed:
        raise Conflict(
            _("The inventory period ending %(date)s is closed: you cannot %(what)s it. Reopen it first.")
            % {"date": period.ending_date, "what": what},
            code="inventory_period_closed",
        )


@transaction.atomic
def create_period(*, ending_date: date, name: str = "", user=None) -> InventoryPeriod:
    _lock_periods()
    last_closed = selectors.last_closed_ending_date()
    if last_closed is not None and ending_date <= last_closed:
        raise Conflict(
            _("You are not allowed to insert an inventory period that ends before %(date)s.")
            % {"date": last_closed + timedelta(days=1)},
            code="period_before_closed_period",
        )
    if InventoryPeriod.objects.filter(ending_date=ending_date).exists():
        raise InvalidInput.field(
            "ending_date", _("An inventory period ending %(date)s already exists.") % {"date": ending_date}
        )
    return InventoryPeriod.objects.create(ending_date=ending_date, name=name.strip())


@transaction.atomic
def rename_period(ending_date: date, *, name: str, user=None) -> InventoryPeriod:
    _lock_periods()
    period = _period(ending_date)
    _refuse_if_closed(period, _("rename"))
    period.name = name.strip()
    period.save(update_fields=["name"])
    return period


@transaction.atomic
def delete_period(ending_date: date, *, user=None) -> None:
    _lock_periods()
    period = _period(ending_date)
    _refuse_if_closed(period, _("delete"))
    period.delete()


class PeriodNotClean(Conflict):
    """The close test found problems; ``problems`` lists them (the API returns them with the 409)."""

    default_code = "close_test_failed"

    def __init__(self, message: str, problems: list[dict]):
        super().__init__(message)
        self.problems = problems


def _take_snapshots(entries: list[InventoryPeriodEntry], test: selectors.CloseTest) -> None:
    """I6b: per close entry, the inventory accounts' G/L balance and the valuation as of its ending date, from the
    balances the close test's invariant suite read under the close's locks (read again if it did not run)."""
    accounts = invariants.inventory_accounts()
    balances = test.books.balances if test.books else {}
    expected = test.books.figures.get("expected_cost_posting") if test.books else None
    if expected is None:
        expected = invariants.expected_cost_posting()
    ends = [e.ending_date for e in entries]
    if any(end not in balances for end in ends):
        balances = invariants.period_end_balances(accounts, ends)
    PeriodCloseSnapshot.objects.bulk_create(
        PeriodCloseSnapshot(period_entry=entry, ending_date=entry.ending_date, **row)
        for entry in entries
        for row in invariants.close_snapshot_rows(balances[entry.ending_date], accounts, expected_posting=expected)
    )


@transaction.atomic
def close_period(ending_date: date, *, user=None) -> list[InventoryPeriodEntry]:
    """Close the period and every earlier open one (oldest first, one log entry each), if the close test is clean.

    The close test includes the books' invariant suite (``core.invariants.run_for_close``): a failing check refuses
    the close like any other problem. Each close entry records the last item register, the close log of seed 003 (the
    outbound entries of its period whose cost could not be settled with final cost up to the closing date, and why)
    and the balance snapshot that invariant I6b holds the closed period to.
    """
    _lock_periods()
    # Hold the inventory ledgers still: postings and cost adjustments wait until this transaction ends.
    NumberBlock(["item_ledger_entry", "value_entry"])
    period = _period(ending_date)
    if period.closed:
        raise Conflict(
            _("The inventory period ending %(date)s is already closed.") % {"date": ending_date},
            code="already_closed",
        )
    # Nothing written yet, only locks taken: the test may read on a second connection too (core.consistent).
    test = selectors.close_test(ending_date, join=True)
    if not test.clean:
        raise PeriodNotClean(
            _(
                "The inventory period ending %(date)s cannot be closed: the close test found %(count)s problems. "
                "Nothing was closed."
            )
            % {"date": ending_date, "count": len(test.problems)},
            [p.as_dict() for p in test.problems],
        )
    register_no = selectors.last_item_register_no()
    periods = selectors.open_periods_up_to(ending_date)
    previous = (
        InventoryPeriod.objects.filter(ending_date__lt=periods[0].ending_date)
        .order_by("-ending_date")
        .values_list("ending_date", flat=True)
        .first()
    )
    entries = []
    for closing in periods:
        entry = InventoryPeriodEntry.objects.create(
            ending_date=closing.ending_date,
            entry_type=InventoryPeriodEntry.EntryType.CLOSE,
            user=user,
            closing_item_register_no=register_no,
            description=_("Closed with %(name)s.") % {"name": period} if closing != period else "",
        )
        with connection.cursor() as cur:
            cur.execute(
                selectors.close_log_candidates_sql(),
                {"entry": entry.entry_no, "after": previous, "end": closing.ending_date},
            )
        previous = closing.ending_date
        entries.append(entry)
    _take_snapshots(entries, test)
    InventoryPeriod.objects.filter(ending_date__in=[p.ending_date for p in periods]).update(closed=True)
    return entries


@transaction.atomic
def reopen_period(ending_date: date, *, user=None) -> list[InventoryPeriodEntry]:
    """Reopen the period and every later closed one, newest first (each close is reversed in the opposite order of
    closing, as seed 003 requires), one log entry each."""
    _lock_periods()
    period = _period(ending_date)
    if not period.closed:
        raise Conflict(
            _("The inventory period ending %(date)s is not closed.") % {"date": ending_date}, code="not_closed"
        )
    entries = []
    for reopening in selectors.closed_periods_from(ending_date):
        entries.append(
            InventoryPeriodEntry.objects.create(
                ending_date=reopening.ending_date,
                entry_type=InventoryPeriodEntry.EntryType.REOPEN,
                user=user,
                description=_("Reopened with %(name)s.") % {"name": period} if reopening != period else "",
            )
        )
        InventoryPeriod.objects.filter(ending_date=reopening.ending_date).update(closed=False)
    return entries
