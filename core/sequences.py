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


class NumberBlock:
    """Holds the counters of several ledgers for one posting and hands out numbers in memory.

    The counter rows are locked (in name order, the same order everywhere, so postings never deadlock on them) when
    the block opens and written back by ``save()``. Holding them for the whole posting serialises postings to the
    inventory ledgers: a posting reads open entries after taking the lock, so no concurrent posting can apply the same
    remaining quantity twice.
    """

    def __init__(self, names):
        if not connection.in_atomic_block:
            raise RuntimeError("a number block lives inside the posting transaction")
        self.names = sorted(set(names))
        self.last: dict[str, int] = {}
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO core_counter (name, last) SELECT unnest(%s::varchar[]), 0 ON CONFLICT (name) DO NOTHING",
                [self.names],
            )
            cur.execute(
                "SELECT name, last FROM core_counter WHERE name = ANY(%s) ORDER BY name FOR UPDATE", [self.names]
            )
            self.last = dict(cur.fetchall())
        self.first = dict(self.last)

    def next(self, name: str) -> int:
        self.last[name] += 1
        return self.last[name]

    def peek(self, name: str) -> int:
        return self.last[name]

    def save(self) -> None:
        changed = [(name, last) for name, last in self.last.items() if last != self.first[name]]
        if not changed:
            return
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE core_counter c SET last = v.last FROM (SELECT unnest(%s::varchar[]) AS name, "
                "unnest(%s::bigint[]) AS last) v WHERE c.name = v.name",
                [[n for n, _ in changed], [v for _, v in changed]],
            )
        self.first = dict(self.last)
