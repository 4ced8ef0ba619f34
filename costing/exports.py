"""CSV and XLSX downloads of a report made of one or more tables ("sheets"). Reusable by any report page.

A report is a list of ``Sheet``s. XLSX gets one worksheet per sheet; CSV gets the sheets one after the other, each
introduced by its title and separated by an empty row, so one file opens in a spreadsheet with every section.
Amounts are ``Decimal``: CSV writes them with exactly two decimals (``80.00``, ``-70.00``), XLSX as numbers formatted
``#,##0.00`` so they add up in the spreadsheet. Dates are ISO dates in CSV and real dates in XLSX.

    sheets = [Sheet(_("By account"), [_("G/L account"), _("Amount")], [["2130", Decimal("80.00")]])]
    return export_response("xlsx", sheets, "post-inventory-cost")
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from core.money import round_amount

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
# A worksheet holds 1,048,576 rows; a longer table is cut and says so in its last row.
MAX_XLSX_ROWS = 1_048_000


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    # Totals shown in bold under the rows (XLSX) or as the last row (CSV).
    footer: Sequence | None = None
    notes: list[str] = field(default_factory=list)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{round_amount(value):.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_text(sheets: Sequence[Sheet]) -> str:
    out = StringIO()
    writer = csv.writer(out)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        writer.writerow([str(sheet.title)])
        for note in sheet.notes:
            writer.writerow([str(note)])
        writer.writerow([str(h) for h in sheet.header])
        for row in sheet.rows:
            writer.writerow([_csv_value(v) for v in row])
        if sheet.footer is not None:
            writer.writerow([_csv_value(v) for v in sheet.footer])
    return out.getvalue()


def _xlsx_cell(sheet, value, bold: bool = False):
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # XLSX has no time zones; the page shows local times the same way
    if value is not None and not isinstance(value, bool | int | Decimal | date | datetime | float):
        # XML 1.0 has no control characters: openpyxl refuses them (a filter echoed in the notes, a description).
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = AMOUNT_FORMAT
    elif isinstance(value, date | datetime):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        title = _sheet_title(str(sheet.title), used)
        ws = book.create_sheet(title)
        for note in sheet.notes:
            ws.append([_xlsx_cell(ws, str(note))])
        ws.append([_xlsx_cell(ws, str(h), bold=True) for h in sheet.header])
        for written, row in enumerate(sheet.rows):
            if written >= MAX_XLSX_ROWS:
                ws.append([_xlsx_cell(ws, "...")])
                break
            ws.append([_xlsx_cell(ws, v) for v in row])
        if sheet.footer is not None:
            ws.append([_xlsx_cell(ws, v, bold=True) for v in sheet.footer])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Worksheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def export_response(fmt: str, sheets: Sequence[Sheet], filename: str) -> HttpResponse:
    """The download of ``sheets`` as ``filename.csv`` or ``filename.xlsx``; any other format is a 404."""
    if fmt == "csv":
        # A byte order mark so spreadsheet programs read the UTF-8 (Chinese captions) correctly.
        response = HttpResponse("\ufeff" + csv_text(sheets), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
