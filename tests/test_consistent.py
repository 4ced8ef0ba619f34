"""core.consistent.reads: a second connection on the caller's snapshot, or the work inline inside a transaction."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from core import consistent


def _backend_pid() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _counter_rows(name: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM core_counter WHERE name = %s", [name])
        return cur.fetchone()[0]


def _commit_counter_elsewhere(name: str) -> None:
    """Insert and commit a row on a connection of another thread (Django's connections are per thread)."""

    def insert():
        try:
            with connection.cursor() as cur:
                cur.execute("INSERT INTO core_counter (name, last) VALUES (%s, 0)", [name])
        finally:
            connection.close()

    t = threading.Thread(target=insert)
    t.start()
    t.join()


def _boom():
    raise ValueError("no such entry")


@pytest.mark.django_db
def test_inside_a_transaction_the_work_runs_at_once_on_this_connection():
    assert connection.in_atomic_block  # pytest-django's transaction
    with consistent.reads() as side:
        assert side.concurrent is False
        assert side.submit(_backend_pid).result() == _backend_pid()
        failed = side.submit(_boom)
        with pytest.raises(ValueError, match="no such entry"):
            failed.result()


@pytest.mark.django_db(transaction=True)
def test_outside_one_the_side_is_another_connection_on_the_same_snapshot():
    with consistent.reads() as side:
        assert side.concurrent is True
        mine = _backend_pid()
        assert side.submit(_backend_pid).result() != mine
        _commit_counter_elsewhere("zz-after-the-snapshot")
        # Committed after the snapshot was taken: neither side sees it, however many transactions the side opens.
        assert _counter_rows("zz-after-the-snapshot") == 0
        assert side.submit(_counter_rows, "zz-after-the-snapshot").result() == 0
        assert side.submit(_counter_rows, "zz-after-the-snapshot").result() == 0
    assert not connection.in_atomic_block
    assert _counter_rows("zz-after-the-snapshot") == 1


@pytest.mark.django_db(transaction=True)
def test_the_side_speaks_the_callers_language_and_hands_back_its_errors():
    with translation.override("zh-hans"), consistent.reads() as side:
        assert side.submit(translation.get_language).result() == "zh-hans"
        failed = side.submit(_boom)
        with pytest.raises(ValueError, match="no such entry"):
            failed.result()
        # The snapshot's transaction is still usable after the side's failure.
        assert side.submit(_counter_rows, "x").result() == 0
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_block_waits_for_the_side_and_ends_the_transaction():
    started = threading.Event()

    def slow():
        started.set()
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(0.2)")
        return "done"

    with pytest.raises(RuntimeError), consistent.reads() as side:
        pending = side.submit(slow)
        started.wait(5)
        raise RuntimeError("the caller failed")
    assert pending.result(timeout=0) == "done"  # finished before the block was left
    assert not connection.in_atomic_block


@pytest.mark.django_db
def test_join_does_not_join_a_test_case_transaction():
    with consistent.reads(join=True) as side:
        assert side.concurrent is False


@pytest.mark.django_db(transaction=True)
def test_join_shares_the_snapshot_of_a_real_transaction_that_has_only_locked():
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(4242)")
        with consistent.reads(join=True) as side:
            assert side.concurrent is True
            assert side.submit(_backend_pid).result() != _backend_pid()
            _commit_counter_elsewhere("zz-joined")
            assert side.submit(_counter_rows, "zz-joined").result() == 0  # the caller's snapshot, taken before
        # Nested deeper, the caller's block is no longer the outermost: inline.
        with transaction.atomic(), consistent.reads(join=True) as side:
            assert side.concurrent is False
    assert _counter_rows("zz-joined") == 1
