"""Reads for the home page: how big the books are and what was posted last."""

from django.db import connection
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from costing.models import ItemLedgerEntry, ValueEntry
from ledger.models import GLAccount, GLEntry, GLRegister


def books_summary() -> dict[str, int]:
    """Entry counts of the three ledgers and the number of G/L accounts, in one round trip.

    Ledger entry numbers are gap-free from 1 (core.sequences: a rolled-back posting returns its numbers), so the
    highest entry no. is the number of entries, read from the primary key index instead of counting millions of rows.
    """
    tables = [GLEntry._meta.db_table, ItemLedgerEntry._meta.db_table, ValueEntry._meta.db_table]
    selects = ", ".join(f"(SELECT coalesce(max(entry_no), 0) FROM {table})" for table in tables)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {selects}, (SELECT count(*) FROM {GLAccount._meta.db_table})")
        gl_entries, item_ledger_entries, value_entries, accounts = cur.fetchone()
    return {
        "gl_entries": gl_entries,
        "item_ledger_entries": item_ledger_entries,
        "value_entries": value_entries,
        "gl_accounts": accounts,
    }


def latest_gl_registers(limit: int = 10) -> list[GLRegister]:
    """The last registers (posting runs), newest first, each with its debit total.

    The debit total reads the register's entries through the primary key range from_entry_no..to_entry_no.
    """
    debits = (
        GLEntry.objects.filter(
            entry_no__gte=OuterRef("from_entry_no"), entry_no__lte=OuterRef("to_entry_no"), register=OuterRef("no")
        )
        .order_by()
        .values("register")
        .annotate(total=Sum("amount", filter=Q(amount__gt=0)))
        .values("total")
    )
    amount = DecimalField(max_digits=20, decimal_places=2)
    return list(
        GLRegister.objects.select_related("user")
        .annotate(debit_total=Coalesce(Subquery(debits, output_field=amount), Value(0, output_field=amount)))
        .order_by("-no")[:limit]
    )
