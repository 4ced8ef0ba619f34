"""Reads of the books for the API and the pages."""

from django.apps import apps
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ledger.models import (
    GenBusinessPostingGroup,
    GeneralPostingSetup,
    GenProductPostingGroup,
    GLAccount,
    GLEntry,
    GLSetup,
)


def gl_entries() -> QuerySet[GLEntry]:
    """G/L entries with ``value_entry_nos``: the value entries each was posted from, in one correlated subquery.

    The relation table belongs to the inventory subledger (costing.GLItemLedgerRelation); it is looked up by name so
    the books do not import the subledger.
    """
    relation = apps.get_model("costing", "GLItemLedgerRelation")
    value_entry_nos = (
        relation.objects.filter(gl_entry_id=OuterRef("entry_no"))
        .order_by()
        .values("gl_entry_id")
        .annotate(nos=ArrayAgg("value_entry_id", order_by="value_entry_id"))
        .values("nos")
    )
    array = ArrayField(BigIntegerField())
    return GLEntry.objects.annotate(
        value_entry_nos=Coalesce(Subquery(value_entry_nos, output_field=array), Value([], output_field=array))
    ).order_by("entry_no")


def gl_accounts() -> QuerySet[GLAccount]:
    return GLAccount.objects.order_by("no")


def gen_business_posting_groups() -> QuerySet[GenBusinessPostingGroup]:
    return GenBusinessPostingGroup.objects.order_by("code")


def gen_product_posting_groups() -> QuerySet[GenProductPostingGroup]:
    return GenProductPostingGroup.objects.order_by("code")


def general_posting_setups() -> QuerySet[GeneralPostingSetup]:
    return GeneralPostingSetup.objects.order_by("id")


def gl_setup() -> GLSetup:
    return GLSetup.get()
