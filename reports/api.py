"""REST API of the reports (shared/spec/api.md "Reports"): JSON by default, ``format=csv|xlsx|pdf`` downloads."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from reports import selectors
from reports.exports import FORMATS, report_response
from reports.forms import FORMS

PARAMETERS = [
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("as_of", str, description="YYYY-MM-DD"),
    OpenApiParameter("item", str),
    OpenApiParameter("location", str),
    OpenApiParameter("include_expected_cost", bool),
    OpenApiParameter(
        "basis", str, description="inventory-as-of: valuation_date|posting_date; cost shares: sales|output"
    ),
    OpenApiParameter("format", str, enum=["json", "csv", "xlsx", "pdf"]),
]

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
        "gl_reconciliation": serializers.DictField(allow_null=True),
    },
)


def parse(key: str, query) -> selectors.ReportFilters:
    form = FORMS[key](query)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.items()))
        raise InvalidInput(f"{first[0]}: {first[1][0]}", errors=errors)
    return form.to_filters()


class _ReportView(APIView):
    key = ""

    def perform_content_negotiation(self, request, force=False):
        # ?format=csv|xlsx|pdf names a download, not a DRF renderer: answer it instead of DRF's 404.
        return super().perform_content_negotiation(
            request, force=force or request.query_params.get("format") in FORMATS
        )

    def get(self, request):
        fmt = request.query_params.get("format", "json") or "json"
        if fmt != "json" and fmt not in FORMATS:
            raise InvalidInput("format: json, csv, xlsx or pdf", errors={"format": ["json, csv, xlsx or pdf"]})
        report = selectors.REPORTS[self.key](parse(self.key, request.query_params))
        if fmt != "json":
            return report_response(fmt, report)
        return Response(report.as_json())


def _view(key: str, doc: str, schema=OpenApiTypes.OBJECT):
    view = type(
        "".join(p.title() for p in key.split("-")) + "View",
        (_ReportView,),
        {"key": key, "__doc__": doc},
    )
    return extend_schema(tags=["reports"], parameters=PARAMETERS, responses={200: schema})(view)


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
