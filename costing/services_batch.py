"""Writes behind the Inventory Cost Adjustment page (costing reference 6.3) that are not a batch job.

Excluding an item from cost adjustment keeps Adjust Cost - Item Entries away from it (``adjustment.items_to_adjust``
filters it out) until it is included again. Nothing is posted: the item's cost stays as it is, not adjusted, and the
page keeps showing it as non-adjusted so the exclusion is not forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from costing.models import Item


def set_excluded_from_adjustment(item_nos: Sequence[str], *, excluded: bool) -> list[str]:
    """Exclude these items from cost adjustment (or include them again). Returns the items that changed.

    Unknown item numbers are refused as a whole, so a typo never half-applies a selection. The update is one
    statement with the old value in its WHERE clause and RETURNING the rows it changed: two users doing the same
    thing at once change each item once, and each is told what they changed.
    """
    wanted = sorted({no.strip() for no in item_nos if no and no.strip()})
    if not wanted:
        raise InvalidInput.field("items", _("Select at least one item."))
    with transaction.atomic():
        known = set(Item.objects.filter(no__in=wanted).values_list("no", flat=True))
        unknown = [no for no in wanted if no not in known]
        if unknown:
            raise InvalidInput.field("items", _("Unknown items: %(items)s.") % {"items": ", ".join(unknown)})
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE costing_item SET excluded_from_cost_adjustment = %s
                 WHERE no = ANY(%s) AND excluded_from_cost_adjustment <> %s
             RETURNING no
                """,
                [excluded, wanted, excluded],
            )
            return sorted(row[0] for row in cur.fetchall())
