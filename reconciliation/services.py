"""Writes started from the reconciliation page: post the value entries a difference is waiting for."""

from __future__ import annotations

from django.db import transaction

from costing import gl_posting
from costing.models import PostValueEntryToGL, ValueEntry
from reconciliation.selectors import Filters, unposted_entry_numbers


def post_unposted_entries(filters: Filters, *, user=None) -> gl_posting.Report:
    """Post Inventory Cost to G/L (per entry) for exactly the value entries the explanation names as not yet posted.

    Their queue rows are claimed the way the batch job claims them (``FOR UPDATE SKIP LOCKED``, in entry order), so a
    run that is posting the same entries right now keeps them and nothing is posted twice; the value entries are read
    after the claim, so the amounts still to post are current. ``post_value_entries`` deletes the queue rows of the
    entries it finished.
    """
    numbers = unposted_entry_numbers(filters)
    with transaction.atomic():
        claimed = list(
            PostValueEntryToGL.objects.filter(value_entry_id__in=numbers)
            .order_by("value_entry_id")
            .select_for_update(skip_locked=True)
            .values_list("value_entry_id", flat=True)
        )
        entries = list(ValueEntry.objects.filter(entry_no__in=claimed).order_by("entry_no"))
        return gl_posting.post_value_entries(entries, method=gl_posting.PER_ENTRY, user=user)
