"""REST API of the reports (shared/spec/api.md "Reports"): JSON by default, ``format=csv|xlsx|pdf`` downloads."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from core.forms import parse_query
from core.schema import form_parameters
from costing.exports import XLSX
from reports import selectors
from reports.exports import FORMATS, report_response
from reports.forms import FORMS

FORMAT_PARAMETER = OpenApiParameter("format", str, enum=["json", *FORMATS])


def parameters(key: str) -> list[OpenApiParameter]:
    """The report's query parameters, from the form that parses them; ``as_of`` and ``date_to`` name the same date."""
    form = FORMS[key]
    return [*form_parameters(form, aliases=form.ALIASES), FORMAT_PARAMETER]


_amounts = {name: serializers.CharField() for name in selectors.VALUATION_FIELDS}
VALUATION_SCHEMA = inline_serializer(
    "InventoryValuationReport",
    {
        "rows": inline_serializer(
            "InventoryValuationRow",
            {"item": serializers.CharField(), "location": serializers.CharField(), **_amounts},
            many=True,
        ),
        "totals": inline_serializer("InventoryValuationTotals", dict(_amounts)),
        "gl_reconciliation": serializers.DictField(
            required=False, help_text="Only without an item or location filter: the tie to the Inventory G/L accounts."
        ),
    },
)


class _ReportView(APIView):
    key = ""

    def perform_content_negotiation(self, request, force=False):
        # ?format=csv|xlsx|pdf names a download, not a DRF renderer: answer it instead of DRF's 404 (and an unknown
        # format gets get()'s 400).
        return super().perform_content_negotiation(request, force=force or "format" in request.query_params)

    def get(self, request):
        fmt = request.query_params.get("format", "json") or "json"
        if fmt != "json" and fmt not in FORMATS:
            raise InvalidInput("format: json, csv, xlsx or pdf", errors={"format": ["json, csv, xlsx or pdf"]})
        report = selectors.REPORTS[self.key](parse_query(FORMS[self.key](request.query_params)).to_filters())
        if fmt != "json":
            return report_response(fmt, report)
        return Response(report.as_json())


def _responses(schema) -> dict:
    """200 as JSON, or as the download ``format`` names, each with its media type."""
    downloads = {"text/csv": OpenApiTypes.STR, XLSX: OpenApiTypes.BINARY, "application/pdf": OpenApiTypes.BINARY}
    return {(200, "application/json"): schema, **{(200, media): kind for media, kind in downloads.items()}}


def _view(key: str, doc: str, schema=OpenApiTypes.OBJECT):
    view = type(
        "".join(p.title() for p in key.split("-")) + "View",
        (_ReportView,),
        {"key": key, "__doc__": doc},
    )
    return extend_schema(tags=["reports"], parameters=parameters(key), responses=_responses(schema))(view)


InventoryValuationView = _view(
    "inventory-valuation",
    "Inventory Valuation per item and location: opening, increases, decreases, closing (quantity and value, by posting "
    "date), totals and the comparison of the closing value with the Inventory G/L accounts.",
    VALUATION_SCHEMA,
)
CostSpecView = _view(
    "inventory-valuation-cost-spec", "Per item, the value on hand at as_of by value entry type, actual and expected."
)
WipView = _view(
    "inventory-valuation-wip", "Per production order: opening WIP, consumption, capacity, output, closing WIP."
)
CostSharesView = _view(
    "cost-shares-breakdown",
    "Per item, the cost of items sold (basis=sales) or produced (basis=output) by share: material, capacity, overhead, "
    "subcontracting, variances, revaluation, rounding.",
)
InventoryAsOfView = _view("inventory-as-of", "Per item and location, quantity and value at as_of.")
