"""Cancel a posted document: post its reversal, as Business Central's Undo Receipt / Undo Shipment and the corrective
credit memo of a cancelled invoice do (docs/costing.md, "Cancelling a document").

The ledgers are append-only, so a cancelled document stays posted and a **correction** entry, under the same document
no., reverses each of its item ledger entries at that entry's own cost:

* an inbound entry (a purchase, a positive adjustment) is reversed by an outbound entry fixed-applied to it
  (``applies_to_entry``) whose value entries mirror the receipt's (``Posting._value_correction``): direct and
  indirect cost, a Standard item's purchase variance, expected and actual, so every G/L account it reached is reversed;
* an outbound entry (a sale, a negative adjustment) is reversed by an inbound entry that takes its cost
  (``applies_from_entry``, exact cost reversal), as a return of the whole quantity would, and is stock again.

The correction is invoiced as its entry is (a receipt not yet invoiced is reversed at expected cost), so the pair nets
to zero in expected and in actual cost, on the inventory and on the G/L. Each correction names the entry it cancels
(``ItemLedgerEntry.corrects_entry``, unique: an entry is cancelled once); afterwards nothing may be invoiced, charged,
returned or applied against either entry (``Posting._check_not_cancelled``), and invariant I11 checks that nothing is
posted for them but Adjust Cost's entries and that each pair nets to zero once Adjust Cost has run.

A document is cancelled whole or not at all (one posting, one transaction). What cannot be reversed this way is
refused with the reason, entry by entry: an entry partly invoiced; a receipt not invoiced that carries item charges
(BC refuses to undo those too: its correction, not invoiced either, would be valued at expected cost alone); an
inbound entry whose stock was already used (BC: unapply it first); an outbound entry still waiting for stock (negative
inventory: its cost is not known yet) or already returned in part; transfers and production entries (reversed by a
transfer back, on the production order). The correction is dated like its entry (the document never happened) unless
a later posting date is given (an entry in a closed period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput, NotFound
from core.money import ZERO
from costing.models import ItemLedgerEntry, ItemLedgerEntryType
from costing.posting import JournalLine, Posting, PostingResult, corrections_of
from costing.templatetags.costing_format import quantity as shown

REVERSIBLE = (
    ItemLedgerEntryType.PURCHASE,
    ItemLedgerEntryType.SALE,
    ItemLedgerEntryType.POSITIVE_ADJMT,
    ItemLedgerEntryType.NEGATIVE_ADJMT,
)
INBOUND_JOURNAL_TYPES = (ItemLedgerEntryType.PURCHASE, ItemLedgerEntryType.POSITIVE_ADJMT)


@dataclass
class Reversal:
    """One item ledger entry of the document and what cancels it (or why it cannot be)."""

    entry: ItemLedgerEntry
    line: JournalLine | None = None
    refusal: str = ""
    cancelled_by: int | None = None  # already cancelled by this correction

    @property
    def quantity(self):
        """The correction's quantity in the ledger (stock direction): the entry's, the other way."""
        return -self.entry.quantity


def plan(document_no: str, posting_date: date | None = None) -> list[Reversal]:
    """The document's entries (corrections left out) with their correction lines or the reason each is refused.
    Reads only: the preview page shows it, and ``cancel_document`` posts it (reading it again under the ledger locks).
    """
    entries = list(
        ItemLedgerEntry.objects.filter(document_no=document_no, corrects_entry__isnull=True).order_by("entry_no")
    )
    if not entries:
        raise NotFound(_("No item ledger entries carry document no. %(no)s.") % {"no": document_no})
    numbers = [e.entry_no for e in entries]
    cancelled = corrections_of(numbers)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT outbound_item_entry_no, sum(quantity) FROM costing_item_application_entry"
            " WHERE cost_application AND outbound_item_entry_no = ANY(%s) GROUP BY 1",
            [numbers],
        )
        returned = dict(cur.fetchall())
        cur.execute(
            "SELECT DISTINCT item_ledger_entry_no FROM costing_value_entry"
            " WHERE item_ledger_entry_no = ANY(%s) AND cost_amount_actual <> 0",
            [numbers],
        )
        with_actual_cost = {no for (no,) in cur.fetchall()}
    reversals = []
    for entry in entries:
        reversal = Reversal(entry, cancelled_by=cancelled.get(entry.entry_no))
        reversals.append(reversal)
        if reversal.cancelled_by is None:
            reversal.refusal = _refusal(
                entry, returned.get(entry.entry_no), entry.entry_no in with_actual_cost, posting_date
            )
            if not reversal.refusal:
                reversal.line = _correction_line(entry, posting_date or entry.posting_date)
    return reversals


def _refusal(entry: ItemLedgerEntry, returned, actual_cost: bool, posting_date: date | None) -> str:
    if entry.entry_type not in REVERSIBLE:
        if entry.entry_type == ItemLedgerEntryType.TRANSFER:
            return _("A transfer is not cancelled: post a transfer back.")
        return _("A production entry is not cancelled here: reverse it on its production order.")
    if entry.invoiced_quantity not in (0, entry.quantity):
        return _("Partly invoiced (%(done)s of %(all)s): invoice the rest first, then cancel.") % {
            "done": shown(abs(entry.invoiced_quantity)),
            "all": shown(abs(entry.quantity)),
        }
    if entry.positive and not entry.completely_invoiced and actual_cost:
        # Its correction, not invoiced either, is valued at expected cost alone (Adjust Cost values an outbound
        # entry that is not invoiced so); an item charge's actual cost would move to the interim accounts.
        return _("It carries item charges but is not invoiced: invoice it first, then cancel.")
    if entry.positive and entry.remaining_quantity != entry.quantity:
        return _(
            "%(used)s of its %(all)s units were already used by outbound entries: cancel or return those first."
        ) % {"used": shown(entry.quantity - entry.remaining_quantity), "all": shown(entry.quantity)}
    if not entry.positive and entry.remaining_quantity != 0:
        return _(
            "%(open)s units are still waiting for stock (negative inventory): post the receipt that covers them, "
            "then cancel."
        ) % {"open": shown(-entry.remaining_quantity)}
    if not entry.positive and returned:
        return _("%(q)s units were already returned: return the rest instead.") % {"q": shown(returned)}
    if posting_date is not None and posting_date < entry.posting_date:
        return _("The cancellation cannot be dated before the entry (%(date)s).") % {
            "date": entry.posting_date.isoformat()
        }
    return ""


def _correction_line(entry: ItemLedgerEntry, posting_date: date) -> JournalLine:
    # Journal quantities count in the line's direction (a sale of 5 is +5), so the reversal is the original's
    # journal quantity with the other sign: -quantity for inbound types, the (negative) entry quantity for outbound.
    quantity = -entry.quantity if entry.entry_type in INBOUND_JOURNAL_TYPES else entry.quantity
    return JournalLine(
        entry_type=entry.entry_type,
        posting_date=posting_date,
        document_no=entry.document_no,
        item=entry.item_id,
        quantity=quantity,
        location=entry.location_id or "",
        invoiced_quantity=None if entry.completely_invoiced else ZERO,
        applies_to_entry=entry.entry_no if entry.positive else None,
        applies_from_entry=None if entry.positive else entry.entry_no,
        gen_bus_posting_group=entry.gen_bus_posting_group_id or "",
        external_document_no=entry.external_document_no,
        description=entry.description,
        corrects_entry=entry.entry_no,
    )


def cancellable(reversals: list[Reversal]) -> bool:
    """Would ``cancel_document`` post? Nothing refused and something left to cancel."""
    return not any(r.refusal for r in reversals) and any(r.line is not None for r in reversals)


def cancel_document(document_no: str, *, posting_date: date | None = None, user=None) -> PostingResult:
    """Post the correction of every entry of the document that is not cancelled yet, in one transaction; refuse the
    whole document (posting nothing) if any entry cannot be reversed."""
    if not document_no:
        raise InvalidInput.field("document_no", _("A document no. is required."))
    with Posting(user=user) as posting:
        # Planned under the posting's ledger locks: nothing can use, invoice or cancel these entries meanwhile.
        reversals = plan(document_no, posting_date)
        refused = {f"entries.{r.entry.entry_no}": [r.refusal] for r in reversals if r.refusal}
        if refused:
            raise Conflict(
                _("Document %(no)s cannot be cancelled: %(count)d of its entries cannot be reversed.")
                % {"no": document_no, "count": len(refused)},
                code="document_not_cancellable",
                errors=refused,
            )
        lines = [r.line for r in reversals if r.line is not None]
        if not lines:
            raise Conflict(_("Document %(no)s is already cancelled.") % {"no": document_no}, code="already_cancelled")
        posting.post_lines(lines)
    return posting.result
