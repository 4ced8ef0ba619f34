"""Reads for inventory periods: the close test (costing reference 4.10, 5.3; seed 004), the close log (seed 003), the
periods and their log, and the figures of the controller's close checklist (reconciliation through the
reconciliation app's matrix).

The close test lists every reason a period cannot close, each naming the item and the entry, in a few set-based
queries. A reason that has more rows than ``limit`` shows the first ``limit`` and one line saying how many more. It also
runs the books' invariant suite as the close needs it (``core.invariants.run_for_close``): every failing check is a
blocking problem, so a period never closes over books that are not in order (shared spec "reliability" 8.6).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet
from django.utils.translation import gettext as _

from core import consistent, invariants
from core.money import ZERO
from costing.models import ItemRegister, PostValueEntryToGL
from periods.models import InventoryCloseLogLine, InventoryPeriod, InventoryPeriodEntry
from reconciliation.selectors import Filters, matrix

CLOSE_TEST_LIMIT = 200


@dataclass
class Problem:
    """One reason a period cannot close (``blocking``), or a warning that does not stop the close."""

    code: str
    message: str
    item: str | None = None
    entry_no: int | None = None
    guidance: str = ""
    entries: list[int] = field(default_factory=list)
    blocking: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CloseTest:
    ending_date: date
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # The invariant suite's report (with the balances as of every period end up to the ending date, which the close
    # stores as its snapshot).
    books: invariants.Report | None = field(default=None, repr=False)

    @property
    def clean(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "ending_date": self.ending_date.isoformat(),
            "can_close": self.clean,
            "problems": [p.as_dict() for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _q(quantity: Decimal) -> str:
    """A quantity as people write it: 1, 2.5 (never 1.00000 or 1E+1)."""
    return f"{quantity.normalize():f}"


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _more(code: str, shown: int, blocking: bool = True) -> Problem:
    return Problem(
        code=code,
        message=_("Only the first %(shown)s are listed; there are more of the same kind.") % {"shown": shown},
        blocking=blocking,
    )


# ------------------------------------------------------------------------------------------------ the close test


def _unadjusted_items(end: date, limit: int) -> list[Problem]:
    """Items whose cost is not adjusted and that have entries on or before the ending date (the item flag is what
    blocks). The entries named, to help find the cause, are those marked for adjustment or with value entries written
    since the item's last cost adjustment (all of them if it was never adjusted); failing that, its latest entry."""
    rows = _rows(
        """
        SELECT i.no, i.excluded_from_cost_adjustment,
               (SELECT max(e.entry_no) FROM costing_item_ledger_entry e
                 WHERE e.item_no = i.no AND e.posting_date <= %(end)s) AS latest,
               ARRAY(SELECT e.entry_no FROM costing_item_ledger_entry e
                      WHERE e.item_no = i.no AND e.posting_date <= %(end)s
                        AND (i.last_adjusted_at IS NULL OR e.applied_entry_to_adjust OR EXISTS (
                             SELECT 1 FROM costing_value_entry v
                              WHERE v.item_ledger_entry_no = e.entry_no AND v.created_at > i.last_adjusted_at))
                      ORDER BY e.entry_no LIMIT 10) AS changed
          FROM costing_item i
         WHERE NOT i.cost_is_adjusted
           AND EXISTS (SELECT 1 FROM costing_item_ledger_entry e WHERE e.item_no = i.no AND e.posting_date <= %(end)s)
         ORDER BY i.no
         LIMIT %(limit)s
        """,
        {"end": end, "limit": limit + 1},
    )
    problems = []
    for no, excluded, latest, changed in rows[:limit]:
        entries = list(changed) or [latest]
        guidance = _("Run Adjust Cost - Item Entries for item %(item)s.") % {"item": no}
        if excluded:
            guidance = _(
                "Item %(item)s is excluded from cost adjustment: include it again, then run Adjust Cost - Item Entries."
            ) % {"item": no}
        problems.append(
            Problem(
                code="item_not_adjusted",
                item=no,
                entry_no=entries[0],
                entries=entries,
                message=_(
                    "The item %(item)s has entries in this period that have not been adjusted (item ledger entries "
                    "%(entries)s)."
                )
                % {"item": no, "entries": ", ".join(str(n) for n in entries)},
                guidance=guidance,
            )
        )
    if len(rows) > limit:
        problems.append(_more("item_not_adjusted", limit))
    return problems


