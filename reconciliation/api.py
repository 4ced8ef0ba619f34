"""REST API of the reconciliation (shared/spec/api.md): the matrix and the drill-down behind each figure."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Pagination
from core.errors import InvalidInput
from reconciliation import selectors
from reconciliation.forms import DrilldownForm, ReconciliationFilterForm
from reconciliation.rows import as_json, entry_row

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("item", str),
    OpenApiParameter("location", str),
]


def _parse(form_class, query):
    data = query.copy()
    if "show_warnings" in data:
        data["show_warnings"] = "on" if data["show_warnings"].lower() in ("true", "1", "yes", "on") else ""
    form = form_class(data)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        first = next(iter(errors.items()))
        raise InvalidInput(f"{first[0]}: {first[1][0]}", errors=errors)
    return form


@extend_schema(
    tags=["reconciliation"],
    parameters=[*FILTER_PARAMETERS, OpenApiParameter("show_warnings", bool)],
    responses={200: OpenApiTypes.OBJECT},
)
class MatrixView(APIView):
    """Inventory - G/L Reconciliation matrix. Amounts are decimal strings; cells the layout leaves empty are null.

    Each row also carries ``explanations``: for every non-zero Difference cell, the causes with the entries behind
    them and the amount each contributes; the causes add up to the difference.
    """

    def get(self, request):
        form = _parse(ReconciliationFilterForm, request.query_params)
        return Response(selectors.matrix(form.to_filters()).as_dict())


@extend_schema(
    tags=["reconciliation"],
    parameters=[
        OpenApiParameter("row", str, required=True),
        OpenApiParameter("column", str, required=True),
        OpenApiParameter("kind", str, description="choice where a figure mixes kinds (see `kinds` in the answer)"),
        *FILTER_PARAMETERS,
    ],
    responses={200: OpenApiTypes.OBJECT},
)
class DrilldownView(APIView):
    """The value entries or G/L entries behind one figure, paginated. ``amount`` is each entry's share of the figure;
    ``total`` (all pages) equals ``cell``. A Difference figure lists the entries of one cause at a time (``kind``)."""

    def get(self, request):
        form = _parse(DrilldownForm, request.query_params)
        data = form.cleaned_data
        try:
            dd = selectors.drilldown(form.to_filters(), data["row"], data["column"], data.get("kind") or "")
        except selectors.DrilldownError as exc:
            raise InvalidInput(str(exc), errors={"non_field_errors": [str(exc)]}) from exc
        paginator = Pagination()
        paginator.django_paginator_class = _counted(dd.count)
        page = paginator.paginate_queryset(dd.queryset, request, view=self)
        response = paginator.get_paginated_response([as_json(entry_row(e)) for e in page])
        response.data.update(
            {
                "row": dd.row,
                "column": dd.column,
                "source": dd.source,
                "kind": dd.kind,
                "kinds": [{"key": k, "name": str(n)} for k, n in dd.kinds],
                "cell": None if dd.cell is None else f"{dd.cell:.2f}",
                "total": f"{dd.total:.2f}",
                "not_traceable": f"{dd.other:.2f}",
            }
        )
        return response


def _counted(count):
    from core.pages import CountedPaginator

    class Paginator(CountedPaginator):
        def __init__(self, object_list, per_page, **kwargs):
            super().__init__(object_list, per_page, count=count, **kwargs)

    return Paginator
