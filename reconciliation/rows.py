"""Drill-down entries as plain rows: one shape for the API, the page and the CSV/XLSX exports."""

from costing.models import ValueEntry

VALUE_ENTRY_COLUMNS = [
    "entry_no",
    "posting_date",
    "item",
    "location",
    "item_ledger_entry_type",
    "entry_type",
    "variance_type",
    "order_type",
    "document_no",
    "cost_amount_actual",
    "cost_amount_expected",
    "cost_posted_to_gl",
    "expected_cost_posted_to_gl",
    "amount",
]
GL_ENTRY_COLUMNS = [
    "entry_no",
    "posting_date",
    "gl_account",
    "document_no",
    "description",
    "source_code",
    "transaction_no",
    "amount",
]


def columns(source: str) -> list[str]:
    return VALUE_ENTRY_COLUMNS if source == "value_entries" else GL_ENTRY_COLUMNS


def entry_row(entry) -> dict:
    """Field values of a drill-down entry; ``amount`` is its share of the figure drilled into."""
    if isinstance(entry, ValueEntry):
        return {
            "entry_no": entry.entry_no,
            "posting_date": entry.posting_date,
            "item": entry.item_id or "",
            "location": entry.location_id or "",
            "item_ledger_entry_type": entry.item_ledger_entry_type,
            "entry_type": entry.entry_type,
            "variance_type": entry.variance_type,
            "order_type": entry.order_type,
            "document_no": entry.document_no,
            "cost_amount_actual": entry.cost_amount_actual,
            "cost_amount_expected": entry.cost_amount_expected,
            "cost_posted_to_gl": entry.cost_posted_to_gl,
            "expected_cost_posted_to_gl": entry.expected_cost_posted_to_gl,
            "amount": entry.amount,
        }
    return {
        "entry_no": entry.entry_no,
        "posting_date": entry.posting_date,
        "gl_account": entry.gl_account_id,
        "document_no": entry.document_no,
        "description": entry.description,
        "source_code": entry.source_code,
        "transaction_no": entry.transaction_id,
        "amount": entry.amount,
    }


def as_json(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif key in ("amount",) or key.startswith("cost_") or key.startswith("expected_"):
            value = f"{value:.2f}"
        out[key] = value
    return out
