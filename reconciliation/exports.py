"""CSV and XLSX downloads of the matrix and of any drill-down. Amounts are written as numbers with 2 decimals."""

import csv
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from reconciliation.formulas import COLUMN_NAMES, ROW_NAMES
from reconciliation.rows import columns, entry_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_XLSX_ROWS = 1_048_000  # a worksheet holds 1,048,576 rows


def matrix_table(result) -> list[list]:
    header = ["", *[str(COLUMN_NAMES[c]) for c in result.columns]]
    body = [[str(ROW_NAMES[r]), *[result.cell(r, c) for c in result.columns]] for r in result.rows]
    return [header, *body]


def drilldown_rows(dd):
    yield columns(dd.source)
    for entry in dd.queryset.iterator(chunk_size=5000):
        row = entry_row(entry)
        yield [row[c] for c in columns(dd.source)]


class _Echo:
    def write(self, value):
        return value


def _csv_value(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def csv_response(rows, filename: str):
    writer = csv.writer(_Echo())
    stream = (writer.writerow([_csv_value(v) for v in row]) for row in rows)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows, filename: str, title: str):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, row in enumerate(rows):
        if index > MAX_XLSX_ROWS:
            break
        sheet.append([_xlsx_value(v) for v in row])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _xlsx_value(value):
    return value
