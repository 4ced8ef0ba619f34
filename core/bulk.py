"""Bulk rows without the ORM's per-row cost: build model instances by filling their dict, read them the same way,
write them with COPY. Used by the ledgers' writers (item posting, Adjust Cost, the G/L bridge and ledger.services).

A posting builds tens of thousands of entry rows. Model.__init__ (about 50 us a row) and bulk_create's per-value
preparation (about 10 us a value) were most of a posting's time, so rows are built by filling the instance dict and
written with COPY. The instances are ordinary model instances afterwards (saved state, every field set).
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone

_ROW_DEFAULTS: dict[type, dict] = {}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch (posting, an Adjust Cost batch).

    A batch allocates hundreds of thousands of short-lived objects (rows, Decimals) while keeping every loaded entry
    alive until it ends: the collector would rescan that growing heap again and again (about a third of a posting's
    Python time, a sixth of Adjust Cost's) for cycles a batch does not make. Nests: only the outermost resumes it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _skip_young_scan()
            gc.enable()


def _skip_young_scan() -> None:
    """Move every object the collector tracks into its oldest generation without scanning them, where no object is
    frozen (``gc.get_freeze_count()``; a gunicorn worker freezes the loaded app, config/wsgi.py, and this would thaw
    it).

    Resumed after a batch, the collector's first pass would rescan every object the batch made and still holds (the
    posting's entries, alive for its caller): 25-90 ms for a 5,000-line posting on the 1M ledger, about 6 % of it,
    collecting nothing. A posting makes no reference cycles (none found after 5,000-line postings), so its objects
    are freed by reference counting whichever generation they are in; anything cyclic that was young is collected by
    the next full pass instead."""
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()


_request_pause = threading.local()


def pause_gc_for_request() -> None:
    """Pause the cyclic garbage collector until the current request's response is closed (``request_finished``).

    A posting pauses the collector itself (``gc_paused``); resumed there, the collector's first pass rescans every
    row the posting made, still alive for the answer (5-8 ms of a 500-line REST request, about the cost of all its
    validation). Resumed once the response is closed, those rows and the answer's dicts have been freed by reference
    counting and the pass sees only what survived. The pause ends at the latest when the thread's next request
    starts, so a response that is never closed cannot leave the collector off.
    """
    if gc.isenabled():
        gc.disable()
        _request_pause.active = True


def resume_gc_after_request(**_kwargs) -> None:
    """``request_finished`` / ``request_started`` receiver: end this thread's ``pause_gc_for_request``."""
    if getattr(_request_pause, "active", False):
        _request_pause.active = False
        gc.enable()


def new_row(model, **values):
    """An unsaved ``model`` instance with every concrete field at its default, then ``values`` (by attname)."""
    defaults = _ROW_DEFAULTS.get(model)
    if defaults is None:
        defaults = _ROW_DEFAULTS[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(defaults)
    state.update(values)
    obj._state = ModelState()
    return obj


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, Decimal | int):
        return str(value)
    return value.isoformat()


def load_rows(model, where: str | Sequence[str], params: Sequence, *, order_by: str = "") -> list:
    """Model instances for ``SELECT * FROM <table> WHERE <where>``, built like ``new_row`` (no per-row __init__).

    ``where`` may be several conditions: the rows of each, UNION ALL (so each can use its own partial index), with
    ``params`` in their order; ``order_by`` (columns) orders the whole. A condition may also be a pair ``(source,
    condition)``: a subquery (with every column of the table) to read instead of the table itself.
    """
    fields = model._meta.concrete_fields
    attnames = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    branches = [where] if isinstance(where, str) else list(where)
    sources = [(table, w) if isinstance(w, str) else w for w in branches]
    sql = " UNION ALL ".join(f"SELECT {columns} FROM {source} WHERE {cond}" for source, cond in sources)
    if order_by:
        sql += f" ORDER BY {order_by}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        records = cur.fetchall()
    alias = connection.alias  # a thread-local lookup: once, not per row
    rows = []
    for record in records:
        obj = model.__new__(model)
        obj.__dict__.update(zip(attnames, record, strict=True))
        state = obj._state = ModelState()
        state.adding = False
        state.db = alias
        rows.append(obj)
    return rows


_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_NUMBER_TYPES = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "DecimalField",
                 "AutoField", "BigAutoField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}  # fmt: skip
_ROW_WRITERS: dict[tuple, object] = {}