def _unadjusted_entry_points(end: date, limit: int) -> list[Problem]:
    """Average cost: unadjusted entry points (item x location x valuation period) up to the ending date, each with
    the latest item ledger entry of that item (and location) in the valuation period."""
    rows = _rows(
        """
        SELECT p.item_no, p.location_code, p.valuation_date,
               (SELECT max(e.entry_no) FROM costing_item_ledger_entry e
                 WHERE e.item_no = p.item_no AND e.posting_date <= p.valuation_date
                   AND (p.location_code IS NULL OR e.location_code IS NOT DISTINCT FROM p.location_code)) AS entry_no
          FROM costing_avg_cost_adjmt_entry_point p
         WHERE NOT p.cost_is_adjusted AND p.valuation_date <= %(end)s
         ORDER BY p.item_no, p.location_code NULLS FIRST, p.valuation_date
         LIMIT %(limit)s
        """,
        {"end": end, "limit": limit + 1},
    )
    problems = [
        Problem(
            code="avg_cost_entry_point_not_adjusted",
            item=item_no,
            entry_no=entry_no,
            entries=[entry_no] if entry_no else [],
            message=_(
                "The item %(item)s has entries in this period that have not been adjusted (average cost period "
                "ending %(date)s, location %(location)s)."
            )
            % {"item": item_no, "date": valuation_date, "location": location or "-"},
            guidance=_("Run Adjust Cost - Item Entries for item %(item)s.") % {"item": item_no},
        )
        for item_no, location, valuation_date, entry_no in rows[:limit]
    ]
    if len(rows) > limit:
        problems.append(_more("avg_cost_entry_point_not_adjusted", limit))
    return problems


def _entries_to_adjust(end: date, limit: int) -> list[Problem]:
    rows = _rows(
        """
        SELECT e.entry_no, e.item_no, e.posting_date FROM costing_item_ledger_entry e
         WHERE e.applied_entry_to_adjust AND e.posting_date <= %(end)s
         ORDER BY e.entry_no LIMIT %(limit)s
        """,
        {"end": end, "limit": limit + 1},
    )
    problems = [
        Problem(
            code="applied_entry_to_adjust",
            item=item_no,
            entry_no=entry_no,
            entries=[entry_no],
            message=_(
                "Item ledger entry %(entry)s (item %(item)s, %(date)s) has a cost change that has not been forwarded "
                "to the entries applied to it."
            )
            % {"entry": entry_no, "item": item_no, "date": posting_date},
            guidance=_("Run Adjust Cost - Item Entries for item %(item)s.") % {"item": item_no},
        )
        for entry_no, item_no, posting_date in rows[:limit]
    ]
    if len(rows) > limit:
        problems.append(_more("applied_entry_to_adjust", limit))
    return problems


def _open_outbound(end: date, limit: int) -> list[Problem]:
    rows = _rows(
        """
        SELECT e.entry_no, e.item_no, e.posting_date, e.location_code, e.remaining_quantity
          FROM costing_item_ledger_entry e
         WHERE e.open AND NOT e.positive AND e.posting_date <= %(end)s
         ORDER BY e.entry_no LIMIT %(limit)s
        """,
        {"end": end, "limit": limit + 1},
    )
    problems = [
        Problem(
            code="open_outbound_entry",
            item=item_no,
            entry_no=entry_no,
            entries=[entry_no],
            message=_(
                "Item ledger entry %(entry)s is open: item %(item)s, %(date)s, location %(location)s, %(remaining)s "
                "not applied (negative inventory)."
            )
            % {
                "entry": entry_no,
                "item": item_no,
                "date": posting_date,
                "location": location or "-",
                "remaining": _q(-remaining),
            },
            guidance=_(
                "Close the open item ledger entry, for example by posting related inbound transactions, in order to "
                "resolve the negative inventory and thereby allow the inventory period to be closed."
            ),
        )
        for entry_no, item_no, posting_date, location, remaining in rows[:limit]
    ]
    if len(rows) > limit:
        problems.append(_more("open_outbound_entry", limit))
    return problems


