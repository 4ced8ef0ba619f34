"""Reads for the ledger pages: the chart of accounts with balances and the filtered G/L entries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ledger.models import GLAccount, GLEntry, GLRegister

_AMOUNT = DecimalField(max_digits=20, decimal_places=2)
_ZERO = Value(Decimal("0"), output_field=_AMOUNT)


def accounts_with_balance(*, as_of: date | None = None) -> QuerySet[GLAccount]:
    """Every account with ``balance``: the sum of its G/L entries (up to ``as_of``), one grouped query.

    Uses the gl_entry_account_date index. Headings carry no entries, so their balance is 0.
    """
    entries = Q(glentry__posting_date__lte=as_of) if as_of else Q()
    return GLAccount.objects.annotate(balance=Coalesce(Sum("glentry__amount", filter=entries), _ZERO)).order_by("no")


@dataclass(frozen=True)
class GLEntryFilter:
    gl_account: str = ""
    date_from: date | None = None
    date_to: date | None = None
    document_no: str = ""
    transaction_no: int | None = None
    register_no: int | None = None


def gl_entries(filters: GLEntryFilter) -> QuerySet[GLEntry]:
    """G/L entries matching the filters, in entry no. order, with their account (for its name)."""
    qs = GLEntry.objects.select_related("gl_account").order_by("entry_no")
    if filters.gl_account:
        qs = qs.filter(gl_account_id=filters.gl_account)
    if filters.date_from:
        qs = qs.filter(posting_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(posting_date__lte=filters.date_to)
    if filters.document_no:
        qs = qs.filter(document_no=filters.document_no)
    if filters.transaction_no is not None:
        qs = qs.filter(transaction_id=filters.transaction_no)
    if filters.register_no is not None:
        # A register's entries lie within its entry no. range: the primary key narrows the scan (no register index).
        bounds = GLRegister.objects.filter(no=filters.register_no).values_list("from_entry_no", "to_entry_no").first()
        if bounds is None:
            return qs.none()
        qs = qs.filter(register_id=filters.register_no, entry_no__range=bounds)
    return qs


def gl_entry_totals(entries: QuerySet[GLEntry]) -> dict:
    """Count, debit, credit (as a positive number) and net amount of the filtered entries, in one query."""
    totals = entries.order_by().aggregate(
        count=Count("entry_no"),
        debit=Coalesce(Sum("amount", filter=Q(amount__gt=0)), _ZERO),
        credit=Coalesce(Sum("amount", filter=Q(amount__lt=0)), _ZERO),
        net=Coalesce(Sum("amount"), _ZERO),
    )
    totals["credit"] = abs(totals["credit"])
    return totals


def posting_accounts() -> QuerySet[GLAccount]:
    """Accounts offered in the G/L entry filter (headings carry no entries)."""
    return GLAccount.objects.filter(account_type=GLAccount.AccountType.POSTING).order_by("no").only("no", "name")
