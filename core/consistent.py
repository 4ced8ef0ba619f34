"""Read-only work split over two connections that see one snapshot of the database.

A check suite over a million-line ledger (the close test's invariants) is PostgreSQL's time, one statement after
another on one connection, so on a two-core machine one core idles. ``reads()`` lets the caller hand part of the work
to a second connection, in a thread of its own, and do the rest meanwhile. Both sides read the same snapshot: the
caller's transaction (REPEATABLE READ) exports it with ``pg_export_snapshot()`` and every transaction of the side
imports it with ``SET TRANSACTION SNAPSHOT``. So the two halves agree with each other exactly as if one connection had
read everything at one moment; more than the caller's autocommit reads did before, each statement seeing the data of
its own moment (a posting committed between two checks could make them disagree).

Inside a caller's transaction the rows it wrote are invisible to another connection, so by default ``submit`` runs
the work at once, in the caller's thread and transaction. A caller whose transaction has only taken locks so far
(``periods.services.close_period`` runs the close test under its advisory and row locks, before it writes) passes
``join=True``: the side then imports that transaction's snapshot. The caller's own later reads stay READ COMMITTED (a
transaction's isolation cannot change once it has run a statement), so they see what they saw before this module:
committed data, here held still by the caller's locks. Either way a result, or the exception, comes out of the
returned future's ``result()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.utils import timezone, translation


class Inline:
    """No second connection: the work runs when it is submitted."""

    concurrent = False

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through result(), as from a thread
            future.set_exception(exc)
        return future


class _Side:
    """A second connection in a thread; each piece of work in a transaction on the caller's snapshot."""

    concurrent = True

    def __init__(self, pool: ThreadPoolExecutor, snapshot: str):
        self.pool = pool
        self.snapshot = snapshot

    def _run(self, fn: Callable, args, kwargs, language, zone):
        # The caller's language and time zone are thread-local: a message the work writes must read as the caller's.
        with translation.override(language), timezone.override(zone), transaction.atomic():
            with connection.cursor() as cur:
                # Both must come first in the transaction, before any query.
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("SET TRANSACTION SNAPSHOT %s", [self.snapshot])
            return fn(*args, **kwargs)

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        language, zone = translation.get_language(), timezone.get_current_timezone()
        return self.pool.submit(self._run, fn, args, kwargs, language, zone)


def _joinable() -> bool:
    """The caller's transaction is a real outermost one: not a savepoint inside another block, nor a test case's
    transaction (whose rows are uncommitted, so another connection would not see them)."""
    blocks = connection.atomic_blocks
    return len(blocks) == 1 and not getattr(blocks[0], "_from_testcase", False)


def _export_snapshot() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_export_snapshot()")
        return cur.fetchone()[0]


@contextmanager
def _side(snapshot: str) -> Iterator[_Side]:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consistent-read")
    try:
        yield _Side(pool, snapshot)
    finally:
        # After the work submitted (one worker, in order): the thread's own connection (connections are per thread).
        # The snapshot must outlive every side transaction, so the caller's transaction ends only after this.
        pool.submit(connections.close_all)
        pool.shutdown(wait=True)


@contextmanager
def reads(*, join: bool = False) -> Iterator[Inline | _Side]:
    """Run the block with a second connection on its snapshot (see the module): in a REPEATABLE READ transaction of
    its own, or, with ``join``, in the caller's transaction if it is a real outermost one; inline otherwise.

    Whatever the block submitted has finished, and the second connection is closed, when the block is left. The
    block and what it submits must only read: a write on one side is not seen by the other.
    """
    if connection.in_atomic_block:
        if join and _joinable():
            with _side(_export_snapshot()) as side:
                yield side
        else:
            yield Inline()
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with _side(_export_snapshot()) as side:
            yield side