def _fixed_application_pairs(end: date, limit: int) -> list[Problem]:
    """Seed 004: an inbound entry posted with Applies-from Entry takes the cost of that outbound entry (a cost
    application, ``cost_application``) but does not close it by quantity. When the outbound entry was still open at
    the time (negative inventory the inbound entry did not close), the corrective positive entry stays open, and so
    does the negative one until something closes it. The period cannot close until the two corrective postings of
    the seed close both: a positive adjustment with Applies-from Entry on the negative entry, then a negative
    adjustment with Applies-to Entry on the corrective positive entry.

    "Still open at the time": the outbound entry is open now, or it was closed by a quantity application made after
    the cost application (by another entry). A return fixed-applied to a sale that was already closed is ordinary
    stock and is not listed. Transfers record a cost application from their outbound half too; they are not fixed
    applications."""
    rows = _rows(
        """
        SELECT c.entry_no, c.item_no, c.posting_date, c.location_code, c.remaining_quantity,
               n.entry_no, n.posting_date, n.location_code, n.remaining_quantity, n.open
          FROM costing_item_application_entry a
          JOIN costing_item_ledger_entry c ON c.entry_no = a.inbound_item_entry_no
          JOIN costing_item_ledger_entry n ON n.entry_no = a.outbound_item_entry_no
         WHERE a.cost_application AND a.item_ledger_entry_no = a.inbound_item_entry_no
           AND c.entry_type <> 'transfer' AND c.open
           AND (c.posting_date <= %(end)s OR n.posting_date <= %(end)s)
           AND (n.open OR EXISTS (
                SELECT 1 FROM costing_item_application_entry q
                 WHERE q.outbound_item_entry_no = n.entry_no AND NOT q.cost_application
                   AND q.entry_no > a.entry_no AND q.item_ledger_entry_no <> c.entry_no))
         ORDER BY c.entry_no, n.entry_no LIMIT %(limit)s
        """,
        {"end": end, "limit": limit + 1},
    )
    problems = []
    for c_no, item_no, c_date, c_loc, c_remaining, n_no, n_date, n_loc, n_remaining, n_open in rows[:limit]:
        values = {
            "item": item_no,
            "inbound": c_no,
            "inbound_date": c_date,
            "outbound": n_no,
            "outbound_date": n_date,
            "q_out": _q(-n_remaining),
            "q_in": _q(c_remaining),
            "loc_out": n_loc or "-",
            "loc_in": c_loc or "-",
        }
        if n_open:
            message = _(
                "Item ledger entry %(inbound)s (item %(item)s, %(inbound_date)s) takes its cost from outbound entry "
                "%(outbound)s (%(outbound_date)s) by a fixed application that applies cost only, not quantity: entry "
                "%(outbound)s is still open and entry %(inbound)s remains open."
            )
            guidance = _(
                "Close both entries with two corrective postings in the item journal: 1. Post a positive adjustment "
                "of %(q_out)s at location %(loc_out)s with Applies-from Entry %(outbound)s; this closes the original "
                "negative entry %(outbound)s by fixed application. 2. Post a negative adjustment of %(q_in)s at "
                "location %(loc_in)s with Applies-to Entry %(inbound)s; this closes the original corrective positive "
                "entry %(inbound)s by fixed application."
            )
        else:
            message = _(
                "Item ledger entry %(inbound)s (item %(item)s, %(inbound_date)s) takes its cost from outbound entry "
                "%(outbound)s (%(outbound_date)s) by a fixed application that applies cost only, not quantity: entry "
                "%(outbound)s has since been closed, but entry %(inbound)s remains open."
            )
            guidance = _(
                "Make the second corrective posting in the item journal: post a negative adjustment of %(q_in)s at "
                "location %(loc_in)s with Applies-to Entry %(inbound)s; this closes the original corrective positive "
                "entry %(inbound)s by fixed application."
            )
        problems.append(
            Problem(
                code="fixed_application_open",
                item=item_no,
                entry_no=c_no,
                entries=[c_no, n_no],
                message=message % values,
                guidance=guidance % values,
            )
        )
    if len(rows) > limit:
        problems.append(_more("fixed_application_open", limit))
    return problems


