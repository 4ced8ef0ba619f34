"""core.bulk writes ledger rows as COPY text through a writer compiled per model (one type dispatch per column); it
must write exactly what the plain per-value ``_copy_text`` writes, whatever a column holds (None, escapes, -0, other
types than the column's)."""

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.bulk import _copy_text, _rows_writer, new_row
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)

ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["a\tb", "x\\y", "l\nm\rn", "\\N", ""]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=5, min_value=-(10**9), max_value=10**9),
    st.sampled_from([Decimal("-0.00"), Decimal("1E+2"), Decimal("0")]),
    st.booleans(),
    st.dates(),
    st.just(NOW),
)


def expected_line(model, row, stamped):
    return "\t".join(
        _copy_text(NOW if f.attname in stamped else row.__dict__[f.attname]) for f in model._meta.concrete_fields
    )


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from([ItemLedgerEntry, ValueEntry, ItemApplicationEntry]), data=st.data())
def test_compiled_writer_writes_what_copy_text_writes(model, data):
    fields = model._meta.concrete_fields
    stamped = tuple(f.attname for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False))
    values = {f.attname: data.draw(ANY_VALUE, label=f.attname) for f in fields if f.attname not in stamped}
    row = new_row(model, **values)
    lines = _rows_writer(fields, stamped)([row], NOW, _copy_text(NOW), "default")
    assert lines == [expected_line(model, row, stamped)]
    assert row._state.adding is False and row._state.db == "default"
    assert all(row.__dict__[name] == NOW for name in stamped)


def test_typical_row():
    fields = ValueEntry._meta.concrete_fields
    row = new_row(
        ValueEntry,
        entry_no=7,
        item_id="A",
        posting_date=date(2026, 1, 2),
        valuation_date=date(2026, 1, 2),
        document_no="D\t1",
        cost_amount_actual=Decimal("-1.50"),
        register_id=3,
    )
    (line,) = _rows_writer(fields, ("created_at",))([row], NOW, _copy_text(NOW), "default")
    assert "D\\t1" in line.split("\t")
    assert line == expected_line(ValueEntry, row, ("created_at",))
