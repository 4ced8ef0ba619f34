"""Shared checks for the ledgers' append-only guards written as trigger WHEN clauses."""

from django.db import connection


def table_columns(table: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {row[0] for row in cur.fetchall()}


def watched_columns(table: str, trigger: str) -> set[str]:
    """The columns a guard trigger's WHEN clause compares (``OLD.<column>``). A guard whose WHEN list was built from
    the catalogue at migration time misses a column added later: the tests compare this with ``table_columns``."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = %s::regclass AND t.tgname = %s",
            [table, trigger],
        )
        definition = cur.fetchone()[0].lower()
    return {c for c in table_columns(table) if f"old.{c}" in definition}