def _column_text(kind: str, v: str) -> str:
    """Source of the expression that writes local ``v`` of a column of this internal type as COPY text: the common
    type inline, anything else (None included) through ``text`` (``_copy_text``), so the result is always exactly
    what ``_copy_text`` writes."""
    if kind in _TEXT_TYPES:
        # Escaping only a string that holds one of the four characters: four substring tests cost less than
        # str.translate on every value.
        special = " or ".join(f"{c!r} in {v}" for c in ("\\", "\t", "\n", "\r"))
        return f"({v} if type({v}) is str and not ({special}) else text({v}))"
    if kind in _NUMBER_TYPES:
        return f"(str({v}) if type({v}) in NUMBERS else text({v}))"
    if kind == "BooleanField":
        return f"('t' if {v} is True else 'f' if {v} is False else text({v}))"
    if kind == "DateField":
        return f"({v}.isoformat() if type({v}) is DATE else text({v}))"
    return f"text({v})"


def _rows_writer(fields, stamped: tuple[str, ...]):
    """A function writing a list of instances as COPY text lines, compiled once per model: one loop with a type
    dispatch per column, not a call per value. It also stamps the ``auto_now(_add)`` columns (one timestamp, written
    once) and marks each instance saved, as ``copy_insert`` promises."""
    key = (tuple(f.attname for f in fields), stamped)
    writer = _ROW_WRITERS.get(key)
    if writer is not None:
        return writer
    body = ["def write(rows, now, now_text, alias):", "    out = []", "    append = out.append", "    for row in rows:"]
    body.append("        s = row.__dict__")
    for name in stamped:
        body.append(f"        s[{name!r}] = now")
    body += ["        state = s['_state']", "        state.adding = False", "        state.db = alias"]
    parts = []
    for i, f in enumerate(fields):
        if f.attname in stamped:
            parts.append("now_text")
            continue
        kind = (f.target_field if f.is_relation else f).get_internal_type()
        body.append(f"        c{i} = s[{f.attname!r}]")
        parts.append(_column_text(kind, f"c{i}"))
    body.append("        append('\\t'.join((" + ", ".join(parts) + ",)))")
    body.append("    return out")
    namespace = {"NUMBERS": (int, Decimal), "DATE": date, "text": _copy_text}
    exec("\n".join(body), namespace)  # noqa: S102 - source built from field names only
    writer = _ROW_WRITERS[key] = namespace["write"]
    return writer


class _CopyStream:
    """The COPY text of ``rows``, formatted a slice at a time as psycopg2 reads it.

    The server parses and inserts each chunk as it arrives, so on a machine with two cores the formatting of the next
    rows (Python) overlaps the insertion of the previous ones (PostgreSQL) instead of preceding all of it.
    """

    def __init__(self, write, rows: Sequence, now, alias, slice_rows: int):
        self.write = write
        self.rows = rows
        self.now = now
        self.now_text = _copy_text(now)
        self.alias = alias
        self.slice_rows = slice_rows
        self.at = 0

    def read(self, size: int = -1) -> str:
        if self.at >= len(self.rows):
            return ""
        part = self.rows[self.at : self.at + self.slice_rows]
        self.at += self.slice_rows
        lines = self.write(part, self.now, self.now_text, self.alias)
        lines.append("")
        return "\n".join(lines)


COPY_SLICE_ROWS = 500  # about 100 KB of value entries per read


def _copy_parts(model):
    fields = model._meta.concrete_fields
    stamped = tuple(f.attname for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    return _rows_writer(fields, stamped), statement


def copy_insert(model, rows: Sequence) -> None:
    """Insert model instances with one COPY (PostgreSQL's bulk load); ``auto_now_add`` fields get one timestamp."""
    if not rows:
        return
    write, statement = _copy_parts(model)
    stream = _CopyStream(write, rows, timezone.now(), connection.alias, COPY_SLICE_ROWS)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(statement, stream, size=1 << 16)


def copy_text(model, rows: Sequence) -> tuple[str, str]:
    """The COPY statement and the whole text of ``rows`` as ``copy_insert`` writes them, made now: the rows are
    marked saved and their values taken as they are at this moment, so the COPY can be sent later, from another
    thread (``send_copy``), while this one changes the rows again."""
    write, statement = _copy_parts(model)
    now = timezone.now()
    lines = write(rows, now, _copy_text(now), connection.alias)
    lines.append("")
    return statement, "\n".join(lines)


def send_copy(raw_connection, statement: str, text: str) -> None:
    """Run a COPY made by ``copy_text`` on a psycopg2 connection (not Django's, which is per thread)."""
    # One read of the whole text: each read takes the GIL back from the thread that computes, which can take up to
    # the interpreter's switch interval (5 ms) each time.
    with raw_connection.cursor() as cur:
        cur.copy_expert(statement, io.StringIO(text), size=len(text) + 1)
