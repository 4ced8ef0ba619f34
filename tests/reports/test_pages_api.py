"""Report pages, API answers, CSV/XLSX/PDF downloads and permissions."""

import base64
import re
import zlib
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.reports.examples import overhead_example, revaluation_example

pytestmark = pytest.mark.django_db

REPORTS = [
    "inventory-valuation",
    "inventory-valuation-cost-spec",
    "inventory-valuation-wip",
    "cost-shares-breakdown",
    "inventory-as-of",
]


@pytest.fixture
def api(accountant_client):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="rita"))
    return client


def pdf_text(content: bytes) -> str:
    """The text of every (Flate-compressed) content stream of a PDF."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab wraps compressed streams in ASCII85
            data = base64.a85decode(b"<~" + data, adobe=True)
        try:
            out.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            out.append(data.decode("latin-1"))
    return "\n".join(out)


def test_valuation_api_contract_fields_and_strings(api):
    revaluation_example()
    answer = api.get("/api/v1/reports/inventory-valuation/", {"date_to": "2020-03-31"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["rows"] == [
        {
            "item": "R",
            "description": "Item R",
            "location": "",
            "opening_quantity": "0",
            "opening_value": "0.00",
            "increase_quantity": "10",
            "increase_value": "120.00",
            "decrease_quantity": "4",
            "decrease_value": "48.00",
            "closing_quantity": "6",
            "closing_value": "72.00",
        }
    ]
    assert body["totals"]["closing_value"] == "72.00" and body["totals"]["decrease_value"] == "48.00"
    assert body["gl_reconciliation"]["ties"] is True and body["gl_reconciliation"]["gl_balance"] == "72.00"
    spec = api.get("/api/v1/reports/inventory-valuation-cost-spec/", {"as_of": "2020-03-20"}).json()
    assert spec["rows"][0]["revaluation_actual"] == "12.00" and spec["rows"][0]["quantity"] == "6"
    as_of = api.get("/api/v1/reports/inventory-as-of/", {"as_of": "2020-03-12", "item": "R"}).json()
    assert as_of["rows"][0]["value"] == "120.00"
    for key in REPORTS:
        assert api.get(f"/api/v1/reports/{key}/").status_code == 200, key


def test_bad_filters_are_400(api):
    overhead_example()
    answer = api.get("/api/v1/reports/inventory-valuation/", {"date_from": "2020-02-01", "date_to": "2020-01-01"})
    assert answer.status_code == 400
    assert "date_to" in answer.json()["errors"]
    assert api.get("/api/v1/reports/inventory-as-of/", {"as_of": "yesterday"}).status_code == 400


def test_exports_csv_xlsx_pdf(api, accountant_client):
    overhead_example()
    query = {"date_from": "2020-01-01", "date_to": "2020-01-10"}
    csv = api.get("/api/v1/reports/inventory-valuation/", {**query, "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Item no.,Description,Location,Opening quantity" in text
    assert "A,Item A,,0,0.00,10,80.00,0,0.00,10,80.00" in text
    assert "Total,,,0,0.00,10,80.00,0,0.00,10,80.00" in text

    xlsx = api.get("/api/v1/reports/inventory-valuation/", {**query, "format": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r[0] == "Item no."))
    # openpyxl reads numeric cells back as floats: compare them as decimals to the cent.
    assert rows[header + 1][0] == "A" and Decimal(str(rows[header + 1][10])).quantize(Decimal("0.01")) == Decimal(
        "80.00"
    )
    assert rows[-1][0] == "Total" and Decimal(str(rows[-1][10])).quantize(Decimal("0.01")) == Decimal("80.00")

    pdf = api.get("/api/v1/reports/inventory-valuation/", {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "(Total)" in text and "(80.00)" in text and "Inventory Valuation" in text

    page_pdf = accountant_client.get("/reports/cost-shares-breakdown/", {"format": "pdf"})
    assert page_pdf.status_code == 200 and page_pdf.content.startswith(b"%PDF")
    assert "(70.00)" in pdf_text(page_pdf.content)


def test_pages_show_the_reports_with_filters_in_the_url(accountant_client):
    overhead_example()
    index = accountant_client.get("/reports/")
    assert index.status_code == 200
    for key in REPORTS:
        assert f'href="/reports/{key}/"' in index.content.decode()
        assert accountant_client.get(f"/reports/{key}/").status_code == 200, key
    page = accountant_client.get("/reports/inventory-valuation/?date_from=2020-01-01&date_to=2020-01-10")
    html = page.content.decode()
    assert '<td class="num" data-total="closing_value">80.00</td>' in html.replace("num ", "num")
    assert "<svg" in html and "RESALE" in html
    assert "ties to the balance of the Inventory G/L accounts" in html
    assert "format=pdf" in html and "date_from=2020-01-01" in html
    partial = accountant_client.get("/reports/inventory-valuation/?date_to=2020-01-10", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="results"')
    bad = accountant_client.get("/reports/inventory-valuation/?date_from=2020-02-01&date_to=2020-01-01")
    assert "Correct the filters" in bad.content.decode()
    assert accountant_client.get("/reports/no-such-report/").status_code == 404


def test_permissions(client, db):
    assert client.get("/api/v1/reports/inventory-valuation/").status_code == 401
    nobody = User.objects.create_user("norole", password="s3cret-ledger-pass")
    client.force_login(nobody)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/inventory-valuation/").status_code == 403
    assert client.get("/reports/inventory-valuation/?format=csv").status_code == 403
    api = APIClient()
    api.force_authenticate(nobody)
    for key in REPORTS:
        assert api.get(f"/api/v1/reports/{key}/").status_code == 403