def _not_posted_to_gl(end: date, limit: int) -> list[Problem]:
    """Warning only (the close does not depend on the G/L): queued value entries dated on or before the end."""
    rows = list(
        PostValueEntryToGL.objects.filter(posting_date__lte=end)
        .values("item_id")
        .annotate(n=Count("value_entry_id"), first=Min("value_entry_id"))
        .order_by("item_id")[: limit + 1]
    )
    warnings = [
        Problem(
            code="not_posted_to_gl",
            item=row["item_id"],
            entry_no=row["first"],
            entries=[row["first"]],
            blocking=False,
            message=_(
                "%(count)s value entries of item %(item)s dated on or before %(date)s are not posted to the G/L yet "
                "(first: value entry %(entry)s)."
            )
            % {"count": row["n"], "item": row["item_id"] or "-", "date": end, "entry": row["first"]},
            guidance=_("Run Post Inventory Cost to G/L before closing, so the G/L matches the inventory."),
        )
        for row in rows[:limit]
    ]
    if len(rows) > limit:
        warnings.append(_more("not_posted_to_gl", limit, blocking=False))
    return warnings


def _check_descriptions() -> dict[str, str]:
    """What each failing check of the invariant suite means, in the reader's language (docs/reliability.md)."""
    return {
        "I1_unbalanced_transactions": _("G/L transactions whose lines do not add up to zero"),
        "I1_ledger_not_zero": _("the G/L entries as a whole do not add up to zero"),
        "I2_posted_differs_from_gl": _("value entries whose cost posted to the G/L differs from their G/L entries"),
        "I3_lost_postings": _("value entries not posted to the G/L in full and not waiting to be posted either"),
        "I4_posted_twice": _("value entries posted to the G/L more than once"),
        "I4_too_many_gl_lines": _("value entries linked to more G/L entries than a posting creates"),
        "I5_inventory_differs_from_valuation": _(
            "inventory accounts whose G/L balance differs from the inventory valuation at a period end"
        ),
        "I6a_item_ledger_after_close": _("item ledger entries posted into a closed period after it was closed"),
        "I6a_value_entries_after_close": _("value entries posted into a closed period after it was closed"),
        "I6b_closed_period_changed": _(
            "balances of a closed period that no longer match the snapshot taken when it was closed"
        ),
        "I7_ledger_rows_changed": _("posted ledger rows that were changed or deleted"),
        "I9_on_hand_differs": _("items whose quantity on hand differs from their open remaining quantities"),
        "I9_bad_remaining_quantity": _("item ledger entries with an impossible remaining quantity"),
    }


def _books_not_in_order(end: date, test: CloseTest, side, meanwhile) -> list[Problem]:
    """The invariant suite as the close runs it: one blocking problem per failing check."""
    test.books = invariants.run_for_close(end, side, meanwhile)
    descriptions = _check_descriptions()
    return [
        Problem(
            code="books_check_failed",
            message=_("The books' check %(check)s failed: %(what)s (%(count)s found).")
            % {"check": name, "what": descriptions.get(name, name), "count": count},
            guidance=_(
                "Run python manage.py check_books for the details (docs/reliability.md), correct the cause with a "
                "correcting posting, then close again."
            ),
        )
        for name, count in test.books.failed.items()
    ]


def close_test(ending_date: date, *, limit: int = CLOSE_TEST_LIMIT, join: bool = False) -> CloseTest:
    """Close Inventory Period - Test (report 1004) for one ending date, with the seed 004 fixed-application check,
    the books' invariant suite (``core.invariants.run_for_close``) and the G/L warning. Reads committed data only;
    ``close_period`` runs it again under its locks.

    The reads are split over two connections on one snapshot (``core.consistent.reads``): the suite's I2/I4 pass on
    the second, about half of the work on a 1M ledger, and everything else on this one. That needs committed data:
    inside a caller's transaction everything runs here, unless the caller passes ``join`` (``close_period``, whose
    transaction has only taken locks when it runs the test). The problems come out in the same order either way.
    """
    test = CloseTest(ending_date)

    def reasons() -> None:
        for reason in (
            _unadjusted_items,
            _unadjusted_entry_points,
            _entries_to_adjust,
            _open_outbound,
            _fixed_application_pairs,
        ):
            test.problems.extend(reason(ending_date, limit))
        test.warnings.extend(_not_posted_to_gl(ending_date, limit))

    with consistent.reads(join=join) as side:
        test.problems.extend(_books_not_in_order(ending_date, test, side, reasons))
    return test


