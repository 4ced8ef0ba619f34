"""Downloads of a report: CSV and XLSX through costing.exports (one sheet, totals as its footer, notes above), PDF
with reportlab in the same shape (title, notes, the table with a bold totals row; A4 landscape, repeated header).

    return report_response("pdf", report)
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from core.money import round_amount
from costing.exports import Sheet, export_response
from reports.selectors import AMOUNT, QUANTITY, Report, _json

FORMATS = ("csv", "xlsx", "pdf")
CJK_FONT = "STSong-Light"  # one of reportlab's built-in CID fonts: Chinese captions need no font file


def _cell(value, kind, fmt):
    """Quantities carry up to 5 decimals: CSV gets them as written (``10``, ``2.5``), since the shared CSV writer
    gives every Decimal two places; XLSX gets the exact number."""
    if value is None:
        return None
    if kind == QUANTITY:
        return _json(value, QUANTITY) if fmt == "csv" else Decimal(value)
    return value


def sheets(report: Report, fmt: str = "xlsx") -> list[Sheet]:
    totals = None
    if report.totals:
        totals = [
            _cell(report.totals[c.key], c.kind, fmt) if c.key in report.totals else (_("Total") if i == 0 else None)
            for i, c in enumerate(report.columns)
        ]
    notes = [f"{k}: {v}" for k, v in _filter_lines(report)] + [str(n) for n in report.notes]
    return [
        Sheet(
            str(report.title),
            [str(c.label) for c in report.columns],
            ([_cell(row.get(c.key), c.kind, fmt) for c in report.columns] for row in report.rows),
            footer=totals,
            notes=notes,
        )
    ]


def _filter_lines(report: Report) -> list[tuple[str, str]]:
    names = {
        "date_from": _("Posting date from"),
        "date_to": _("Posting date to"),
        "as_of": _("As of"),
        "item": _("Item no."),
        "location": _("Location code"),
        "include_expected_cost": _("Include expected cost"),
        "basis": _("Basis"),
    }
    out = []
    for key, value in report.filters.as_dict().items():
        if value in (None, "", False):
            continue
        out.append((str(names.get(key, key)), _("yes") if value is True else str(value)))
    return out


def _text(value, kind) -> str:
    if value is None:
        return ""
    if kind == AMOUNT:
        return f"{round_amount(Decimal(value)):,.2f}"
    if kind == QUANTITY:
        return _json(value, QUANTITY)
    return str(value)


def pdf_bytes(report: Report) -> bytes:
    font, bold = "Helvetica", "Helvetica-Bold"
    if (translation.get_language() or "").startswith("zh"):
        if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        font = bold = CJK_FONT
    styles = getSampleStyleSheet()
    title_style = styles["Title"].clone("report-title", fontName=bold, fontSize=14, alignment=0)
    note_style = styles["Normal"].clone("report-note", fontName=font, fontSize=8, leading=10)
    cell_style = styles["Normal"].clone("report-cell", fontName=font, fontSize=7, leading=8.5)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=str(report.title),
        invariant=True,
    )
    story = [Paragraph(escape(str(report.title)), title_style)]
    for key, value in _filter_lines(report):
        story.append(Paragraph(escape(f"{key}: {value}"), note_style))
    for note in report.notes:
        story.append(Paragraph(escape(str(note)), note_style))
    story.append(Spacer(1, 4 * mm))
    header = [Paragraph(f"<b>{escape(str(c.label))}</b>", cell_style) for c in report.columns]
    data = [header]
    for row in report.rows:
        data.append([_text(row.get(c.key), c.kind) for c in report.columns])
    if report.totals:
        data.append(
            [
                _text(report.totals[c.key], c.kind) if c.key in report.totals else (_("Total") if i == 0 else "")
                for i, c in enumerate(report.columns)
            ]
        )
    table = LongTable(data, repeatRows=1)
    style = [
        ("FONT", (0, 1), (-1, -1), font, 7),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
    ]
    for i, c in enumerate(report.columns):
        if c.kind != "text":
            style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    if report.totals:
        style += [("FONT", (0, -1), (-1, -1), bold, 7), ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)]
    table.setStyle(TableStyle(style))
    story.append(table)
    doc.build(story)
    return out.getvalue()


def report_response(fmt: str, report: Report) -> HttpResponse:
    filename = report.key
    if fmt in ("csv", "xlsx"):
        return export_response(fmt, sheets(report, fmt), filename)
    if fmt != "pdf":
        raise Http404
    response = HttpResponse(pdf_bytes(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
