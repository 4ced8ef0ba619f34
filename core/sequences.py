"""Gap-free entry numbers in posting order.

Each ledger has one ``core_counter`` row. ``take(name, n)`` advances it inside the caller's transaction and returns
the first of the ``n`` numbers. The row lock it takes is held until commit, which serialises postings per ledger: that
is what makes the numbers both gap-free and in commit order.
"""

from django.db import connection

LEDGERS = (
    "gl_entry",
    "gl_transaction",
    "gl_register",
    "item_ledger_entry",
    "value_entry",
    "item_application_entry",
    "item_register",
)


def take(name: str, count: int = 1) -> int:
    if count < 1:
        raise ValueError("count must be positive")
    if not connection.in_atomic_block:
        raise RuntimeError("entry numbers are taken inside the posting transaction")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_counter (name, last) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET last = core_counter.last + EXCLUDED.last RETURNING last",
            [name, count],
        )
        last = cur.fetchone()[0]
    return last - count + 1