# --------------------------------------------------------------------------------------------- periods and the log


def inventory_periods() -> QuerySet[InventoryPeriod]:
    return InventoryPeriod.objects.order_by("ending_date")


def last_closed_ending_date() -> date | None:
    return InventoryPeriod.objects.filter(closed=True).aggregate(m=Max("ending_date"))["m"]


def open_periods_up_to(ending_date: date) -> list[InventoryPeriod]:
    """The periods a close of ``ending_date`` closes: it and every earlier open one, oldest first."""
    return list(InventoryPeriod.objects.filter(closed=False, ending_date__lte=ending_date).order_by("ending_date"))


def closed_periods_from(ending_date: date) -> list[InventoryPeriod]:
    """The periods a reopen of ``ending_date`` reopens: it and every later closed one, newest first."""
    return list(InventoryPeriod.objects.filter(closed=True, ending_date__gte=ending_date).order_by("-ending_date"))


def period_entries() -> QuerySet[InventoryPeriodEntry]:
    return (
        InventoryPeriodEntry.objects.select_related("user")
        .annotate(log_lines_count=Count("log_lines"))
        .order_by("-entry_no")
    )


def close_log_lines(entry_no: int) -> QuerySet[InventoryCloseLogLine]:
    return InventoryCloseLogLine.objects.filter(period_entry_id=entry_no).order_by("item_no", "item_ledger_entry_no")


def last_item_register_no() -> int | None:
    return ItemRegister.objects.aggregate(m=Max("no"))["m"]


def close_log_candidates_sql() -> str:
    """Seed 003's close log: outbound entries dated in the period that could not be settled with final cost up to
    the closing date. Parameters: ``entry`` (the close entry), ``after`` (exclusive, may be NULL), ``end``."""
    return """
        INSERT INTO periods_inventory_close_log_line
               (period_entry_no, reason, item_no, item_ledger_entry_no, posting_date, quantity,
                inbound_entry_no, inbound_posting_date)
        SELECT %(entry)s, CASE WHEN i.posting_date > %(end)s THEN 'receipt_after_closing_date'
                               ELSE 'provisional_cost' END,
               o.item_no, o.entry_no, o.posting_date, sum(abs(a.quantity)), i.entry_no, i.posting_date
          FROM costing_item_ledger_entry o
          JOIN costing_item_application_entry a ON a.outbound_item_entry_no = o.entry_no AND NOT a.cost_application
          JOIN costing_item_ledger_entry i ON i.entry_no = a.inbound_item_entry_no
         WHERE NOT o.positive AND o.posting_date <= %(end)s
           AND (%(after)s::date IS NULL OR o.posting_date > %(after)s::date)
           AND (i.posting_date > %(end)s OR NOT i.completely_invoiced)
         GROUP BY o.item_no, o.entry_no, o.posting_date, i.entry_no, i.posting_date
         ORDER BY o.item_no, o.entry_no, i.entry_no
    """


# ------------------------------------------------------------------------------------------ the close checklist


@dataclass
class Reconciliation:
    """The Inventory column of the Inventory - G/L Reconciliation up to a date: the inventory accounts' balance in
    the G/L against the inventory value of the value entries."""

    ending_date: date
    gl_balance: Decimal
    inventory_value: Decimal
    difference: Decimal


def reconciliation(ending_date: date) -> Reconciliation:
    """Read from the reconciliation app's matrix (costing reference 3), so both pages always show the same figures."""
    result = matrix(Filters(date_to=ending_date), explain=False)
    return Reconciliation(
        ending_date,
        result.cell("gl_total", "inventory") or ZERO,
        result.cell("total", "inventory") or ZERO,
        result.cell("difference", "inventory") or ZERO,
    )
